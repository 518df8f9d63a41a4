# Non-blocking connect_ex then poll with select (HOWTO-style client).
import errno
import select
import socket
import sys
import time

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setblocking(False)
rc = s.connect_ex(('127.0.0.1', int(sys.argv[1])))
print("connect_ex", errno.errorcode.get(rc, rc))
r, w, x = select.select([], [s], [], 10)
print("writable", w == [s], "SO_ERROR", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
time.sleep(0.2)
s.send(b"part one ")
time.sleep(0.2)
s.send(b"END")
data = b""
for _ in range(200):
    r, w, x = select.select([s], [], [], 0)
    if r:
        data = s.recv(100)
        break
    time.sleep(0.05)
print("reply", data)
s.close()
