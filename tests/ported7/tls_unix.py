# TLS over transports other than TCP, as IPC programs use it: a Unix domain stream listener whose accepted
# connections are wrapped server-side (an upper-casing line service over makefile('rwb')), a client wrapping
# its AF_UNIX socket with server_hostname; then the two ends of socket.socketpair() wrapped one as server, one
# as client (the ssl test suite's trick); with 'untrusted' as the second argument, also a client that does not
# trust the server's CA, over AF_UNIX. Each server side runs in a thread and keeps its lines, printed after the
# client's. argv: the certificate directory (ca.pem, server.pem/.key, other.pem), then 'untrusted' or nothing.
import os
import socket
import ssl
import sys
import tempfile
import threading

certs = sys.argv[1]
UNTRUSTED = sys.argv[2:] == ['untrusted']
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
sctx.load_cert_chain(os.path.join(certs, 'server.pem'), os.path.join(certs, 'server.key'))
cctx = ssl.create_default_context(cafile=os.path.join(certs, 'ca.pem'))
server_lines = []


def upper_service(tls, label):
    f = tls.makefile('rwb')
    for line in f:
        if line.strip() == b'bye':
            f.write(b'BYE\n')
            f.flush()
            break
        f.write(line.upper())
        f.flush()
    f.close()
    server_lines.append('{}: served, {} family {}'.format(label, tls.version(), tls.family.name))
    tls.close()


def talk(tls, label):
    print(label, 'version:', tls.version(), 'family:', tls.family.name, 'type:', tls.type.name)
    print(label, 'server subject CN:', dict(x[0] for x in tls.getpeercert()['subject'])['commonName'])
    f = tls.makefile('rwb')
    for text in [b'hello over tls\n', b'second line\n', b'bye\n']:
        f.write(text)
        f.flush()
        print(label, 'got', f.readline())
    f.close()
    tls.close()


# 1: a Unix domain listener
d = tempfile.mkdtemp()
path = os.path.join(d, 'tls.sock')
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen()


def serve_unix(count):
    for i in range(count):
        conn, addr = srv.accept()
        try:
            tls = sctx.wrap_socket(conn, server_side=True)
        except ssl.SSLError as e:
            server_lines.append('unix {}: handshake failed: {}'.format(i, e.reason))
            conn.close()
            continue
        upper_service(tls, 'unix {} (peer {!r})'.format(i, addr))


t = threading.Thread(target=serve_unix, args=(2 if UNTRUSTED else 1,))
t.start()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
tls = cctx.wrap_socket(s, server_hostname='localhost')
print('unix: peer', tls.getpeername() == path, 'own name', repr(tls.getsockname()))
talk(tls, 'unix')

# 3: a client that does not trust the CA
if UNTRUSTED:
    other = ssl.create_default_context(cafile=os.path.join(certs, 'other.pem'))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    try:
        other.wrap_socket(s, server_hostname='localhost')
    except ssl.SSLCertVerificationError as e:
        print('untrusting client:', e.reason, e.verify_message)
    s.close()
t.join(30)
srv.close()
os.unlink(path)

# 2: socketpair()
a, b = socket.socketpair()
t = threading.Thread(target=lambda: upper_service(sctx.wrap_socket(b, server_side=True), 'socketpair'))
t.start()
tls = cctx.wrap_socket(a, server_hostname='localhost')
talk(tls, 'socketpair')
t.join(30)

for line in server_lines:
    print(line)
