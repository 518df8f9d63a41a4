# socketpair(AF_UNIX, SOCK_DGRAM): message boundaries kept, a short recv truncates.
import socket

a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.send(b"dgram 1")
a.send(b"dgram 2")
print(b.recv(3), b.recv(100))
a.close()
b.close()
