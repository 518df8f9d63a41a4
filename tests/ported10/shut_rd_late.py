# The smallest twin of finding P13-1: after shutdown(SHUT_RD) and a recv() that returned b'' (nothing was
# buffered), Linux still queues what the peer sends next, and recv()/recv_into()/MSG_PEEK/makefile read it,
# over TCP; select() reports the socket readable throughout. Also: bytes queued before the SHUT_RD (on TCP and a
# socketpair), a recv() blocked at the time of the SHUT_RD (it returns b'', the bytes come later), MSG_WAITALL,
# non-blocking and timed sockets (b'' at once, no error), poll()'s events, a selector, a megabyte sent late, then
# the peer's EOF. (A socketpair refuses the peer's sends after SHUT_RD, and SHUT_RDWR resets a TCP peer that sends:
# P13-2 and P12-1, left out here, see tests/fix19a_shut_rd_test.ts.)
import select
import selectors
import socket
import threading
import time


def pair(family=socket.AF_INET):
    if family == socket.AF_UNIX:
        return socket.socketpair()
    l = socket.create_server(("127.0.0.1", 0))
    c = socket.create_connection(l.getsockname())
    a, _ = l.accept()
    l.close()
    return c, a


def pause():
    time.sleep(0.05)


c, a = pair()
c.settimeout(5)
c.shutdown(socket.SHUT_RD)
print("recv after shutdown:", c.recv(100))
for i in range(3):
    a.sendall(b"late %d;" % i)
    pause()
print(" readable:", select.select([c], [], [], 0)[0] == [c])
print(" peek:", c.recv(6, socket.MSG_PEEK))
buf = bytearray(7)
print(" recv_into:", c.recv_into(buf), bytes(buf))
a.sendall(b"later")
pause()
print(" recv:", c.recv(100))
a.sendall(b"line\n")
pause()
f = c.makefile("rb")
print(" makefile readline:", f.readline())
f.close()
a.close()
pause()
print(" EOF:", c.recv(100))
c.close()

for family in (socket.AF_INET, socket.AF_UNIX):
    c, a = pair(family)
    a.sendall(b"queued before")
    pause()
    c.shutdown(socket.SHUT_RD)
    print(family.name, "queued before SHUT_RD:", c.recv(100), c.recv(100))
    a.close()
    c.close()

for size in (100, 1 << 20):
    c, a = pair()
    got = []
    t = threading.Thread(target=lambda: got.append(c.recv(size)))
    t.start()
    pause()
    c.shutdown(socket.SHUT_RD)
    t.join(5)
    print("blocked recv(%d) at SHUT_RD:" % size, got)
    a.sendall(b"after the wake-up")
    pause()
    print(" then:", c.recv(100))
    a.close()
    c.close()

c, a = pair()
c.settimeout(5)
c.shutdown(socket.SHUT_RD)
a.sendall(b"part")
pause()
print("MSG_WAITALL after SHUT_RD:", c.recv(100, socket.MSG_WAITALL), c.recv(100, socket.MSG_WAITALL))
c.setblocking(False)
print(" non-blocking, empty:", c.recv(100))
a.sendall(b"nb")
pause()
print(" non-blocking:", c.recv(100), c.recv(100, socket.MSG_DONTWAIT))
c.settimeout(0.5)
t0 = time.monotonic()
print(" timed, empty:", c.recv(100), time.monotonic() - t0 < 0.25)
p = select.poll()
p.register(c, select.POLLIN | select.POLLRDHUP | select.POLLOUT)
print(" poll:", [ev for _, ev in p.poll(0)])
a.sendall(b"x")
pause()
print(" poll with a byte:", [ev for _, ev in p.poll(0)])
with selectors.DefaultSelector() as sel:
    sel.register(c, selectors.EVENT_READ)
    print(" selector:", [(k.fileobj is c, ev) for k, ev in sel.select(0)])
print(" recv:", c.recv(100))
a.close()
c.close()

c, a = pair()
c.settimeout(5)
c.shutdown(socket.SHUT_RD)
data = bytes(range(256)) * 4096
t = threading.Thread(target=a.sendall, args=(data,))
t.start()
got = bytearray()
for _ in range(2000):  # recv() returns b'' whenever the queue is empty: wait a little and read again
    d = c.recv(65536)
    if not d:
        time.sleep(0.005)
    got += d
    if len(got) >= len(data):
        break
t.join(5)
print("a megabyte sent late:", got == data)
a.close()
pause()
print(" then the peer's EOF:", c.recv(100))
c.close()
