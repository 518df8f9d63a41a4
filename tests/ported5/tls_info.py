# Foundations of Python Network Programming, 3rd ed., chapter 6: safe_tls.py's contexts and test_tls.py's
# describe() on loopback against a local CA: the protocol version, the cipher tuple, compression, the peer
# certificate's subject, issuer and names, for TLS 1.3 and for a client capped at TLS 1.2, with and without a
# client certificate (CERT_REQUIRED, CERT_OPTIONAL). argv: the certificate directory (ca, server, client).
import socket
import ssl
import sys
import threading

D = sys.argv[1]


def create_ssl_context(client, cafile=None, certfile=None, keyfile=None, verify_client=None):
    purpose = ssl.Purpose.SERVER_AUTH if client else ssl.Purpose.CLIENT_AUTH
    context = ssl.create_default_context(purpose, cafile=cafile)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if verify_client is not None:
        context.verify_mode = verify_client
    return context


def describe(ssl_sock, hostname, server=False):
    cert = ssl_sock.getpeercert()
    if cert is None:
        print('  Peer certificate: none')
    else:
        print('  Peer certificate:')
        for field in 'subject', 'issuer':
            print('   ', field.ljust(8), ', '.join('%s=%s' % kv for rdn in cert.get(field, ()) for kv in rdn))
        names = cert.get('subjectAltName', ())
        print('    names   ', ', '.join('%s:%s' % n for n in names) or '(none)')
        print('    version ', cert.get('version'), 'serial length', len(cert.get('serialNumber', '')))
        if not server and names:
            print('    matches', repr(hostname), '->', any(v == hostname for k, v in names))
    print('  Cipher chosen for this connection...', ssl_sock.cipher()[0])
    print('  Cipher defined in TLS version.......', ssl_sock.cipher()[1])
    print('  Cipher key has this many bits.......', ssl_sock.cipher()[2])
    print('  Compression algorithm in use........', ssl_sock.compression())
    print('  Protocol version....................', ssl_sock.version())
    print('  Server side.........................', ssl_sock.server_side)


results = {}


def server(listener, context, n):
    for i in range(n):
        raw, address = listener.accept()
        try:
            ssl_sock = context.wrap_socket(raw, server_side=True)
        except ssl.SSLError as e:
            results[i] = ('server handshake failed', type(e).__name__)
            raw.close()
            continue
        results[i] = (ssl_sock.version(), ssl_sock.getpeercert() is not None,
                      ssl_sock.getpeercert()['subject'] if ssl_sock.getpeercert() else None)
        ssl_sock.sendall(b'Beautiful is better than ugly.')
        ssl_sock.recv(1)
        ssl_sock.close()


def run(title, server_ctx, client_ctx, hostname='localhost'):
    print(title)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    t = threading.Thread(target=server, args=(listener, server_ctx, 1))
    t.start()
    raw_sock = socket.create_connection(listener.getsockname())
    try:
        ssl_sock = client_ctx.wrap_socket(raw_sock, server_hostname=hostname)
    except ssl.SSLError as e:
        print('  client handshake failed:', type(e).__name__)
        raw_sock.close()
    else:
        describe(ssl_sock, hostname)
        print('  server says', ssl_sock.recv(1024))
        ssl_sock.sendall(b'.')
        ssl_sock.close()
    t.join()
    listener.close()
    print('  server saw', results.pop(0))


server_ctx = create_ssl_context(False, certfile=D + '/server.pem', keyfile=D + '/server.key')
client_ctx = create_ssl_context(True, cafile=D + '/ca.pem')
run('TLS 1.3, server authenticated', server_ctx, client_ctx)

capped = create_ssl_context(True, cafile=D + '/ca.pem')
capped.maximum_version = ssl.TLSVersion.TLSv1_2
run('client capped at TLS 1.2', server_ctx, capped)

mutual = create_ssl_context(False, cafile=D + '/ca.pem', certfile=D + '/server.pem', keyfile=D + '/server.key',
                            verify_client=ssl.CERT_REQUIRED)
with_cert = create_ssl_context(True, cafile=D + '/ca.pem', certfile=D + '/client.pem', keyfile=D + '/client.key')
run('client certificate required and given', mutual, with_cert)

optional = create_ssl_context(False, cafile=D + '/ca.pem', certfile=D + '/server.pem', keyfile=D + '/server.key',
                              verify_client=ssl.CERT_OPTIONAL)
run('client certificate optional, none given', optional, client_ctx)

print('check_hostname', client_ctx.check_hostname, 'verify_mode', client_ctx.verify_mode.name,
      'minimum', client_ctx.minimum_version.name, 'server verify_mode', server_ctx.verify_mode.name)
