# Zero-length operations, which framing code hits with empty payloads: send(b'')/sendall(b'')/sendmsg([]) on TCP
# (0, and EPIPE after SHUT_WR), recv(0) and recv_into() of an empty buffer (b''/0 at once, even at EOF, after
# SHUT_RD and on a closed socket); on UDP and AF_UNIX datagram sockets an empty datagram is a datagram (sent, received
# as b''), while recv(0)/recv_into(empty) return at once and leave the queued datagram in place; an empty send on a
# Unix stream sends nothing (the peer's recv times out).
import socket


def t(label, fn):
    try:
        r = fn()
    except OSError as e:
        print(f"{label:40} {type(e).__name__} {e}")
    else:
        print(f"{label:40} -> {r!r}")


ls = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(ls.getsockname(), timeout=2)
s, _ = ls.accept()
s.settimeout(2)
t("tcp send(b'')", lambda: c.send(b""))
t("tcp sendall(b'')", lambda: c.sendall(b""))
t("tcp recv(0)", lambda: s.recv(0))
t("tcp recv_into(empty)", lambda: s.recv_into(bytearray(0)))
t("tcp sendmsg([])", lambda: c.sendmsg([]))
t("tcp sendmsg([b''])", lambda: c.sendmsg([b""]))
c.shutdown(socket.SHUT_WR)
t("tcp send(b'') after SHUT_WR", lambda: c.send(b""))
t("tcp sendall(b'') after SHUT_WR", lambda: c.sendall(b""))
t("tcp sendmsg([]) after SHUT_WR", lambda: c.sendmsg([]))
t("peer recv after SHUT_WR", lambda: s.recv(10))
t("peer recv(0) at EOF", lambda: s.recv(0))
s.shutdown(socket.SHUT_RD)
t("tcp recv(0) after own SHUT_RD", lambda: s.recv(0))
c.close()
s.close()
t("closed recv(0)", lambda: s.recv(0))
t("closed send(b'')", lambda: s.send(b""))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.settimeout(2)
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.settimeout(2)
t("udp sendto(b'')", lambda: v.sendto(b"", u.getsockname()))
t("udp recvfrom empty dgram", lambda: u.recvfrom(10)[0])
t("udp sendto(b'') recv(0)", lambda: (v.sendto(b"abc", u.getsockname()), u.recv(0)))
t("udp recv after recv(0)", lambda: u.recv(10))
v.connect(u.getsockname())
t("udp sendmsg([])", lambda: v.sendmsg([]))
t("udp recv empty", lambda: u.recv(10))
t("udp recv_into(empty) of 3 bytes", lambda: (v.send(b"xyz"), u.recv_into(bytearray(0))))
t("udp recv after that", lambda: u.recv(10))
v.shutdown(socket.SHUT_WR)
t("udp send(b'') after SHUT_WR", lambda: v.send(b""))
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
b.settimeout(2)
t("unix dgram send(b'')", lambda: a.send(b""))
t("unix dgram recv empty", lambda: b.recv(10))
t("unix dgram recv(0) of 3", lambda: (a.send(b"abc"), b.recv(0)))
t("unix dgram recv after", lambda: b.recv(10))
x, y = socket.socketpair()
y.settimeout(0.3)
t("unix stream send(b'')", lambda: x.send(b""))
t("unix stream recv after empty send", lambda: y.recv(10))
for sock in (ls, u, v, a, b, x, y):
    sock.close()
