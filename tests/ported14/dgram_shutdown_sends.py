# Datagram sockets after shutdown(), in each family (UDP over IPv4 and IPv6, AF_UNIX): after SHUT_WR a send
# raises BrokenPipeError, but a datagram too large for the family is still refused as too large (the size is checked
# first), and the socket still receives; after SHUT_RD too a receive still finds the queued datagram, then waits
# out its timeout. An unbound UDP socket is bound by a send that raises EPIPE after shutdown(), as by any send.
import socket


def attempt(label, fn):
    try:
        r = fn()
    except OSError as e:
        print(f"  {label}: {type(e).__name__} {e}")
    else:
        print(f"  {label}: -> {r!r}")


def family(name, a, b, big):
    print(name)
    b.settimeout(5)
    a.settimeout(5)
    a.send(b"before")
    print("  b got:", b.recv(100))
    a.shutdown(socket.SHUT_WR)
    attempt("small send after SHUT_WR", lambda: a.send(b"x"))
    attempt(f"send of {big} bytes after SHUT_WR", lambda: a.send(b"x" * big))
    attempt(f"send of {big - 1} bytes after SHUT_WR", lambda: a.send(b"x" * (big - 1)))
    b.send(b"still receiving")
    print("  a got:", a.recv(100))
    b.send(b"queued")
    a.settimeout(0.3)
    a.shutdown(socket.SHUT_RD)
    attempt("recv after SHUT_RD (queued)", lambda: a.recv(100))
    attempt("recv after SHUT_RD (empty)", lambda: a.recv(100))
    a.close()
    b.close()


def udp_pair(fam, host):
    a = socket.socket(fam, socket.SOCK_DGRAM)
    b = socket.socket(fam, socket.SOCK_DGRAM)
    a.bind((host, 0))
    b.bind((host, 0))
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    return a, b


family("udp4", *udp_pair(socket.AF_INET, "127.0.0.1"), 65508)
family("udp6", *udp_pair(socket.AF_INET6, "::1"), 65528)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
family("unix dgram", a, b, 300000)

# an unbound UDP socket: shutdown() raises ENOTCONN but still shuts; the send that then raises EPIPE has bound it
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("unbound udp")
attempt("shutdown(SHUT_WR)", lambda: u.shutdown(socket.SHUT_WR))
attempt("sendto", lambda: u.sendto(b"x", ("127.0.0.1", 9)))
print("  bound by that send:", u.getsockname()[1] != 0)
u.close()
