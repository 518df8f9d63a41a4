# socketserver with timeouts: a ThreadingTCPServer whose StreamRequestHandler sets `timeout` (each socket
# operation's, applied in setup()) against clients that stall in the middle of a line or never send, one that
# trickles a byte every 0.05 s (within each timeout: served), handle_error() and finish() printing what they see,
# and the server's own `timeout` making handle_request() call handle_timeout() when no client comes.
import socket
import socketserver
import sys
import threading
import time

log = []


class Handler(socketserver.StreamRequestHandler):
    timeout = 0.3

    def handle(self):
        self.name = None
        for line in self.rfile:
            if self.name is None:
                self.name = line.strip().decode()
            self.wfile.write(b"echo " + line)
        log.append("handler %s: EOF" % self.name)

    def finish(self):
        log.append("finish %s" % self.name)
        super().finish()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    timeout = 0.2

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        log.append("handle_error %s: %s" % (type(e).__name__, e))

    def handle_timeout(self):
        log.append("handle_timeout")


def read_all(s):
    out = []
    f = s.makefile("rb")
    for line in f:
        out.append(line)
    f.close()
    return out


server = Server(("127.0.0.1", 0), Handler)
addr = server.server_address
t0 = time.monotonic()
server.handle_request()
print("handle_request without a client returned after the server timeout:", time.monotonic() - t0 >= 0.15)
print("log:", log)
log.clear()
t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
t.start()

with socket.create_connection(addr, timeout=5) as c:
    c.sendall(b"stall\nsecond line\nthird li")
    t0 = time.monotonic()
    print("stalling client got", read_all(c), "then EOF; took at least the handler timeout:",
          time.monotonic() - t0 >= 0.25)

with socket.create_connection(addr, timeout=5) as c:
    for ch in b"trickle\n":
        c.send(bytes([ch]))
        time.sleep(0.05)
    c.sendall(b"done\n")
    c.shutdown(socket.SHUT_WR)
    print("trickling client got", read_all(c))

with socket.create_connection(addr, timeout=5) as c:
    t0 = time.monotonic()
    print("silent client got", read_all(c), "then EOF")

with socket.create_connection(addr, timeout=5) as c:
    c.sendall(b"polite\n")
    print("polite client got", c.recv(64))
    c.shutdown(socket.SHUT_WR)
    print("polite client then", read_all(c))

time.sleep(0.1)
server.shutdown()
server.server_close()
t.join()
for line in log:
    print(line)
