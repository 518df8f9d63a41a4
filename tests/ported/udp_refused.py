# Connected UDP to a closed port: the ICMP error comes back as ConnectionRefusedError.
import socket
import sys

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(("127.0.0.1", port))
print("peer", s.getpeername()[1] == port)
s.send(b"anyone there?")
try:
    print(s.recv(100))
except ConnectionRefusedError as e:
    print("recv:", e)
except TimeoutError as e:
    print("recv timed out:", e)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(0.5)
u.sendto(b"x", ("127.0.0.1", port))
try:
    print(u.recvfrom(100))
except OSError as e:
    print("unconnected recvfrom:", type(e).__name__, e)
s.close()
u.close()
