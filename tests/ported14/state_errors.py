# What each call raises in the wrong state, as a porting checklist prints it: TCP calls before connect, after
# listen, twice, after shutdown and after close; UDP calls a datagram socket refuses; AF_UNIX paths that are
# missing, taken, a regular file, a listener of the other type, too long; bad options and protocols. Each row prints
# the exception's class, errno name and str(), or the call's result.
import errno
import os
import socket
import tempfile


def row(label, fn):
    try:
        r = fn()
    except OSError as e:
        code = errno.errorcode.get(e.errno, e.errno) if e.errno is not None else None
        print(f"{label:44} {type(e).__name__} {code} {e}")
    except (OverflowError, ValueError, TypeError) as e:
        print(f"{label:44} {type(e).__name__} {e}")
    else:
        print(f"{label:44} -> {r!r}")


lsock = socket.create_server(("127.0.0.1", 0))
addr = lsock.getsockname()

s = socket.socket()
row("tcp recv before connect", lambda: s.recv(10))
row("tcp send before connect", lambda: s.send(b"x"))
row("tcp sendall before connect", lambda: s.sendall(b"x"))
row("tcp getpeername before connect", lambda: s.getpeername())
row("tcp shutdown before connect", lambda: s.shutdown(socket.SHUT_RDWR))
row("tcp accept on unbound, unlistened", lambda: s.accept())
s.bind(("127.0.0.1", 0))
row("tcp bind twice", lambda: s.bind(("127.0.0.1", 0)))
row("tcp accept on bound, unlistened", lambda: s.accept())
s.close()

s = socket.socket()
row("tcp bind to a listener's port", lambda: s.bind(addr))
row("tcp connect", lambda: s.connect(addr))
conn, _ = lsock.accept()
row("tcp connect twice", lambda: s.connect(addr))
row("tcp connect_ex twice", lambda: errno.errorcode[s.connect_ex(addr)])
row("tcp listen on a connected socket", lambda: s.listen())
row("tcp bind after connect", lambda: s.bind(("127.0.0.1", 0)))
row("tcp sendto on a connected socket", lambda: s.sendto(b"x", addr))
row("tcp connect on a listener", lambda: lsock.connect(addr))
row("tcp recv on a listener", lambda: lsock.recv(10))
row("tcp send on a listener", lambda: lsock.send(b"x"))
s.shutdown(socket.SHUT_WR)
row("tcp send after SHUT_WR", lambda: s.send(b"x"))
row("tcp sendall after SHUT_WR", lambda: s.sendall(b"x" * 100000))
row("tcp shutdown SHUT_WR again", lambda: s.shutdown(socket.SHUT_WR))
s.shutdown(socket.SHUT_RD)
row("tcp recv after SHUT_RD", lambda: s.recv(10))
row("tcp shutdown(7)", lambda: s.shutdown(7))
conn.close()
s.close()
row("closed: recv", lambda: s.recv(10))
row("closed: send", lambda: s.send(b"x"))
row("closed: getsockname", lambda: s.getsockname())
row("closed: setsockopt", lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1))
row("closed: fileno", lambda: s.fileno())
row("closed: close again", lambda: s.close())
row("closed: settimeout", lambda: s.settimeout(1))
row("closed: connect", lambda: s.connect(addr))

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
row("udp listen", lambda: u.listen())
row("udp accept", lambda: u.accept())
row("udp send unconnected", lambda: u.send(b"x"))
row("udp sendto 65507 bytes", lambda: u.sendto(b"x" * 65507, ("127.0.0.1", 9)))
row("udp sendto 65508 bytes", lambda: u.sendto(b"x" * 65508, ("127.0.0.1", 9)))
row("udp getpeername unconnected", lambda: u.getpeername())
row("udp shutdown unconnected", lambda: u.shutdown(socket.SHUT_RDWR))
row("udp sendto after that shutdown", lambda: u.sendto(b"x", ("127.0.0.1", 9)))
row("udp sendto port 65536", lambda: u.sendto(b"x", ("127.0.0.1", 65536)))
row("udp sendto port -1", lambda: u.sendto(b"x", ("127.0.0.1", -1)))
u.connect(("127.0.0.1", 9))
row("udp sendto elsewhere when connected", lambda: u.sendto(b"x", ("127.0.0.1", 10)))
row("udp getsockopt TCP_NODELAY", lambda: u.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
u.close()

row("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)",
    lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_UDP))
row("socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)",
    lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_TCP))
t = socket.socket()
row("setsockopt(SOL_SOCKET, 9999)", lambda: t.setsockopt(socket.SOL_SOCKET, 9999, 1))
row("getsockopt(SOL_SOCKET, 9999)", lambda: t.getsockopt(socket.SOL_SOCKET, 9999))
row("connect to port 0", lambda: t.connect(("127.0.0.1", 0)))
t.close()
t = socket.socket()
row("bind port 65536", lambda: t.bind(("127.0.0.1", 65536)))
row("connect_ex to port 0", lambda: errno.errorcode[t.connect_ex(("127.0.0.1", 0))])
t.close()
lsock.close()

with tempfile.TemporaryDirectory() as d:
    stream_path = os.path.join(d, "stream.sock")
    dgram_path = os.path.join(d, "dgram.sock")
    file_path = os.path.join(d, "plain.txt")
    with open(file_path, "w") as f:
        f.write("not a socket\n")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(stream_path)
    ds = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ds.bind(dgram_path)
    def us_do(op, path):
        # a fresh stream socket for each row, closed when the row is done
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as us:
            return getattr(us, op)(path)

    row("unix connect to a missing path", lambda: us_do('connect', os.path.join(d, "missing")))
    row("unix connect to a regular file", lambda: us_do('connect', file_path))
    row("unix stream connect to a dgram path", lambda: us_do('connect', dgram_path))
    row("unix bind a taken path", lambda: us_do('bind', stream_path))
    row("unix bind a regular file", lambda: us_do('bind', file_path))
    row("unix bind a path of 108 bytes", lambda: us_do('bind', "/tmp/" + "p" * 103))
    row("unix bind in a missing dir", lambda: us_do('bind', os.path.join(d, "no", "x.sock")))
    ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    row("unix dgram sendto a stream path", lambda: ud.sendto(b"x", stream_path))
    row("unix dgram sendto a missing path", lambda: ud.sendto(b"x", os.path.join(d, "missing")))
    row("unix dgram send unconnected", lambda: ud.send(b"x"))
    row("unix dgram listen", lambda: ud.listen())
    ud.close()
    ls.close()
    ds.close()
