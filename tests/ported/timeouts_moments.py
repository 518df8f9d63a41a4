# When timeouts fire (course "timeouts" lab): recv, accept, recvfrom and a makefile readline each raise
# TimeoutError after about their timeout (a window wide enough for a loaded machine), nothing is lost, a
# sendall to a peer that stops reading gives up after about its timeout in total, setdefaulttimeout reaches
# create_connection and accepted sockets, timeout 0 raises BlockingIOError at once, and a blocking recv
# (settimeout(None)) waits as long as it takes.
import socket
import threading
import time


def timed(label, fn, lo, hi):
    t0 = time.monotonic()
    try:
        r = fn()
        print(label, "returned", repr(r)[:40], lo <= time.monotonic() - t0 <= hi)
    except OSError as e:
        print(label, type(e).__name__, e, lo <= time.monotonic() - t0 <= hi)


listener = socket.create_server(("127.0.0.1", 0))
listener.settimeout(0.3)
timed("accept", listener.accept, 0.25, 3)
c = socket.create_connection(listener.getsockname())
a, _ = listener.accept()
print("accepted gettimeout", a.gettimeout(), "blocking", a.getblocking())
a.settimeout(0.3)
timed("recv", lambda: a.recv(10), 0.25, 3)
threading.Timer(0.2, lambda: c.sendall(b"late")).start()
a.settimeout(2)
timed("recv late data", lambda: a.recv(10), 0.1, 1.9)
c2 = socket.create_connection(listener.getsockname())
a2, _ = listener.accept()
a2.settimeout(0.3)
f = a2.makefile("rb")
c2.sendall(b"partial line")
timed("readline", f.readline, 0.25, 3)
f.close()  # CPython's file refuses reads after a timeout: a new one, on a new connection
c2.close()
a2.close()
a.settimeout(0)
timed("nonblocking recv", lambda: a.recv(10), 0, 0.2)
a.settimeout(None)
threading.Timer(0.4, lambda: c.sendall(b"eventually")).start()
timed("blocking recv", lambda: a.recv(10), 0.3, 5)

c.settimeout(0.5)
timed("sendall to a non-reader", lambda: c.sendall(b"x" * 50_000_000), 0.4, 4)
c.close()
a.close()

socket.setdefaulttimeout(0.3)
try:
    d = socket.create_connection(listener.getsockname())
    print("create_connection default timeout", d.gettimeout())
    listener.settimeout(5)
    e, _ = listener.accept()
    print("accepted default timeout", e.gettimeout())
    timed("recv default timeout", lambda: e.recv(10), 0.25, 3)
    d.close()
    e.close()
finally:
    socket.setdefaulttimeout(None)

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.settimeout(0.3)
timed("recvfrom", lambda: u.recvfrom(10), 0.25, 3)
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"after timeout", u.getsockname())
print("recvfrom after", u.recvfrom(100)[0])
u.close()
v.close()
listener.close()
