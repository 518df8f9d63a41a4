# Edges classic programs run into: tiny timeouts, MSG_WAITALL with a timeout, send right after a
# non-blocking connect, a second connect after a timed-out one, shutdown/close waking another thread,
# concurrent receivers on one socket.
import socket
import threading
import time


def pair():
    l = socket.create_server(("127.0.0.1", 0))
    c = socket.create_connection(l.getsockname())
    s, _ = l.accept()
    l.close()
    return c, s


def outcome(fn):
    try:
        r = fn()
        return r
    except OSError as e:
        return "%s: %s" % (type(e).__name__, e)


# 1. a tiny timeout still returns what is already there
c, s = pair()
s.sendall(b"ready")
time.sleep(0.2)
c.settimeout(1e-9)
print("tiny timeout recv:", outcome(lambda: c.recv(10)))
l = socket.create_server(("127.0.0.1", 0))
k = socket.create_connection(l.getsockname())
time.sleep(0.2)
l.settimeout(1e-9)
print("tiny timeout accept:", outcome(lambda: l.accept()[0] is not None))
k.close()
l.close()

# 2. MSG_WAITALL on a timed socket returns the bytes that are there
c.settimeout(2)
s.sendall(b"x" * 100)
time.sleep(0.2)
print("waitall with timeout:", outcome(lambda: len(c.recv(1000, socket.MSG_WAITALL))))
c.setblocking(False)
s.sendall(b"y" * 50)
time.sleep(0.2)
print("waitall non-blocking:", outcome(lambda: len(c.recv(1000, socket.MSG_WAITALL))))
print("waitall non-blocking, nothing there:", outcome(lambda: c.recv(1000, socket.MSG_WAITALL)))
c.close()
s.close()

# 3. send and recv right after a non-blocking connect_ex
l = socket.create_server(("127.0.0.1", 0))
n = socket.socket()
n.setblocking(False)
print("connect_ex:", n.connect_ex(l.getsockname()))
r = outcome(lambda: n.send(b"early"))
print("send at once:", r if isinstance(r, str) and "Blocking" in r else "sent or would block")
r = outcome(lambda: n.recv(10))
print("recv at once:", r)
n.close()
l.close()

# 4. shutdown(SHUT_RD) wakes a recv in another thread; close() wakes a sendall in another thread
c, s = pair()
got = []
t = threading.Thread(target=lambda: got.append(outcome(lambda: c.recv(10))))
t.start()
time.sleep(0.3)
c.shutdown(socket.SHUT_RD)
t.join(5)
print("recv woken by SHUT_RD:", got, t.is_alive())
c.close()
s.close()
c, s = pair()
got = []
t = threading.Thread(target=lambda: got.append(outcome(lambda: c.sendall(b"z" * 50_000_000))))
t.start()
time.sleep(0.5)
c.shutdown(socket.SHUT_WR)
t.join(5)
print("sendall after SHUT_WR in another thread:", got, t.is_alive())
c.close()
s.close()

# 5. two threads recv(5, MSG_WAITALL) on one socket; two threads recvfrom on one UDP socket
c, s = pair()
got = []
ts = [threading.Thread(target=lambda: got.append(c.recv(5, socket.MSG_WAITALL))) for _ in range(2)]
for t in ts:
    t.start()
time.sleep(0.2)
s.sendall(b"abc")
time.sleep(0.1)
s.sendall(b"defghij")
for t in ts:
    t.join(5)
print("two WAITALL readers:", sorted(len(x) for x in got), b"".join(sorted(got, key=lambda x: x[0])) == b"abcdefghij" or sorted(b"".join(got)) == sorted(b"abcdefghij"))
c.close()
s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
got = []
ts = [threading.Thread(target=lambda: got.append(u.recvfrom(100)[0])) for _ in range(2)]
for t in ts:
    t.start()
time.sleep(0.2)
v.sendto(b"first", u.getsockname())
v.sendto(b"second", u.getsockname())
for t in ts:
    t.join(5)
print("two recvfrom readers:", sorted(got))
u.close()
v.close()
