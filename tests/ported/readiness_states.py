# What select() and a DefaultSelector report for a socket in each state a course program meets: fresh,
# bound, listening (idle, then with a connection waiting), connected (idle, data waiting, after the peer's
# SHUT_WR, after the peer closed, after our own SHUT_WR and SHUT_RD), after a timed-out recv, UDP (unbound,
# bound, a datagram waiting, after reading it), and a closed socket (select raises ValueError).
import select
import selectors
import socket
import time


def ready(s):
    r, w, x = select.select([s], [s], [s], 0)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    events = sel.select(0)
    sel.close()
    mask = events[0][1] if events else 0
    return "select r=%d w=%d x=%d selector r=%d w=%d" % (
        bool(r), bool(w), bool(x), bool(mask & selectors.EVENT_READ), bool(mask & selectors.EVENT_WRITE))


def settle():
    time.sleep(0.2)


s = socket.socket()
print("fresh", ready(s))
s.bind(("127.0.0.1", 0))
print("bound", ready(s))
s.listen()
print("listening", ready(s))
c = socket.create_connection(s.getsockname())
settle()
print("listening, one waiting", ready(s))
print("client just connected", ready(c))
a, _ = s.accept()
print("listening after accept", ready(s))
print("accepted idle", ready(a))
c.sendall(b"ping")
settle()
print("accepted, data waiting", ready(a))
a.recv(10)
print("accepted, data read", ready(a))
c.shutdown(socket.SHUT_WR)
settle()
print("accepted, peer SHUT_WR", ready(a))
print("accepted recv", a.recv(10))
print("client after own SHUT_WR", ready(c))
a.sendall(b"reply")
settle()
print("client, reply waiting", ready(c))
print("client recv", c.recv(10))
a.close()
settle()
print("client, peer closed", ready(c))
print("client recv", c.recv(10))
c.close()

c = socket.create_connection(s.getsockname())
a, _ = s.accept()
a.shutdown(socket.SHUT_RD)
settle()
print("after own SHUT_RD", ready(a))
a.settimeout(0.1)
c.settimeout(0.1)
try:
    c.recv(10)
except socket.timeout as e:
    print("client recv", type(e).__name__, e)
print("after a timed-out recv", ready(c))
c.close()
a.close()
s.close()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("udp fresh", ready(u))
u.bind(("127.0.0.1", 0))
print("udp bound", ready(u))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"dgram", u.getsockname())
settle()
print("udp datagram waiting", ready(u))
print("udp recv", u.recvfrom(10)[0])
print("udp after read", ready(u))
u.close()
v.close()
try:
    select.select([u], [], [], 0)
except (ValueError, OSError) as e:
    print("select closed", type(e).__name__, e)
sel = selectors.DefaultSelector()
try:
    sel.register(u, selectors.EVENT_READ)
except (ValueError, OSError, KeyError) as e:
    print("register closed", type(e).__name__, e)
