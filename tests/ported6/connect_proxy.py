# An HTTP CONNECT proxy (RFC 9110 9.3.6) on a selectors loop relaying both ways with half-closes passed on,
# and clients that tunnel TLS through it: CONNECT, read the proxy's reply with makefile-free recv until the
# blank line, then wrap_socket() the same connection with server_hostname and talk HTTP/1.1 to a TLS server
# (a thread). Also: a CONNECT to a closed port (502), a non-CONNECT request (405), a bad target (400), two
# tunnels at once; each client's close is passed on through the relay as a half-close to the origin, whose
# close comes back the same way.
import selectors
import socket
import ssl
import sys
import threading

certs = sys.argv[1]
log = []

# ---- the TLS origin server ----
server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx.load_cert_chain(certs + '/server.pem', certs + '/server.key')
origin = socket.socket()
origin.bind(('127.0.0.1', 0))
origin.listen(5)
ORIGIN_PORT = origin.getsockname()[1]


def origin_client(conn):
    with server_ctx.wrap_socket(conn, server_side=True) as s:
        f = s.makefile('rb')
        while True:
            line = f.readline()
            if not line:
                break
            headers = []
            while True:
                h = f.readline()
                if h in (b'\r\n', b''):
                    break
                headers.append(h)
            body = ('you asked for %s over %s\n' % (line.split()[1].decode(), s.version())).encode()
            s.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s' % (len(body), body))
        f.close()


