# The smallest twin of finding P13-1: after shutdown(SHUT_RD) (or SHUT_RDWR) and a recv() that returned b'' (nothing was
# buffered), Linux still queues what the peer sends next, and recv()/recv_into()/MSG_PEEK/makefile read it,
# over TCP; select() reports the socket readable throughout. On AF_UNIX (a socketpair) Linux refuses the peer's
# send instead (EPIPE; finding P13-2).
import select
import socket
import time


def pair(family):
    if family == socket.AF_UNIX:
        return socket.socketpair()
    l = socket.create_server(("127.0.0.1", 0))
    c = socket.create_connection(l.getsockname())
    a, _ = l.accept()
    l.close()
    return c, a


for family, how in ((socket.AF_INET, socket.SHUT_RD), (socket.AF_INET, socket.SHUT_RDWR),
                    (socket.AF_UNIX, socket.SHUT_RD)):
    c, a = pair(family)
    c.settimeout(5)
    c.shutdown(how)
    print(family.name, how, "recv after shutdown:", c.recv(100))
    try:
        for i in range(3):
            a.sendall(b"late %d;" % i)
            time.sleep(0.05)
    except BrokenPipeError as e:
        print(" the peer's send:", type(e).__name__, e)
        a.close()
        c.close()
        continue
    print(" readable:", select.select([c], [], [], 0)[0] == [c])
    print(" peek:", c.recv(6, socket.MSG_PEEK))
    buf = bytearray(7)
    print(" recv_into:", c.recv_into(buf), bytes(buf))
    a.sendall(b"later")
    time.sleep(0.05)
    print(" recv:", c.recv(100))
    a.sendall(b"line\n")
    time.sleep(0.05)
    f = c.makefile("rb")
    print(" makefile readline:", f.readline())
    f.close()
    a.close()
    time.sleep(0.05)
    print(" EOF:", c.recv(100))
    c.close()
