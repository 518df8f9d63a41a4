# Unix datagram echo server (IPC): replies to each client's bound path; stops on b"quit".
import os
import socket
import sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
while True:
    data, addr = s.recvfrom(1024)
    print("got", data, "from a bound client:", addr is not None and addr.endswith(".client"))
    if data == b"quit":
        break
    s.sendto(data.upper(), addr)
s.close()
os.unlink(path)
print("server done")
