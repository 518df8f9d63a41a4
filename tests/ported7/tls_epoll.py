# Scot Doyle's level-triggered epoll HTTP server made HTTPS, as the ssl docs' "Notes on non-blocking sockets"
# say to: accepted sockets non-blocking and wrapped with do_handshake_on_connect=False, do_handshake() driven
# by epoll (SSLWantReadError -> EPOLLIN, SSLWantWriteError -> EPOLLOUT), recv() drained until
# SSLWantReadError (records the TLS layer already holds are never waited for), the response sent with send()
# as room comes, then close(). Clients (threads): three in a row, a request in two pieces, a request with a
# 40 KB body (several TLS records), three at once, and a plain-text client whose handshake fails. The server
# logs per connection; lines print sorted after the clients'. argv: the certificate directory.
import os
import select
import socket
import ssl
import sys
import threading
import time

certs = sys.argv[1]
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(os.path.join(certs, 'server.pem'), os.path.join(certs, 'server.key'))
cctx = ssl.create_default_context(cafile=os.path.join(certs, 'ca.pem'))

EOL = b'\r\n\r\n'
log = []


def response_for(request):
    head, _, body = request.partition(EOL)
    first = head.split(b'\r\n')[0].decode()
    text = '{} ({} body bytes, sum {})'.format(first, len(body), sum(body) % 65536)
    payload = (text + '\n').encode() * 100
    return (b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % len(payload)) + payload


def serve(listener, count):
    epoll = select.epoll()
    epoll.register(listener.fileno(), select.EPOLLIN)
    conns, states, requests, responses, names = {}, {}, {}, {}, {}
    done = 0
    while done < count:
        for fileno, event in epoll.poll(5):
            if fileno == listener.fileno():
                conn, _ = listener.accept()
                conn.setblocking(False)
                tls = sctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
                conns[tls.fileno()] = tls
                states[tls.fileno()] = 'handshake'
                requests[tls.fileno()] = b''
                epoll.register(tls.fileno(), select.EPOLLIN)
                continue
            tls = conns[fileno]
            if states[fileno] == 'handshake':
                try:
                    tls.do_handshake()
                except ssl.SSLWantReadError:
                    epoll.modify(fileno, select.EPOLLIN)
                    continue
                except ssl.SSLWantWriteError:
                    epoll.modify(fileno, select.EPOLLOUT)
                    continue
                except (ssl.SSLError, OSError) as e:
                    log.append('handshake failed: {}'.format(getattr(e, 'reason', None) or type(e).__name__))
                    epoll.unregister(fileno)
                    tls.close()
                    del conns[fileno]
                    done += 1
                    continue
                states[fileno] = 'read'
                epoll.modify(fileno, select.EPOLLIN)
            if states[fileno] == 'read' and event & select.EPOLLIN:
                try:
                    while True:
                        data = tls.recv(1024)
                        if not data:
                            break
                        requests[fileno] += data
                except ssl.SSLWantReadError:
                    pass
                req = requests[fileno]
                head, sep, body = req.partition(EOL)
                if sep:
                    length = 0
                    for line in head.split(b'\r\n')[1:]:
                        k, _, v = line.partition(b':')
                        if k.strip().lower() == b'content-length':
                            length = int(v)
                    if len(body) >= length:
                        names[fileno] = head.split(b'\r\n')[0].decode()
                        log.append('{}: {} body bytes, {}'.format(names[fileno], len(body), tls.version()))
                        responses[fileno] = response_for(req)
                        states[fileno] = 'write'
                        epoll.modify(fileno, select.EPOLLOUT)
            elif states[fileno] == 'write' and event & select.EPOLLOUT:
                try:
                    while responses[fileno]:
                        sent = tls.send(responses[fileno])
                        responses[fileno] = responses[fileno][sent:]
                except ssl.SSLWantWriteError:
                    continue
                epoll.unregister(fileno)
                tls.close()
                del conns[fileno]
                done += 1
    epoll.close()
    listener.close()


def client(port, path, pieces=None, body=b''):
    s = cctx.wrap_socket(socket.create_connection(('127.0.0.1', port)), server_hostname='localhost')
    request = 'POST {} HTTP/1.0\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n'.format(path, len(body)).encode()
    request += body
    if pieces:
        s.sendall(request[:pieces])
        time.sleep(0.2)
        s.sendall(request[pieces:])
    else:
        s.sendall(request)
    chunks = []
    while True:
        data = s.recv(4096)
        if not data:
            break
        chunks.append(data)
    s.close()
    reply = b''.join(chunks)
    head, _, payload = reply.partition(EOL)
    lines = payload.split(b'\n')
    return '{}: {} {} lines, first {!r}'.format(path, head.split(b'\r\n')[0].decode(), len(lines) - 1, lines[0])


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(('127.0.0.1', 0))
listener.listen(8)
listener.setblocking(False)
port = listener.getsockname()[1]
t = threading.Thread(target=serve, args=(listener, 9))
t.start()
for i in range(3):
    print(client(port, '/one/{}'.format(i)))
print(client(port, '/pieces', pieces=20))
print(client(port, '/big', body=bytes(range(256)) * 160))
out = {}
threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, client(port, '/many/{}'.format(i)))) for i in range(3)]
for th in threads:
    th.start()
for th in threads:
    th.join(30)
for i in sorted(out):
    print(out[i])
plain = socket.create_connection(('127.0.0.1', port))
plain.sendall(b'GET / HTTP/1.0\r\n\r\n')
try:
    plain.recv(1024)  # an alert, or a reset (the server closes with the request unread)
except ConnectionResetError:
    pass
print('plain client done')
plain.close()
t.join(30)
for line in sorted(log):
    print(line)
