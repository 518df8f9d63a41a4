# A TLS server in the ssl docs' style probed by `openssl s_client -brief` (loopback, the test CA): ALPN chosen
# by the server from the client's offer, the SNI name seen by sni_callback, data both ways, then the two ways
# to end: close() without a close_notify (s_client reports an unexpected EOF) and unwrap() (close_notify sent,
# the plain socket left; s_client ends cleanly; only when argv[2] is "unwrap"). Also a client offering only an unknown ALPN protocol (no
# ALPN selected, the handshake goes on; only when argv[2] is "alpn") and one that does not trust the CA. s_client runs as a child process
# fed by a pipe; its -brief report is printed line by line (the lines about the server's key exchange and
# OpenSSL's internal error locations left out).
import socket
import ssl
import subprocess
import sys

certs = sys.argv[1]
ends = [('close() without close_notify', 'close')]
if sys.argv[2:] == ['unwrap']:
    ends.append(('unwrap()', 'unwrap'))
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(certfile=certs + '/server.pem', keyfile=certs + '/server.key')
context.set_alpn_protocols(['h2', 'http/1.1'])
seen = []


def sni_callback(sslsock, server_name, ctx):
    seen.append(server_name)


context.sni_callback = sni_callback
bindsocket = socket.socket()
bindsocket.bind(('127.0.0.1', 0))
bindsocket.listen(5)
port = bindsocket.getsockname()[1]


def s_client(*args):
    return subprocess.Popen(
        ['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-brief', *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def report(child, to_send=None):
    out, err = child.communicate(to_send, timeout=30)
    print('  s_client stdout:', out)
    for line in err.decode().splitlines():
        if line.startswith(('Server Temp Key', 'Hash used', 'Signature type')):
            continue
        if ':error:' in line:
            line = 'error: ' + line.split(':')[5]
        print('  s_client:', line)


for label, end in ends:
    print(label)
    child = s_client('-servername', 'localhost', '-alpn', 'http/1.1,h2', '-CAfile', certs + '/ca.pem',
                     '-verify_return_error')
    newsocket, fromaddr = bindsocket.accept()
    conn = context.wrap_socket(newsocket, server_side=True)
    print('  version', conn.version(), 'alpn', conn.selected_alpn_protocol(), 'sni', seen[-1])
    conn.sendall(b'hello from the server\n')
    child.stdin.write(b'hello from s_client\n')
    child.stdin.flush()
    print('  got', conn.recv(100))
    if end == 'close':
        conn.close()
    else:
        plain = conn.unwrap()
        print('  unwrapped to', type(plain).__name__, plain.recv(100))
        plain.close()
    child.stdin.close()
    child.stdin = None
    report(child)

if sys.argv[2:] == ['alpn']:
    print('an unknown ALPN protocol offered')
    child = s_client('-servername', 'localhost', '-alpn', 'spdy/1', '-CAfile', certs + '/ca.pem')
    newsocket, fromaddr = bindsocket.accept()
    conn = context.wrap_socket(newsocket, server_side=True)
    print('  alpn', conn.selected_alpn_protocol())
    conn.close()
    report(child, b'')

print('a client without the CA')
child = s_client('-servername', 'localhost', '-verify_return_error')
newsocket, fromaddr = bindsocket.accept()
try:
    context.wrap_socket(newsocket, server_side=True)
except ssl.SSLError as e:
    print('  handshake failed:', type(e).__name__, e.reason)
newsocket.close()
report(child, b'')
bindsocket.close()
