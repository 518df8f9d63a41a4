# socketserver.UnixDatagramServer with a DatagramRequestHandler: each datagram is answered on the
# client's own bound path; handle_request() four times, then server_close().
import os
import socketserver
import sys

path = sys.argv[1]


class Handler(socketserver.DatagramRequestHandler):
    def handle(self):
        data = self.rfile.read()
        print('from', os.path.basename(self.client_address), repr(data[:20]), len(data))
        self.wfile.write(data.upper() + b' (%d bytes)' % len(data))


with socketserver.UnixDatagramServer(path, Handler) as server:
    print('listening on', server.server_address)
    print('type', server.socket.type.name, 'timeout', server.timeout)
    server.timeout = 10
    for _ in range(4):
        server.handle_request()
print('file still there', os.path.exists(path))
os.unlink(path)
