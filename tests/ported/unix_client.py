# Unix domain stream echo client.
import socket
import sys

with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.connect(sys.argv[1])
    print("peer", s.getpeername() == sys.argv[1], "local", repr(s.getsockname()))
    s.sendall(b"hello over unix")
    print(s.recv(1024))
