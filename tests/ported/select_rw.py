# select() and a selector asked for reading and writing at once, right after the peer sent (the bytes are
# already in the kernel on loopback): both readiness kinds are reported together, on a socketpair and on TCP.
import select
import selectors
import socket

a, b = socket.socketpair()
srv = socket.create_server(('127.0.0.1', 0))
c = socket.create_connection(srv.getsockname())
conn, _ = srv.accept()
for name, (x, y) in [('socketpair', (a, b)), ('tcp', (c, conn))]:
    for i in range(3):
        x.sendall(b'ping %d' % i)
        r, w, e = select.select([y], [y], [], 5)
        print(name, i, 'select: readable', y in r, 'writable', y in w)
        print(name, i, 'recv', y.recv(100))
    sel = selectors.DefaultSelector()
    sel.register(y, selectors.EVENT_READ | selectors.EVENT_WRITE)
    for i in range(3):
        x.sendall(b'pong %d' % i)
        events = sel.select(5)
        print(name, i, 'selector mask', [mask for key, mask in events])
        print(name, i, 'recv', y.recv(100))
    sel.close()
for s in (a, b, c, conn, srv):
    s.close()
