# Mutual TLS client: trusts the server's self-signed certificate, presents its own; prints the
# server certificate's fields, version() and cipher(), then a line protocol over makefile('rwb').
# The second connection is limited to TLS 1.2. argv: port, server cert (trusted as is), client cert, client key.
import socket
import ssl
import sys

PORT = int(sys.argv[1])
for maximum in (None, ssl.TLSVersion.TLSv1_2):
    context = ssl.create_default_context(cafile=sys.argv[2])
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    if maximum is not None:
        context.maximum_version = maximum
    with socket.create_connection(('127.0.0.1', PORT)) as sock:
        with context.wrap_socket(sock, server_hostname='localhost') as ssock:
            print(ssock.version(), ssock.cipher()[1], ssock.server_hostname, ssock.server_side)
            cert = ssock.getpeercert()
            for key in sorted(cert):
                if key not in ('notAfter', 'notBefore', 'serialNumber'):
                    print(' ', key, cert[key])
            print('  self-signed', cert['subject'] == cert['issuer'])
            f = ssock.makefile('rwb')
            for line in [b'hello\n', b'x' * 70000 + b'\n', b'\n', b'last line\n']:
                f.write(line)
            f.write(b'QUIT\n')
            f.flush()
            for line in f:
                print(' ', line)
            f.close()
