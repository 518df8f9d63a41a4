# An HTTP/1.0 server on socketserver.TCPServer + StreamRequestHandler, as tutorials write one before
# reaching for http.server: rfile.readline() for the request line and each header (limited to 65537 bytes),
# rfile.read(n) for a body with Content-Length, wfile.write() for the response; GET, HEAD, POST, 400, 404,
# 405, 411, 413, 431; one request per connection; handle_request() a set number of times. argv: port.
import socketserver
import sys

PAGES = {
    '/': b'<html><body><h1>It works</h1></body></html>\n',
    '/robots.txt': b'User-agent: *\nDisallow: /\n',
    '/big': b''.join(b'%05d ' % i + b'x' * 94 + b'\n' for i in range(2000)),
}
REASONS = {200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 411: 'Length Required',
           413: 'Content Too Large', 431: 'Request Header Fields Too Large'}


class Handler(socketserver.StreamRequestHandler):
    def respond(self, code, body=b'', ctype='text/plain', head=False, extra=()):
        lines = ['HTTP/1.0 %d %s' % (code, REASONS[code]), 'Server: tiny/0.1', 'Content-Type: ' + ctype,
                 'Content-Length: %d' % len(body)] + list(extra)
        self.wfile.write(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1'))
        if not head:
            self.wfile.write(body)
        print(' ->', code, len(body), 'bytes' + (' (HEAD)' if head else ''))

    def handle(self):
        requestline = self.rfile.readline(65537).decode('latin-1').rstrip('\r\n')
        words = requestline.split()
        print('request:', repr(requestline[:60]))
        if len(words) != 3 or not words[2].startswith('HTTP/'):
            return self.respond(400, b'bad request line\n')
        method, path, version = words
        headers = {}
        while True:
            line = self.rfile.readline(65537)
            if len(line) > 65536:
                return self.respond(431)
            if line in (b'\r\n', b'\n', b''):
                break
            name, _, value = line.decode('latin-1').partition(':')
            headers[name.strip().lower()] = value.strip()
        print('  headers:', sorted(headers))
        if method == 'POST':
            if 'content-length' not in headers:
                return self.respond(411)
            n = int(headers['content-length'])
            if n > 100000:
                return self.respond(413)
            body = self.rfile.read(n)
            return self.respond(200, b'you sent %d bytes: ' % len(body) + body[:40].upper(),
                                extra=['X-Echo-Type: ' + headers.get('content-type', '-')])
        if method not in ('GET', 'HEAD'):
            return self.respond(405, extra=['Allow: GET, HEAD, POST'])
        if path not in PAGES:
            return self.respond(404, b'no such page: ' + path.encode() + b'\n')
        ctype = 'text/html' if path == '/' else 'text/plain'
        self.respond(200, PAGES[path], ctype, head=(method == 'HEAD'))


with socketserver.TCPServer(('127.0.0.1', int(sys.argv[1])), Handler) as server:
    print('serving HTTP/1.0 on port', server.server_address[1])
    for _ in range(11):
        server.handle_request()
print('done')
