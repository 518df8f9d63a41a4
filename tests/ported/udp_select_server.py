# UDP server with select() and a non-blocking socket; serves 3 datagrams then stops.
import select
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
try:
    s.recvfrom(100)
except BlockingIOError as e:
    print("nothing yet:", e)
served = 0
idle = 0
while served < 3 and idle < 50:
    r, _, _ = select.select([s], [], [], 0.2)
    if not r:
        idle += 1
        continue
    data, addr = s.recvfrom(100)
    print("from", addr[0], data)
    s.sendto(data[::-1], addr)
    served += 1
print("served", served)
s.close()
