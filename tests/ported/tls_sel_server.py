# A non-blocking TLS server on selectors: accepted sockets are wrapped with do_handshake_on_connect=False,
# the handshake is driven by the selector (SSLWantReadError/SSLWantWriteError), and reads are drained until
# SSLWantReadError. Same line protocol as tls_nb_server (length and first bytes of each line; closes after
# "bye"); serves two clients. argv: port, certificate, key.
import selectors
import socket
import ssl
import sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
sel = selectors.DefaultSelector()
lsock = socket.create_server(('127.0.0.1', int(sys.argv[1])))
print('listening on', lsock.getsockname())
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, None)
served = 0


def close(tls):
    global served
    sel.unregister(tls)
    tls.close()
    served += 1


def service(tls, st):
    if not st['handshake']:
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            sel.modify(tls, selectors.EVENT_READ, st)
            return
        except ssl.SSLWantWriteError:
            sel.modify(tls, selectors.EVENT_WRITE, st)
            return
        st['handshake'] = True
        sel.modify(tls, selectors.EVENT_READ, st)
        print('handshake', tls.version())
    while True:
        try:
            data = tls.recv(65536)
        except ssl.SSLWantReadError:
            return
        if not data:
            print('client closed')
            close(tls)
            return
        st['buf'] += data
        while b'\n' in st['buf']:
            line, st['buf'] = st['buf'].split(b'\n', 1)
            tls.setblocking(True)  # replies are small: send them whole
            tls.sendall(b'%d:%s\n' % (len(line) + 1, line[:10].rstrip()))
            tls.setblocking(False)
            if line == b'bye':
                print('bye after', st['lines'], 'lines')
                close(tls)
                return
            st['lines'] += 1


for _ in range(100000):
    if served == 2:
        break
    events = sel.select(10)
    if not events:
        print('idle: giving up')
        break
    for key, mask in events:
        if key.data is None:
            conn, addr = lsock.accept()
            conn.setblocking(False)
            tls = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
            sel.register(tls, selectors.EVENT_READ, {'handshake': False, 'buf': b'', 'lines': 0})
        else:
            service(key.fileobj, key.data)
sel.close()
lsock.close()
print('done')
