# TLS server with a self-signed certificate that requires a client certificate (mutual TLS): wraps each
# accepted socket, prints what it learns of the client, answers a line protocol over makefile('rwb').
# argv: port, server cert, server key, CA file for client certificates.
import socket
import ssl
import sys

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(certfile=sys.argv[2], keyfile=sys.argv[3])
context.verify_mode = ssl.CERT_REQUIRED
context.load_verify_locations(cafile=sys.argv[4])

with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as lsock:
    print('listening on', lsock.getsockname())
    print('verify_mode', context.verify_mode, 'check_hostname', context.check_hostname)
    for _ in range(2):
        newsock, addr = lsock.accept()
        with context.wrap_socket(newsock, server_side=True) as conn:
            cert = conn.getpeercert()
            subject = dict(x[0] for x in cert['subject'])
            issuer = dict(x[0] for x in cert['issuer'])
            print('client', subject['commonName'], 'issued by', issuer['commonName'])
            print('version', conn.version(), 'protocol', conn.cipher()[1], 'server_side', conn.server_side)
            der = conn.getpeercert(binary_form=True)
            print('DER bytes', len(der) > 100, ssl.DER_cert_to_PEM_cert(der).splitlines()[0])
            rfile = conn.makefile('rb')
            wfile = conn.makefile('wb')
            count = 0
            while True:
                line = rfile.readline()
                if not line or line == b'QUIT\n':
                    break
                count += 1
                wfile.write(b'%d %d %s\n' % (count, len(line), line[:10].rstrip()))
                wfile.flush()
            wfile.write(b'BYE %d\n' % count)
            wfile.close()
            rfile.close()
            print('served', count, 'lines')
