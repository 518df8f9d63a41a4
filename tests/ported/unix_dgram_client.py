# Unix datagram client: binds its own path to get replies.
import os
import socket
import sys

server = sys.argv[1]
me = server + ".client"
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.bind(me)
for msg in [b"hello", b"world"]:
    c.sendto(msg, server)
    data, addr = c.recvfrom(1024)
    print("reply", data, addr == server)
c.sendto(b"quit", server)
c.close()
os.unlink(me)
print("client done")
