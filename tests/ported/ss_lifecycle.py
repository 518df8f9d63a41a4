# socketserver hooks in the order CPython calls them: setup/handle/finish (finish even when handle raises),
# verify_request refusing a client, process_request/finish_request/shutdown_request/close_request overridden to
# log, a StreamRequestHandler with a timeout (TimeoutError in handle goes to handle_error), disable_nagle_algorithm,
# service_actions counted, and serve_forever started again after shutdown(). Logs print at the end.
import socket
import socketserver
import sys
import threading

log = []


class Handler(socketserver.StreamRequestHandler):
    timeout = 0.5
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        log.append("setup")

    def handle(self):
        nodelay = self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        log.append("handle nodelay=%s timeout=%s" % (nodelay, self.connection.gettimeout()))
        line = self.rfile.readline()
        log.append("read %r" % line)
        if line == b"raise\n":
            raise KeyError("wanted")
        n = self.wfile.write(b"ok " + line)
        log.append("wrote %s" % n)

    def finish(self):
        log.append("finish")
        super().finish()


class Server(socketserver.TCPServer):
    allow_reuse_address = True
    actions = 0
    refuse_next = False

    def verify_request(self, request, client_address):
        ok = not self.refuse_next
        self.refuse_next = False
        log.append("verify %s" % ok)
        return ok

    def process_request(self, request, client_address):
        log.append("process_request")
        super().process_request(request, client_address)

    def finish_request(self, request, client_address):
        log.append("finish_request")
        super().finish_request(request, client_address)

    def shutdown_request(self, request):
        log.append("shutdown_request")
        super().shutdown_request(request)

    def close_request(self, request):
        log.append("close_request")
        super().close_request(request)

    def handle_error(self, request, client_address):
        t, v = sys.exc_info()[:2]
        log.append("handle_error %s %s" % (t.__name__, v))

    def service_actions(self):
        self.actions += 1


def talk(data, read=True):
    with socket.create_connection(server.server_address, timeout=5) as c:
        if data:
            c.sendall(data)
        if read:
            got = b""
            while True:
                chunk = c.recv(100)
                if not chunk:
                    break
                got += chunk
            return got


server = Server(("127.0.0.1", 0), Handler)
print("reuse", server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
for round in (1, 2):
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    print("round", round, talk(b"hello\n"))
    print("round", round, talk(b"raise\n"))
    print("round", round, talk(b""))  # the handler's readline times out
    server.refuse_next = True
    print("round", round, talk(b"refused\n"))
    server.shutdown()
    t.join(5)
    print("round", round, "stopped", not t.is_alive(), "service_actions called", server.actions > 0)
    for line in log:
        print("  ", line)
    log.clear()
server.server_close()
print("closed fileno", server.fileno())
