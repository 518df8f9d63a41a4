# "Why doesn't my Unix datagram client get a reply?": a server on an AF_UNIX SOCK_DGRAM path answers each
# datagram to recvfrom()'s address. A client that never binds is anonymous: the server sees an empty address
# (None) and its sendto() fails (TypeError); a client that binds its own path gets replies (and must unlink it); one that binds
# '' gets an autobound abstract name (Linux: a NUL and 5 hex digits), and replies reach it; a connect()ed
# client's getsockname() shows what it is bound to; a datagram larger than the receive buffer given to
# recvfrom() is cut; the server's file stays until unlinked. Paths are printed relative to the temp dir.
import errno
import os
import socket
import tempfile
import threading

d = tempfile.mkdtemp()
SPATH = os.path.join(d, "server.sock")
srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
srv.bind(SPATH)
srv.settimeout(5)
slog = []


def show(addr):
    if addr is None or addr == "":
        return repr(addr)
    if isinstance(addr, bytes) or addr.startswith("\0"):
        raw = addr if isinstance(addr, bytes) else addr.encode()
        return f"abstract, {len(raw)} bytes, hex name: {all(c in b'0123456789abcdef' for c in raw[1:])}"
    return os.path.relpath(addr, d)


def server(n):
    for _ in range(n):
        data, addr = srv.recvfrom(16)
        line = f"got {data!r} from {show(addr)}"
        try:
            srv.sendto(data.upper(), addr)
            line += ", replied"
        except OSError as e:
            line += f", reply failed: {type(e).__name__} {errno.errorcode[e.errno]}"
        except TypeError as e:
            line += f", reply failed: {type(e).__name__}"
        slog.append(line)


t = threading.Thread(target=server, args=(5,))
t.start()


def client(label, setup):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.settimeout(0.5)
    setup(c)
    print(label, "bound to:", show(c.getsockname()))
    c.sendto(label.encode(), SPATH)
    try:
        print("  reply:", c.recvfrom(100)[0])
    except TimeoutError:
        print("  no reply (timed out)")
    c.close()


client("anonymous", lambda c: None)
CPATH = os.path.join(d, "client.sock")
client("bound", lambda c: c.bind(CPATH))
print("client file left behind:", os.path.exists(CPATH))
os.unlink(CPATH)
client("autobind", lambda c: c.bind(""))
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.settimeout(0.5)
c.connect(SPATH)
print("connected, bound to:", show(c.getsockname()), "peer:", show(c.getpeername()))
c.send(b"connected")
try:
    print("  reply:", c.recv(100))
except TimeoutError:
    print("  no reply (timed out)")
c2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c2.bind(os.path.join(d, "big.sock"))
c2.settimeout(5)
c2.sendto(b"a long datagram of forty bytes exactly!!", SPATH)
print("  big reply:", c2.recv(100))
t.join()
for x in slog:
    print("server:", x)
srv.close()
print("server file after close:", os.path.exists(SPATH))
for x in (c, c2):
    x.close()
for name in os.listdir(d):
    os.unlink(os.path.join(d, name))
os.rmdir(d)
