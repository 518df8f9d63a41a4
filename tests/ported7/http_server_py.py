# CPython's own http.server as the peer of http11_client: ThreadingHTTPServer with a
# SimpleHTTPRequestHandler subclass speaking HTTP/1.1 (protocol_version), serving a temporary directory
# (hello.txt, a 100 KB data.bin, a subdirectory), plus /chunked (Transfer-Encoding: chunked, written chunk by
# chunk with a trailer), POST /echo (the body back, read by Content-Length), and GET /shutdown ending it.
# Logging is off. Only the CPython server runs (the client is what is ported); the first line names its port.
import http.server
import os
import sys
import tempfile
import threading

root = tempfile.mkdtemp()
with open(os.path.join(root, 'hello.txt'), 'wb') as f:
    f.write(b'Hello from http.server!\n')
with open(os.path.join(root, 'data.bin'), 'wb') as f:
    f.write(bytes(range(256)) * 400)
os.mkdir(os.path.join(root, 'sub'))
with open(os.path.join(root, 'sub', 'index.html'), 'wb') as f:
    f.write(b'<html><body>sub index</body></html>\n')


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == '/chunked':
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Transfer-Encoding', 'chunked')
            self.send_header('Trailer', 'X-Checksum')
            self.end_headers()
            for piece in [b'first chunk\n', b'second, longer chunk of text\n', b'x' * 5000, b'last\n']:
                self.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b'0\r\nX-Checksum: 42\r\n\r\n')
            return
        if self.path == '/shutdown':
            self.send_response(200)
            self.send_header('Content-Length', '3')
            self.send_header('Connection', 'close')
            self.end_headers()
            self.wfile.write(b'bye')
            self.close_connection = True
            threading.Thread(target=self.server.shutdown).start()
            return
        super().do_GET()

    def do_POST(self):
        if self.path != '/echo':
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers['Content-Length']))
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
print('serving HTTP on port', server.server_address[1], flush=True)
server.serve_forever()
server.server_close()
print('server stopped')
