# The smallest twin of finding P13-3: on a socketpair() (AF_UNIX), what send()/sendall() has taken is in the
# peer's receive queue when the call returns, so the peer's select(..., 0) reports it readable and a recv with
# MSG_DONTWAIT (or on a non-blocking socket) gets every byte at once. The self-pipe trick and drain-until-
# BlockingIOError loops rely on it. 300 messages per way of sending; the misses are counted.
import select
import socket

a, b = socket.socketpair()
b.setblocking(False)
for mode in ("blocking send", "blocking sendall", "timed send", "non-blocking send"):
    a.settimeout({"blocking send": None, "blocking sendall": None, "timed send": 5, "non-blocking send": 0}[mode])
    unreadable = missing = 0
    for i in range(300):
        msg = b"%03d" % i * 30
        if mode == "blocking sendall":
            a.sendall(msg)
        else:
            assert a.send(msg) == len(msg)
        if select.select([b], [], [], 0)[0] != [b]:
            unreadable += 1
        got = b""
        try:
            got = b.recv(1000, socket.MSG_DONTWAIT)
        except BlockingIOError:
            pass
        if got != msg:
            missing += 1
            b.settimeout(5)
            got += b.recv(len(msg) - len(got), socket.MSG_WAITALL)  # catch up, so the next round starts clean
            b.setblocking(False)
    print(mode, "- not readable at once:", unreadable, "short reads:", missing)
a.close()
b.close()
