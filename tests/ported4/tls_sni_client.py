# A TLS client of a virtual-hosting server with a private CA: create_default_context(cafile=...) and
# server_hostname choose the certificate (SNI) and check it; a name the server has no certificate for fails
# verification, an IP address sends no SNI and is checked against the IP SAN, check_hostname=False accepts
# any name the CA signed, and the system's default roots do not trust the private CA.
import socket
import ssl
import sys

port = int(sys.argv[1])
certs = sys.argv[2]


def attempt(label, ctx, name):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as sock:
        try:
            with ctx.wrap_socket(sock, server_hostname=name) as tls:
                cert = tls.getpeercert()
                tls.sendall(b'hello ' + label.encode())
                print(label, tls.server_hostname, dict(x[0] for x in cert['subject'])['commonName'],
                      cert['subjectAltName'], tls.recv(1024))
        except ssl.SSLCertVerificationError as e:
            print(label, 'verify failed:', e.verify_code, e.verify_message)


ctx = ssl.create_default_context(cafile=certs + '/ca.pem')
print('check_hostname:', ctx.check_hostname, ctx.verify_mode == ssl.CERT_REQUIRED)
attempt('localhost', ctx, 'localhost')
attempt('vhost', ctx, 'wrong.example')
attempt('unknown', ctx, 'unknown.example')
attempt('ip', ctx, '127.0.0.1')
loose = ssl.create_default_context(cafile=certs + '/ca.pem')
loose.check_hostname = False
attempt('loose', loose, 'unknown.example')
attempt('vhost-again', ctx, 'WRONG.example')
attempt('no-ca', ssl.create_default_context(), 'localhost')
