# Mixing a socket file's reads with recv() on the same socket, as header-then-body HTTP clients often do: the
# file's buffer takes what arrived with the header line, so recv() then sees only what comes later, and the file
# still has the rest; an unbuffered file (buffering=0) reads no further than the line.
import socket

a, b = socket.socketpair()
a.settimeout(0.5)
b.sendall(b'HTTP/1.0 200 OK\r\n\r\nbody in the same segment')
f = a.makefile('rb')
print('status:', f.readline(), 'blank:', f.readline())
try:
    print('recv:', a.recv(100))
except socket.timeout:
    print('recv timed out: the body is in the file')
print('file:', f.read1(100))
b.sendall(b'later bytes')
print('recv:', a.recv(100))
f.close()
raw = a.makefile('rb', buffering=0)
b.sendall(b'one line\nand the rest')
print('unbuffered:', raw.readline(), a.recv(100))
a.close()
b.close()
