# UDP over IPv6 on loopback, as dual-stack servers meet it: addresses are 4-tuples (host, port, flowinfo,
# scope_id) from recvfrom() and getsockname(), and sendto() takes 2- or 4-tuples; a flowinfo out of range is an
# OverflowError; an AF_INET6 socket reaches an IPv4-only receiver through the IPv4-mapped address
# ::ffff:127.0.0.1 and sees its replies come from that mapped address (the receiver sees plain 127.0.0.1); an
# IPv4 literal on an AF_INET6 socket and an IPv6 literal on an AF_INET socket are gaierrors; recvfrom_into();
# IPV6_V6ONLY (0 on a fresh socket; Linux sets it when the socket binds a specific IPv6 address, such as ::1,
# so that socket cannot reach a mapped address: ENETUNREACH). Ports are printed as PORT. argv[1] == "v6only":
# also print IPV6_V6ONLY of the socket bound to ::1, and setting it once a socket has a port (EINVAL).
import errno
import socket
import sys


def mask(addr, *ports):
    return tuple("PORT" if x in ports and i == 1 else x for i, x in enumerate(addr))


def attempt(label, fn):
    try:
        print(label, "->", fn())
    except (OSError, OverflowError, TypeError) as e:
        name = type(e).__name__
        if isinstance(e, socket.gaierror):
            print(label, "->", name, e.errno)
        elif isinstance(e, OSError):
            print(label, "->", name, errno.errorcode.get(e.errno, e.errno))
        else:
            print(label, "->", name, e)


r6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
r6.bind(("::1", 0))
r6.settimeout(5)
P6 = r6.getsockname()[1]
r4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r4.bind(("127.0.0.1", 0))
r4.settimeout(5)
P4 = r4.getsockname()[1]
print("v6 receiver:", mask(r6.getsockname(), P6))
if sys.argv[1:] == ["v6only"]:
    print("IPV6_V6ONLY of a socket bound to ::1:", r6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
    attempt("set IPV6_V6ONLY 0 once bound", lambda: r6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0))

c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.settimeout(5)
print("IPV6_V6ONLY of a fresh socket:", c.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
print("sendto 2-tuple:", c.sendto(b"two", ("::1", P6)))
data, addr = r6.recvfrom(100)
CP = addr[1]
print("receiver got", data, "from", mask(addr, CP))
print("client bound to:", mask(c.getsockname(), CP))
r6.sendto(b"reply", addr)
data, addr = c.recvfrom(100)
print("client got", data, "from", mask(addr, P6))
print("sendto 4-tuple:", c.sendto(b"four", ("::1", P6, 0, 0)))
print("  got:", r6.recv(100))
print("sendto flowinfo 5:", c.sendto(b"flow", ("::1", P6, 5, 0)))
data, addr = r6.recvfrom(100)
print("  got:", data, "flowinfo seen:", addr[2])
attempt("sendto flowinfo 2**20", lambda: c.sendto(b"x", ("::1", P6, 2**20, 0)))
attempt("sendto a 5-tuple", lambda: c.sendto(b"x", ("::1", P6, 0, 0, 0)))
attempt("sendto a 1-tuple", lambda: c.sendto(b"x", ("::1",)))

print("mapped sendto:", c.sendto(b"to v4", ("::ffff:127.0.0.1", P4)))
data, addr = r4.recvfrom(100)
print("v4 receiver got", data, "from", addr[0])
r4.sendto(b"v4 reply", addr)
data, addr = c.recvfrom(100)
print("client got", data, "from", mask(addr, P4))
attempt("IPv4 literal on AF_INET6", lambda: c.sendto(b"x", ("127.0.0.1", P4)))
attempt("IPv6 literal on AF_INET", lambda: r4.sendto(b"x", ("::1", P6)))

buf = bytearray(8)
c.sendto(b"into a buffer", ("::1", P6))
n, addr = r6.recvfrom_into(buf)
print("recvfrom_into:", n, bytes(buf), mask(addr, CP))
c.sendto(b"abcdef", ("::1", P6))
n, addr = r6.recvfrom_into(memoryview(buf)[2:], 3)
print("recvfrom_into(view[2:], 3):", n, bytes(buf))

b6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
b6.bind(("::1", 0))
attempt("::1-bound socket to a mapped address", lambda: b6.sendto(b"x", ("::ffff:127.0.0.1", P4)))
if sys.argv[1:] == ["v6only"]:
    attempt("set IPV6_V6ONLY 0 after sendto()", lambda: c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0))
for s in (r6, r4, c, b6):
    s.close()
