# A TLS line service and file upload over one connection (the ssl docs' server side, by hand): the server wraps
# with do_handshake_on_connect=False and calls do_handshake() under a timeout, reads lines through
# makefile('rb') on the SSLSocket and answers through makefile('wb') with flush(); the client verifies the
# server against a private CA, talks through makefile('rwb'), uploads a file with SSLSocket.sendfile() (which
# falls back to send() over TLS), reads the digest back with recv_into(), and both close with close_notify.
import hashlib
import os
import socket
import ssl
import sys
import tempfile
import threading

certs = sys.argv[1]
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(certs + '/server.pem', certs + '/server.key')
client_ctx = ssl.create_default_context(cafile=certs + '/ca.pem')
listener = socket.create_server(('127.0.0.1', 0))
port = listener.getsockname()[1]


def server():
    raw, _ = listener.accept()
    raw.settimeout(10)
    tls = server_ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
    print('server: before handshake, version', tls.version())
    tls.do_handshake()
    print('server: after handshake', tls.version() is not None, tls.server_side, tls.server_hostname)
    rf = tls.makefile('rb')
    wf = tls.makefile('wb')
    while True:
        line = rf.readline()
        if not line:
            break
        if line.startswith(b'UPLOAD '):
            n = int(line.split()[1])
            data = rf.read(n)
            print('server: upload of', len(data), 'bytes')
            wf.write(hashlib.sha256(data).digest())
            wf.flush()
        else:
            wf.write(b'echo: ' + line)
            wf.write(b'pending ' if line.startswith(b'hold') else b'')
            wf.flush()
    rf.close()
    wf.close()
    print('server: client closed; pending', tls.pending())
    tls.close()


t = threading.Thread(target=server)
t.start()
fd, path = tempfile.mkstemp()
with os.fdopen(fd, 'wb') as f:
    f.write(bytes(range(256)) * 1000 + b'tail')
with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:
    with client_ctx.wrap_socket(raw, server_hostname='localhost') as tls:
        f = tls.makefile('rwb')
        for line in [b'hello\n', b'hold on\n', b'\n', b'x' * 5000 + b'\n']:
            f.write(line)
            f.flush()
            reply = f.readline()
            if line == b'hello\n':
                print('client:', tls.version() in ('TLSv1.2', 'TLSv1.3'), tls.getpeercert()['subject'][0])
            print('client:', len(line), '->', len(reply), reply[:20])
        f.write(b'UPLOAD %d\n' % os.path.getsize(path))
        f.flush()
        with open(path, 'rb') as src:
            sent = tls.sendfile(src)
            position = src.tell()
        digest = bytearray(32)
        view = memoryview(digest)
        got = 0
        while got < 32:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
        print('client: sendfile sent', sent, 'position', position)
        with open(path, 'rb') as src:
            print('client: digest matches', bytes(digest) == hashlib.sha256(src.read()).digest(), got)
        f.close()
t.join(10)
os.remove(path)
listener.close()
