# What classic programs print when things go wrong (str(e) of each error).
import socket
import sys

closed_port = int(sys.argv[1])


def show(label, fn):
    try:
        r = fn()
        print(label, "ok", r)
    except OSError as e:
        print(label, type(e).__name__, e.errno, e)
    except (ValueError, OverflowError, TypeError) as e:
        print(label, "TypeError" if isinstance(e, TypeError) else "ValueError", e)


s = socket.socket()
show("connect refused", lambda: s.connect(("127.0.0.1", closed_port)))
s.close()
show("create_connection refused", lambda: socket.create_connection(("127.0.0.1", closed_port)))
show("connect_ex refused", lambda: socket.socket().connect_ex(("127.0.0.1", closed_port)))
a = socket.socket()
a.bind(("127.0.0.1", 0))
a.listen()
b = socket.socket()
show("bind in use", lambda: b.bind(a.getsockname()))
b.close()
show("bad family", lambda: socket.socket(12345))
u = socket.socket()
show("recv unconnected", lambda: u.recv(10))
show("send unconnected", lambda: u.send(b"x"))
show("getpeername unconnected", lambda: u.getpeername())
show("accept not listening", lambda: u.accept())
u.close()
c = socket.create_connection(a.getsockname())
show("connect again", lambda: c.connect(a.getsockname()))
show("settimeout(-1)", lambda: c.settimeout(-1))
show("recv(-1)", lambda: c.recv(-1))
show("send str", lambda: c.send("text"))
show("bad port", lambda: socket.socket().connect(("127.0.0.1", 70000)))
show("bad tuple", lambda: socket.socket().connect(("127.0.0.1",)))
c.close()
show("recv closed", lambda: c.recv(10))
show("send closed", lambda: c.send(b"x"))
show("fileno closed", lambda: c.fileno())
show("close twice", lambda: c.close())
show("getsockname closed", lambda: c.getsockname())
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
show("sendto too big", lambda: d.sendto(b"x" * 70000, ("127.0.0.1", closed_port)))
show("sendto no address", lambda: d.send(b"x"))
show("recvfrom nonblocking", lambda: (d.setblocking(False), d.recvfrom(10)))
d.close()
show("socketpair AF_INET dgram", lambda: socket.socketpair(socket.AF_INET, socket.SOCK_DGRAM))
a.close()
