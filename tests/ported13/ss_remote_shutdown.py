# A plain socketserver.TCPServer stopped by a client: the handler cannot call server.shutdown() itself (it would
# wait for the very loop that runs it), so it starts a thread that does, answers BYE, and serve_forever() returns in
# the main thread. Lines are read with rfile.readline(); a BOOM line raises in handle() and reaches handle_error();
# verify_request() refuses a client that connected from a source port bound on 127.0.0.2; after server_close() a
# connect is refused.
import socket
import socketserver
import threading

log = []


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            line = raw.strip().decode()
            if line == "PING":
                self.wfile.write(b"PONG\n")
            elif line.startswith("ADD "):
                a, b = line[4:].split()
                self.wfile.write(b"%d\n" % (int(a) + int(b)))
            elif line == "BOOM":
                raise ValueError("boom requested")
            elif line == "STOP":
                threading.Thread(target=self.server.shutdown).start()
                self.wfile.write(b"BYE\n")
                return
            else:
                self.wfile.write(b"ERR unknown\n")


class Server(socketserver.TCPServer):
    allow_reuse_address = True

    def verify_request(self, request, client_address):
        ok = client_address[0] == "127.0.0.1"
        log.append("verify %s -> %s" % (client_address[0], ok))
        return ok

    def handle_error(self, request, client_address):
        import sys
        e = sys.exc_info()[1]
        log.append("handle_error %s %s: %s" % (client_address[0], type(e).__name__, e))


def client(lines, source=None):
    kw = {"source_address": (source, 0)} if source else {}
    with socket.create_connection(ADDR, timeout=5, **kw) as c:
        f = c.makefile("rwb")
        out = []
        for line in lines:
            f.write(line.encode() + b"\n")
            f.flush()
            reply = f.readline()
            out.append((line, reply))
            if not reply:
                break
        f.close()
        return out


server = Server(("127.0.0.1", 0), Handler)
ADDR = server.server_address
results = []


def clients():
    results.append(client(["PING", "ADD 2 40", "NOPE"]))
    results.append(client(["PING"], source="127.0.0.2"))
    results.append(client(["ADD 1 1", "BOOM", "PING"]))
    results.append(client(["PING", "STOP"]))


t = threading.Thread(target=clients)
t.start()
server.serve_forever(poll_interval=0.05)
print("serve_forever returned")
t.join()
server.server_close()
for r in results:
    print(r)
for line in log:
    print(line)
try:
    socket.create_connection(ADDR, timeout=5)
except ConnectionRefusedError as e:
    print("after server_close:", type(e).__name__, e.errno)