def origin_loop(n):
    threads = []
    for _ in range(n):
        conn, _ = origin.accept()
        t = threading.Thread(target=origin_client, args=(conn,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


# ---- the proxy ----
proxy = socket.socket()
proxy.bind(('127.0.0.1', 0))
proxy.listen(5)
proxy.setblocking(False)
PROXY = proxy.getsockname()
sel = selectors.DefaultSelector()


live = set()


class Conn:
    def __init__(self, sock, head):
        self.sock = sock
        self.head = head  # the CONNECT request while it is read, then None
        self.peer = None
        self.out = b''
        self.read_done = False
        self.shut_pending = False  # the peer's EOF, passed on once out is sent
        self.write_done = False
        self.registered = False
        live.add(self)


def close(c):
    if c.registered:
        sel.unregister(c.sock)
        c.registered = False
    c.sock.close()
    live.discard(c)


def update(c):
    if c not in live:
        return
    if c.read_done and c.write_done:
        return close(c)
    mask = (0 if c.read_done else selectors.EVENT_READ) | (
        selectors.EVENT_WRITE if c.out or c.shut_pending else 0)
    if mask and c.registered:
        sel.modify(c.sock, mask, c)
    elif mask:
        sel.register(c.sock, mask, c)
        c.registered = True
    elif c.registered:
        sel.unregister(c.sock)
        c.registered = False


def reply_and_close(c, status):
    c.sock.setblocking(True)
    c.sock.sendall(b'HTTP/1.1 ' + status + b'\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    close(c)


def on_head(c):
    line = c.head.split(b'\r\n', 1)[0]
    parts = line.split()
    if len(parts) != 3 or parts[0] != b'CONNECT':
        log.append('refused %r' % parts[:1])
        return reply_and_close(c, b'405 Method Not Allowed')
    host, _, port = parts[1].rpartition(b':')
    if not port.isdigit() or host not in (b'localhost', b'127.0.0.1'):
        log.append('bad target %r' % parts[1])
        return reply_and_close(c, b'400 Bad Request')
    try:
        up = socket.create_connection((host.decode(), int(port)), timeout=5)
    except OSError as e:
        log.append('upstream failed: %s' % e.strerror)
        return reply_and_close(c, b'502 Bad Gateway')
    log.append('tunnel to %s' % ('the origin' if int(port) == ORIGIN_PORT else 'elsewhere'))
    up.setblocking(False)
    u = Conn(up, None)
    u.peer, c.peer = c, u
    c.out = b'HTTP/1.1 200 Connection established\r\n\r\n'
    u.out = c.head.split(b'\r\n\r\n', 1)[1]
    c.head = None
    update(c)
    update(u)


def pump(c, mask):
    if mask & selectors.EVENT_READ:
        data = c.sock.recv(65536)
        if c.head is not None:  # still reading the CONNECT request
            if not data:
                return close(c)
            c.head += data
            if b'\r\n\r\n' in c.head:
                on_head(c)
            return
        if data:
            c.peer.out += data
        else:
            c.read_done = True
            c.peer.shut_pending = True
        update(c.peer)
    if mask & selectors.EVENT_WRITE and c.out:
        n = c.sock.send(c.out)
        c.out = c.out[n:]
    if not c.out and c.shut_pending:
        c.shut_pending = False
        c.sock.shutdown(socket.SHUT_WR)
        c.write_done = True
    update(c)


def proxy_loop(tunnels):
    sel.register(proxy, selectors.EVENT_READ, None)
    served = 0
    while served < tunnels or live:
        for key, mask in sel.select(timeout=10):
            if key.data is None:
                conn, _ = proxy.accept()
                conn.setblocking(False)
                update(Conn(conn, b''))
                served += 1
            elif key.data in live:
                try:
                    pump(key.data, mask)
                except OSError:  # a reset: the tunnel is over both ways
                    for c in (key.data, key.data.peer):
                        if c is not None and c in live:
                            close(c)
    sel.unregister(proxy)
    proxy.close()


# ---- the clients ----
client_ctx = ssl.create_default_context(cafile=certs + '/ca.pem')


def tunnel(target):
    s = socket.create_connection(PROXY)
    s.sendall(b'CONNECT ' + target + b' HTTP/1.1\r\nHost: ' + target + b'\r\n\r\n')
    head = b''
    while b'\r\n\r\n' not in head:
        data = s.recv(1)  # byte by byte: nothing of the tunnel is read before wrap_socket
        if not data:
            break
        head += data
    return s, head.split(b'\r\n')[0]


def https_get(s, paths):
    with client_ctx.wrap_socket(s, server_hostname='localhost') as t:
        out = [t.version(), t.getpeercert()['subject'][0][0][1]]
        f = t.makefile('rb')
        for path in paths:
            t.sendall(b'GET ' + path + b' HTTP/1.1\r\nHost: localhost\r\n\r\n')
            status = f.readline()
            length = 0
            while True:
                h = f.readline()
                if h == b'\r\n':
                    break
                if h.lower().startswith(b'content-length:'):
                    length = int(h.split(b':')[1])
            out.append((status.strip(), f.read(length)))
        f.close()
        return out


proxy_thread = threading.Thread(target=proxy_loop, args=(6,))
proxy_thread.start()
origin_thread = threading.Thread(target=origin_loop, args=(3,))
origin_thread.start()

target = b'localhost:%d' % ORIGIN_PORT
s, status = tunnel(target)
print('CONNECT ->', status)
for item in https_get(s, [b'/one', b'/two']):
    print('  ', item)

closed = socket.socket()
closed.bind(('127.0.0.1', 0))
closed_target = b'127.0.0.1:%d' % closed.getsockname()[1]
closed.close()
for label, tgt in [('a closed port', closed_target), ('a bad target', b'example.org:443')]:
    s, status = tunnel(tgt)
    print(label, '->', status, s.recv(100))
    s.close()
s = socket.create_connection(PROXY)
s.sendall(b'GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n')
print('GET to the proxy ->', s.recv(1024).split(b'\r\n')[0], s.recv(100))
s.close()

results = {}


def both(name):
    s, status = tunnel(target)
    results[name] = (status, https_get(s, [b'/' + name.encode()] * 3))


threads = [threading.Thread(target=both, args=(n,)) for n in ('left', 'right')]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name in sorted(results):
    print(name, results[name][0], results[name][1][2:])
proxy_thread.join()
origin_thread.join()
origin.close()
print('proxy log:', sorted(log))
