# A non-blocking TLS client, as the ssl docs' "Notes on non-blocking sockets" describe: connect_ex and
# select() for writability, wrap_socket(do_handshake_on_connect=False), do_handshake() retried on
# SSLWantReadError/SSLWantWriteError with select(), then recv() retried the same way.
# argv: port, CA file (the server's self-signed certificate).
import select
import selectors
import socket
import ssl
import sys

ctx = ssl.create_default_context(cafile=sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setblocking(False)
print('connect_ex', sock.connect_ex(('127.0.0.1', int(sys.argv[1]))) in (0, 115))
select.select([], [sock], [], 5)
tls = ctx.wrap_socket(sock, server_hostname='localhost', do_handshake_on_connect=False)
print('before handshake: version', tls.version(), 'cipher', tls.cipher())
timeouts = 0
for _ in range(1000):
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        r, w, x = select.select([tls], [], [], 2)
        timeouts += not r
    except ssl.SSLWantWriteError:
        r, w, x = select.select([], [tls], [], 2)
        timeouts += not w
print('handshake done', tls.version(), 'select() timed out', timeouts, 'times')
print('peer', dict(x[0] for x in tls.getpeercert()['subject'])['commonName'])


def recv_some(n):
    global timeouts
    for _ in range(1000):
        try:
            return tls.recv(n)
        except ssl.SSLWantReadError:
            r, w, x = select.select([tls], [], [], 2)
            timeouts += not r
        except ssl.SSLWantWriteError:
            r, w, x = select.select([], [tls], [], 2)
            timeouts += not w
    raise RuntimeError('no data')


try:
    tls.recv(10)
except ssl.SSLWantReadError as e:
    print('nothing yet:', type(e).__name__, e.errno, isinstance(e, ssl.SSLError), isinstance(e, OSError))
for msg in [b'hello\n', b'x' * 100000 + b'\n', b'bye\n']:
    view = memoryview(msg)
    while view:
        try:
            sent = tls.send(view)
            view = view[sent:]
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
            select.select([], [tls], [], 5)
    reply = b''
    while not reply.endswith(b'\n'):
        chunk = recv_some(65536)
        if not chunk:
            break
        reply += chunk
    print('reply', len(reply), reply[:20])
while True:
    data = recv_some(100)
    if not data:
        break
    print('extra', data)
print('pending at EOF', tls.pending(), 'select() timeouts in all', timeouts)
tls.close()

# The same with a selector: registered for the connect, modified after wrapping.
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setblocking(False)
sock.connect_ex(('127.0.0.1', int(sys.argv[1])))
sel = selectors.DefaultSelector()
sel.register(sock, selectors.EVENT_WRITE)
print('connected', [mask for key, mask in sel.select(5)])
tls = ctx.wrap_socket(sock, server_hostname='localhost', do_handshake_on_connect=False)
sel.modify(tls, selectors.EVENT_READ)
timeouts = 0
for _ in range(1000):
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        timeouts += not sel.select(2)
print('selector: handshake done', tls.version(), 'select() timed out', timeouts, 'times')
tls.send(b'bye\n')
for _ in range(1000):
    try:
        print('selector: reply', tls.recv(100))
        break
    except ssl.SSLWantReadError:
        timeouts += not sel.select(2)
print('selector: timeouts in all', timeouts)
sel.close()
tls.close()
