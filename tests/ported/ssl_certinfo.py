# Course-style certificate inspection: ssl.get_server_certificate() of a local TLS server (without and
# with ca_certs), cert_time_to_seconds() of the peer certificate's dates, and the HAS_* feature flags.
# argv: a self-signed certificate and its key (the server's, trusted as its own CA).
import socket
import ssl
import sys
import threading
import time

CERT, KEY = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
lsock = socket.create_server(('127.0.0.1', 0))
addr = lsock.getsockname()


def serve(n):
    for _ in range(n):
        conn, _ = lsock.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(10)
        except (ssl.SSLError, OSError):
            pass


t = threading.Thread(target=serve, args=(3,))
t.start()
with open(CERT) as f:
    mine = ssl.PEM_cert_to_DER_cert(f.read())
pem = ssl.get_server_certificate(addr)
print('get_server_certificate:', pem.splitlines()[0], ssl.PEM_cert_to_DER_cert(pem) == mine)
pem = ssl.get_server_certificate(addr, ca_certs=CERT, timeout=5)
print('with ca_certs:', ssl.PEM_cert_to_DER_cert(pem) == mine)

client = ssl.create_default_context(cafile=CERT)
with socket.create_connection(addr) as sock, client.wrap_socket(sock, server_hostname='localhost') as tls:
    cert = tls.getpeercert()
    not_before = ssl.cert_time_to_seconds(cert['notBefore'])
    not_after = ssl.cert_time_to_seconds(cert['notAfter'])
    print('valid now', not_before <= time.time() < not_after, 'days', round((not_after - not_before) / 86400))
t.join(10)
lsock.close()
try:
    ssl.cert_time_to_seconds('not a date')
except ValueError as e:
    print('ValueError:', e)
print('HAS_SNI', ssl.HAS_SNI, 'HAS_ALPN', ssl.HAS_ALPN, 'HAS_TLSv1_3', ssl.HAS_TLSv1_3, 'HAS_TLSv1_2', ssl.HAS_TLSv1_2)
