# A line-based publish/subscribe broker on one selectors loop (the "message broker" exercise): non-blocking
# sockets, an input buffer per connection split into lines whatever recv() returns, an output buffer per
# connection flushed when EVENT_WRITE comes (registered only while bytes wait). Commands: SUB topic,
# UNSUB topic, PUB topic text (each subscriber but the sender gets "MSG topic text"; the sender gets
# "OK n"), TOPICS, QUIT, SHUTDOWN; anything else gets "ERR ...". A client that vanishes is unsubscribed.
# argv: port.
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()
topics = {}  # topic -> list of connections
running = True
stats = {'connections': 0, 'published': 0, 'delivered': 0}


def queue(conn, line):
    data = sel.get_key(conn).data
    data.outb += line.encode() + b'\n'
    sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)


def drop(conn):
    for subs in topics.values():
        if conn in subs:
            subs.remove(conn)
    sel.unregister(conn)
    conn.close()


def command(conn, line):
    global running
    words = line.split(' ', 2)
    cmd = words[0].upper()
    if cmd == 'SUB' and len(words) == 2:
        subs = topics.setdefault(words[1], [])
        if conn not in subs:
            subs.append(conn)
        queue(conn, 'OK subscribed {}'.format(words[1]))
    elif cmd == 'UNSUB' and len(words) == 2:
        subs = topics.get(words[1], [])
        if conn in subs:
            subs.remove(conn)
            queue(conn, 'OK unsubscribed {}'.format(words[1]))
        else:
            queue(conn, 'ERR not subscribed to {}'.format(words[1]))
    elif cmd == 'PUB' and len(words) == 3:
        n = 0
        for other in topics.get(words[1], []):
            if other is not conn:
                queue(other, 'MSG {} {}'.format(words[1], words[2]))
                n += 1
        stats['published'] += 1
        stats['delivered'] += n
        queue(conn, 'OK {}'.format(n))
    elif cmd == 'TOPICS' and len(words) == 1:
        names = sorted(t for t, subs in topics.items() if subs)
        queue(conn, 'TOPICS {}'.format(' '.join(names)) if names else 'TOPICS')
    elif cmd == 'QUIT':
        queue(conn, 'BYE')
        sel.get_key(conn).data.closing = True
    elif cmd == 'SHUTDOWN':
        running = False
    else:
        queue(conn, 'ERR bad command {!r}'.format(line))


def accept(sock):
    conn, addr = sock.accept()
    conn.setblocking(False)
    stats['connections'] += 1
    sel.register(conn, selectors.EVENT_READ, data=types.SimpleNamespace(inb=b'', outb=b'', closing=False))


def service(key, mask):
    conn = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        try:
            recv_data = conn.recv(4096)
        except ConnectionError:
            recv_data = b''
        if not recv_data:
            drop(conn)
            return
        data.inb += recv_data
        while b'\n' in data.inb:
            line, data.inb = data.inb.split(b'\n', 1)
            command(conn, line.decode().rstrip('\r'))
            if not running:
                return
    if mask & selectors.EVENT_WRITE and data.outb:
        sent = conn.send(data.outb)
        data.outb = data.outb[sent:]
        if not data.outb:
            if data.closing:
                drop(conn)
            else:
                sel.modify(conn, selectors.EVENT_READ, data=data)


lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen()
print('broker listening on port', lsock.getsockname()[1], flush=True)
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
while running:
    for key, mask in sel.select(timeout=None):
        if key.data is None:
            accept(key.fileobj)
        else:
            service(key, mask)
        if not running:
            break
for key in list(sel.get_map().values()):
    key.fileobj.close()
sel.close()
print('stats:', sorted(stats.items()))
