# The socket options a server prints at start-up, as many tutorials do: defaults, then each option set and read
# back (TCP_NODELAY, SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT, SO_REUSEADDR, SO_LINGER where readable, SO_TYPE,
# SO_ERROR), on a fresh socket, a listener, a connected client and an accepted one (which options an accepted
# socket inherits). Every getsockopt/setsockopt is in try/except OSError, printing the errno's name.
import errno
import socket
import struct
import sys

OPTS = [
    ("SO_REUSEADDR", socket.SOL_SOCKET, socket.SO_REUSEADDR),
    ("SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    ("SO_TYPE", socket.SOL_SOCKET, socket.SO_TYPE),
    ("SO_ERROR", socket.SOL_SOCKET, socket.SO_ERROR),
    ("TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY),
    ("TCP_KEEPIDLE", socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
    ("TCP_KEEPINTVL", socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
    ("TCP_KEEPCNT", socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
]
# argv[1] == "portable": leave out the keepalive tunables (TCP_KEEPIDLE/INTVL/CNT)
portable = sys.argv[1:] == ["portable"]
if portable:
    OPTS = [o for o in OPTS if not o[0].startswith("TCP_KEEP")]


def get(s, level, opt):
    try:
        return s.getsockopt(level, opt)
    except OSError as e:
        return "OSError " + errno.errorcode[e.errno]


def show(label, s):
    print(label + ":", ", ".join("%s=%s" % (name, get(s, lvl, opt)) for name, lvl, opt in OPTS))


def setopt(s, name, level, opt, value):
    try:
        s.setsockopt(level, opt, value)
        print("  set", name, value, "->", get(s, level, opt))
    except OSError as e:
        print("  set", name, value, "-> OSError", errno.errorcode[e.errno])


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
show("fresh", s)
setopt(s, "TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
setopt(s, "SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
if not portable:
    setopt(s, "TCP_KEEPIDLE", socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60)
    setopt(s, "TCP_KEEPINTVL", socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
    setopt(s, "TCP_KEEPCNT", socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5)
setopt(s, "SO_REUSEADDR", socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
setopt(s, "TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
setopt(s, "SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE, True)
show("after sets", s)
try:
    raw = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
    print("SO_LINGER:", struct.unpack("ii", raw))
except OSError as e:
    print("SO_LINGER: OSError", errno.errorcode[e.errno])
s.close()

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen()
show("listener", lsock)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.settimeout(5)
c.connect(lsock.getsockname())
show("client", c)
conn, _ = lsock.accept()
show("accepted", conn)
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
show("accepted after sets", conn)
c.sendall(b"ping")
print("data still flows:", conn.recv(4))
c.close()
conn.close()
lsock.close()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("udp SO_TYPE:", u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_DGRAM)
print("udp SO_BROADCAST:", get(u, socket.SOL_SOCKET, socket.SO_BROADCAST))
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print("udp SO_BROADCAST after set:", get(u, socket.SOL_SOCKET, socket.SO_BROADCAST))
print("udp TCP_NODELAY:", get(u, socket.IPPROTO_TCP, socket.TCP_NODELAY))
u.close()
