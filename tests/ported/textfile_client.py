# Text makefile with universal newlines, `for line in f`; then recv_into a bytearray through a memoryview.
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("r", encoding="utf-8")
for line in f:
    print(repr(line))
print("eof", repr(f.readline()))
f.close()
buf = bytearray(20)
view = memoryview(buf)
n = s.recv_into(view[5:], 4)
print("recv_into after EOF", n, bytes(buf[:10]))
s.sendall(b"R" * 20)
s.close()
