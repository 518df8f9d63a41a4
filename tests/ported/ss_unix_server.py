# A Unix domain socket server on socketserver.ThreadingUnixStreamServer (PyMOTW's uds idiom: unlink a
# stale path first); the handler upper-cases lines; a "quit" line makes it shut the server down.
import os
import socketserver
import sys
import threading

server_address = sys.argv[1]

# Make sure the socket does not already exist
try:
    os.unlink(server_address)
except OSError:
    if os.path.exists(server_address):
        raise
open(server_address, 'w').close()  # a stale file, as a crashed server leaves
os.unlink(server_address)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        print('connection from', repr(self.client_address), 'on', self.request.getsockname() == server_address)
        for line in self.rfile:
            if line.strip() == b'quit':
                self.wfile.write(b'bye\n')
                threading.Thread(target=self.server.shutdown).start()
                break
            self.wfile.write(line.upper())


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


with Server(server_address, Handler) as server:
    print('listening on', server.server_address)
    print('family', server.socket.family.name, 'type', server.socket.type.name)
    server.serve_forever()
    print('serve_forever returned')
