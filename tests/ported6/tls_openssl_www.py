# The ssl docs' client side against `openssl s_server -www` (loopback, the test CA's localhost certificate):
# an HTTP/1.1 GET over a context from create_default_context(cafile=...), the reply read through
# makefile('rb') (status line, headers, then the HTML page to EOF: -www answers HTTP/1.0 and closes), the
# lines of the page that do not depend on the client's cipher list; a second connection (offering the first
# one's session when argv[2] is "resume"); a client that does not trust the CA. s_server is started by the program and stops after
# its connections (-naccept).
import re
import socket
import ssl
import subprocess
import sys

certs = sys.argv[1]
resume = sys.argv[2:] == ['resume']
server = subprocess.Popen(
    ['openssl', 's_server', '-www', '-accept', '127.0.0.1:0', '-naccept', '3',
     '-cert', certs + '/server.pem', '-key', certs + '/server.key'],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
for line in server.stdout:
    m = re.match(rb'ACCEPT 127\.0\.0\.1:(\d+)', line)
    if m:
        port = int(m.group(1))
        break
print('s_server listening')

context = ssl.create_default_context(cafile=certs + '/ca.pem')


def get(session=None):
    with socket.create_connection(('127.0.0.1', port)) as sock:
        with context.wrap_socket(sock, server_hostname='localhost', session=session) as ssock:
            print('version', ssock.version(), 'cipher', ssock.cipher()[0])
            cert = ssock.getpeercert()
            print('peer', dict(x[0] for x in cert['subject']), cert['subjectAltName'])
            ssock.sendall(b'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
            f = ssock.makefile('rb')
            print('status', f.readline())
            while True:
                h = f.readline()
                if h in (b'\r\n', b'\n', b''):
                    break
                print('header', h)
            body = f.read()
            f.close()
            print('body', len(body) > 200, body[:30])
            for line in body.decode().splitlines():
                if line.startswith(('New,', 'Reused,', 'Protocol  :', 'Cipher    :', 'Verify return code')):
                    print('  ', line)
            if resume:
                print('session_reused', ssock.session_reused)
            return ssock.session


first = get()
get(first if resume else None)

bad = ssl.create_default_context()
try:
    with socket.create_connection(('127.0.0.1', port)) as sock:
        bad.wrap_socket(sock, server_hostname='localhost')
except ssl.SSLCertVerificationError as e:
    print('untrusted:', e.verify_code, e.verify_message)
server.wait(30)
print('s_server exit code', server.returncode)
