# UDP request/response server on socketserver.UDPServer with a DatagramRequestHandler (rfile/wfile);
# it "loses" the first copy of every odd-numbered request, so the client must retransmit.
# Serves until it has answered request 5, then stops.
import socketserver
import sys

seen = set()


class Handler(socketserver.DatagramRequestHandler):
    dropped = False

    def finish(self):
        # DatagramRequestHandler.finish() sends wfile's bytes, even none: a dropped request gets nothing.
        if not self.dropped:
            super().finish()

    def handle(self):
        line = self.rfile.readline().strip()
        num, _, text = line.partition(b' ')
        n = int(num)
        if n % 2 == 1 and n not in seen:
            seen.add(n)
            print('dropping first copy of request', n)
            self.dropped = True
            return
        print('request', n, text, 'rest', self.rfile.read())
        self.wfile.write(b'%d %s\n' % (n, text.upper()))
        self.wfile.write(b'length %d' % len(text))
        if n == 5:
            self.server.done = True


class Server(socketserver.UDPServer):
    done = False


with Server(('127.0.0.1', int(sys.argv[1])), Handler) as server:
    print('listening on', server.server_address)
    server.timeout = 10
    for _ in range(20):
        if server.done:
            break
        server.handle_request()
print('server done')
