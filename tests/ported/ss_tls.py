# TLS with socketserver, the two common recipes: (1) a TCPServer subclass whose get_request() wraps each
# accepted socket; (2) server.socket replaced by the wrapped listening socket. A StreamRequestHandler
# answers lines over rfile/wfile; the client checks the certificate. argv: certificate, key.
import socket
import socketserver
import ssl
import sys
import threading

CERT, KEY = sys.argv[1], sys.argv[2]
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(CERT, KEY)
client_ctx = ssl.create_default_context(cafile=CERT)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        print('  handler:', isinstance(self.request, ssl.SSLSocket), self.request.version())
        for line in self.rfile:
            if line.strip() == b'quit':
                break
            self.wfile.write(b'tls echo: ' + line)


class TLSServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def get_request(self):
        newsocket, fromaddr = self.socket.accept()
        return server_ctx.wrap_socket(newsocket, server_side=True), fromaddr


def client(addr, label):
    with socket.create_connection(addr, timeout=10) as raw:
        with client_ctx.wrap_socket(raw, server_hostname='localhost') as tls:
            f = tls.makefile('rwb')
            for msg in (b'one\n', b'two\n'):
                f.write(msg)
                f.flush()
                print(label, f.readline())
            f.write(b'quit\n')
            f.flush()
            print(label, 'EOF', f.read())
            f.close()


for recipe in (1, 2):
    if recipe == 1:
        server = TLSServer(('127.0.0.1', 0), Handler)
    else:
        server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    with server:
        t = threading.Thread(target=server.serve_forever, args=(0.05,))
        t.start()
        print('recipe', recipe, isinstance(server.socket, ssl.SSLSocket))
        client(server.server_address, 'recipe %d:' % recipe)
        client(server.server_address, 'recipe %d again:' % recipe)
        server.shutdown()
        t.join(10)
print('done')
