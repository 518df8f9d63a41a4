# Connect timeouts against a listener whose backlog is full (SYNs dropped): create_connection's
# timeout, then a second connect() on the socket whose connect timed out.
import socket

l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(0)
fill = [socket.create_connection(l.getsockname())]
for _ in range(3):
    x = socket.socket()
    x.setblocking(False)
    x.connect_ex(l.getsockname())
    fill.append(x)
try:
    socket.create_connection(l.getsockname(), timeout=0.5)
    print("connected?")
except TimeoutError as e:
    print("create_connection:", type(e).__name__, e)
s = socket.socket()
s.settimeout(0.3)
try:
    s.connect(l.getsockname())
except TimeoutError as e:
    print("connect:", e)
try:
    s.connect(l.getsockname())
    print("second connect: connected")
except OSError as e:
    print("second connect:", type(e).__name__, e)
print("connect_ex on a connecting socket:", s.connect_ex(l.getsockname()))
s.close()
for x in fill:
    x.close()
l.close()
