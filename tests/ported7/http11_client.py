# A raw-socket HTTP/1.1 client in http.client's manner against CPython's http.server (http_server_py.py): one
# persistent connection (makefile('rb') for the status line, headers and bodies), bodies by Content-Length,
# by chunked Transfer-Encoding (sizes by readline(), data by read(n), the trailer) and none for HEAD and 304;
# a 301 for a directory without its slash, a 404 (send_error's HTML page), POST with a body, a conditional
# GET with If-Modified-Since, two requests pipelined in one sendall(); then a new connection after the
# server's "Connection: close". Headers that change each run (Date, Last-Modified, Server) are not printed.
# argv: the server's port.
import socket
import sys

port = int(sys.argv[1])
SHOWN = ('content-type', 'content-length', 'transfer-encoding', 'connection', 'location', 'trailer')


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.f = self.sock.makefile('rb')

    def send(self, method, path, headers=(), body=b''):
        lines = ['{} {} HTTP/1.1'.format(method, path), 'Host: 127.0.0.1:{}'.format(port)]
        lines += ['{}: {}'.format(k, v) for k, v in headers]
        if body:
            lines.append('Content-Length: {}'.format(len(body)))
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body)

    def response(self, method='GET'):
        status = self.f.readline(65537)
        if not status:
            raise ConnectionError('no status line')
        version, code, reason = status.decode('latin-1').rstrip('\r\n').split(' ', 2)
        headers = {}
        while True:
            line = self.f.readline(65537)
            if line in (b'\r\n', b'\n', b''):
                break
            k, v = line.decode('latin-1').split(':', 1)
            headers[k.strip().lower()] = v.strip()
        code = int(code)
        trailer = {}
        if method == 'HEAD' or code in (204, 304) or 100 <= code < 200:
            body = b''
        elif headers.get('transfer-encoding') == 'chunked':
            parts = []
            while True:
                size = int(self.f.readline().split(b';')[0], 16)
                if size == 0:
                    break
                parts.append(self.f.read(size))
                self.f.readline()
            while True:
                line = self.f.readline()
                if line in (b'\r\n', b''):
                    break
                k, v = line.decode('latin-1').split(':', 1)
                trailer[k.strip().lower()] = v.strip()
            body = b''.join(parts)
            print('  chunks:', len(parts))
        elif 'content-length' in headers:
            body = self.f.read(int(headers['content-length']))
        else:
            body = self.f.read()
        print(version, code, reason)
        for k in sorted(headers):
            if k in SHOWN:
                print('  {}: {}'.format(k, headers[k]))
        if trailer:
            print('  trailer:', trailer)
        return code, headers, body

    def close(self):
        self.f.close()
        self.sock.close()


c = Connection(port)
c.send('GET', '/hello.txt')
code, headers, body = c.response()
print('  body:', body)
last_modified = headers['last-modified']

c.send('HEAD', '/hello.txt')
code, headers, body = c.response('HEAD')
print('  body:', body)

c.send('GET', '/data.bin')
code, headers, body = c.response()
print('  body ok:', body == bytes(range(256)) * 400, len(body))

c.send('GET', '/chunked')
code, headers, body = c.response()
print('  body:', len(body), body[:40], body[-5:])

c.send('GET', '/sub')
code, headers, body = c.response()

c.send('GET', '/sub/')
code, headers, body = c.response()
print('  body:', body)

c.send('GET', '/hello.txt', [('If-Modified-Since', last_modified)])
code, headers, body = c.response()
print('  body:', body)

c.send('POST', '/echo', body=b'\x00binary\r\n\r\nbody\xff' * 3)
code, headers, body = c.response()
print('  body:', body)

# two requests in one sendall
c.sock.sendall(b'GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/index.html HTTP/1.1\r\nHost: x\r\n\r\n')
for _ in range(2):
    code, headers, body = c.response()
    print('  body:', body)

c.send('GET', '/missing')
code, headers, body = c.response()
print('  body has the code:', b'404' in body)
if headers.get('connection', '').lower() == 'close':
    print('  the server closes:', c.f.read() == b'')
    c.close()
    c = Connection(port)

c.send('GET', '/hello.txt', [('Connection', 'close')])
code, headers, body = c.response()
print('  body:', body)
print('  then EOF:', c.f.read() == b'')
c.close()

c = Connection(port)
c.send('GET', '/shutdown')
code, headers, body = c.response()
print('  body:', body)
c.close()
