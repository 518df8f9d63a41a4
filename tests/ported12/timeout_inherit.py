# Which timeout a socket starts with, as the socket docs' "Notes on socket timeouts" state it: a new socket takes
# getdefaulttimeout(); an accepted socket takes the default too, except that with no default a listener's
# timeout does not pass on (accept() makes it blocking); socketpair(), create_connection() (its timeout= and the
# default), create_server() and socket(fileno=detach()) each printed, for the default None and 1.5, and for a
# listener that is blocking, timed (2.5) or non-blocking; then socket.timeout is TimeoutError and a timed-out
# recv() raises it with the text "timed out"; setdefaulttimeout() refuses a negative value.
import socket


def show(label, s):
    print(f"{label}: timeout={s.gettimeout()} blocking={s.getblocking()}")


for default in (None, 1.5):
    socket.setdefaulttimeout(default)
    print("== default", socket.getdefaulttimeout())
    s = socket.socket()
    show("new socket", s)
    s.close()
    a, b = socket.socketpair()
    show("socketpair", a)
    a.close()
    b.close()
    for ltimeout in ("keep", None, 2.5, 0.0):
        lsock = socket.create_server(("127.0.0.1", 0))
        if ltimeout != "keep":
            lsock.settimeout(ltimeout)
        show(f"listener {ltimeout}", lsock)
        c = socket.create_connection(lsock.getsockname())
        show("  create_connection", c)
        if ltimeout == 0.0:
            import select
            select.select([lsock], [], [], 5)
        conn, _ = lsock.accept()
        show("  accepted", conn)
        conn.close()
        c.close()
        lsock.close()
    lsock = socket.create_server(("127.0.0.1", 0))
    c = socket.create_connection(lsock.getsockname(), timeout=4)
    show("create_connection(timeout=4)", c)
    c2 = socket.create_connection(lsock.getsockname(), None)
    show("create_connection(addr, None)", c2)
    fd = c2.detach()
    c3 = socket.socket(fileno=fd)
    show("socket(fileno=detach())", c3)
    for x in (c, c3):
        x.close()
    for _ in range(2):
        conn, _ = lsock.accept()
        conn.close()
    lsock.close()

socket.setdefaulttimeout(None)
print("socket.timeout is TimeoutError:", socket.timeout is TimeoutError)
print("issubclass OSError:", issubclass(socket.timeout, OSError))
lsock = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(lsock.getsockname(), timeout=0.2)
conn, _ = lsock.accept()
try:
    c.recv(10)
except socket.timeout as e:
    print("recv:", type(e).__name__, repr(str(e)), e.errno, e.args)
conn.sendall(b"late")
print("then:", c.recv(10))
try:
    c.settimeout(-1)
except ValueError as e:
    print("settimeout(-1):", type(e).__name__, e)
try:
    socket.setdefaulttimeout(-0.5)
except ValueError as e:
    print("setdefaulttimeout(-0.5):", type(e).__name__, e)
socket.setdefaulttimeout(0)
s = socket.socket()
show("default 0, new socket", s)
s.close()
socket.setdefaulttimeout(None)
for x in (c, conn, lsock):
    x.close()
