# A small HTTPS server in the ssl docs' style (bind, listen, accept, context.wrap_socket(newsocket,
# server_side=True), deal_with_client) probed by curl: two URLs over one keep-alive connection, a POST with a
# body, HEAD, and a curl that does not trust the test CA (its handshake fails on the server side too).
# Requests are read through makefile('rb'); responses carry Content-Length. curl runs as a child process
# while the server accepts; what curl printed is shown after each connection.
import socket
import ssl
import subprocess
import sys

certs = sys.argv[1]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(certfile=certs + '/server.pem', keyfile=certs + '/server.key')

bindsocket = socket.socket()
bindsocket.bind(('127.0.0.1', 0))
bindsocket.listen(5)
port = bindsocket.getsockname()[1]
base = 'https://localhost:%d' % port


def do_something(connstream, f, request_line):
    method, path, version = request_line.decode().split()
    headers = {}
    while True:
        line = f.readline(65537)
        if line in (b'\r\n', b'\n', b''):
            break
        name, _, value = line.decode().partition(':')
        headers[name.strip().lower()] = value.strip()
    body = f.read(int(headers.get('content-length', 0)))
    print('  request:', method, path, version, 'host', headers.get('host') == 'localhost:%d' % port,
          'body', body)
    reply = ('%s %s, %d bytes in\n' % (method, path, len(body))).encode()
    head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % len(reply)
    connstream.sendall(head.encode() + (b'' if method == 'HEAD' else reply))
    return True


def deal_with_client(connstream):
    f = connstream.makefile('rb')
    data = f.readline(65537)
    # empty data means the client is finished with us
    while data:
        if not do_something(connstream, f, data):
            break
        data = f.readline(65537)
    f.close()
    print('  client finished')


def curl(*args):
    return subprocess.Popen(['curl', '-sS', '--http1.1', '--max-time', '30', *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


for label, args in [
        ('two URLs, one connection', ['--cacert', certs + '/ca.pem', base + '/one', base + '/two?x=1']),
        ('a POST', ['--cacert', certs + '/ca.pem', '-d', 'name=value&other=1', base + '/form']),
        ('HEAD', ['--cacert', certs + '/ca.pem', '-I', base + '/head']),
        ('without the CA', [base + '/untrusted'])]:
    print(label)
    child = curl(*args)
    newsocket, fromaddr = bindsocket.accept()
    try:
        connstream = context.wrap_socket(newsocket, server_side=True)
    except ssl.SSLError as e:
        print('  handshake failed:', type(e).__name__, e.reason)
        newsocket.close()
    else:
        print('  version', connstream.version())
        try:
            deal_with_client(connstream)
        finally:
            connstream.close()
    out, err = child.communicate()
    print('  curl exit', child.returncode)
    for line in out.decode().splitlines():
        if not line.lower().startswith('date:'):
            print('  curl out:', line)
    print('  curl err:', err.decode().strip().split(':')[0])
bindsocket.close()
