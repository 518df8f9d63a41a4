# What connect() on a UDP socket changes, as "UDP connect() explained" posts show it: a connected socket receives
# only from its peer (a stranger's datagram sent after connect() is dropped by the kernel, and the stranger's
# sendto() still succeeds), but a datagram that was already queued before connect() is still delivered; recvfrom()
# then reports the stranger's address. send() goes to the peer; sendto() with another address is still allowed
# on Linux (the stranger gets it); getpeername() works (ENOTCONN before). Connecting again to another peer switches the filter. Addresses are
# printed by role (peer, stranger, peer2).
import errno
import socket


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    return s


me, peer, stranger, peer2 = udp(), udp(), udp(), udp()
roles = {peer.getsockname(): "peer", stranger.getsockname(): "stranger", peer2.getsockname(): "peer2"}


def who(addr):
    return roles.get(addr, "?")


def drain(label):
    got = []
    me.settimeout(0.3)
    while True:
        try:
            data, addr = me.recvfrom(100)
        except TimeoutError:
            break
        got.append(f"{data.decode()} from {who(addr)}")
    me.settimeout(2)
    print(label, got)


try:
    me.getpeername()
except OSError as e:
    print("getpeername before connect:", errno.errorcode[e.errno])
stranger.sendto(b"early stranger", me.getsockname())
peer.sendto(b"early peer", me.getsockname())
# Wait until both are queued (a receive with MSG_PEEK sees the first).
print("peeked:", me.recvfrom(100, socket.MSG_PEEK)[0])
me.connect(peer.getsockname())
print("connected to", who(me.getpeername()))
stranger.sendto(b"late stranger", me.getsockname())
print("stranger's sendto after connect returned normally")
peer.sendto(b"late peer", me.getsockname())
drain("after connect:")
print("send:", me.send(b"to peer"))
print("peer got:", peer.recv(100))
try:
    print("sendto a stranger:", me.sendto(b"x", stranger.getsockname()))
    data, addr = stranger.recvfrom(100)
    print("stranger got:", data, "from me:", addr == me.getsockname())
except OSError as e:
    print("sendto a stranger:", type(e).__name__, errno.errorcode[e.errno])
print("sendto the peer itself:", me.sendto(b"again", peer.getsockname()))
print("peer got:", peer.recv(100))
me.connect(peer2.getsockname())
print("reconnected to", who(me.getpeername()))
peer.sendto(b"old peer", me.getsockname())
peer2.sendto(b"new peer", me.getsockname())
drain("after reconnect:")
me.send(b"hello peer2")
print("peer2 got:", peer2.recv(100))
for s in (me, peer, stranger, peer2):
    s.close()
