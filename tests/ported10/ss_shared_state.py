# socketserver with shared state, as the socketserver docs' ThreadingMixIn example grows in real programs: a
# ThreadingTCPServer subclass holding a dict and a lock (handlers read-modify-write under the lock with a pause
# inside it), eight clients hammering INCR at once, verify_request() refusing a client, handle_error() seeing a
# handler's exception (finish() still runs), a ThreadingUDPServer counting datagrams per client under a lock, and
# shutdown() + server_close() with a slow handler still running (block_on_close waits for it).
import socket
import socketserver
import sys
import threading
import time

order = []


class KVServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    block_on_close = True

    def __init__(self, addr, handler):
        super().__init__(addr, handler)
        self.store = {}
        self.lock = threading.Lock()
        self.refused = 0
        self.errors = []
        self.finished = 0

    def verify_request(self, request, client_address):
        if self.store.get("closed") == b"1":
            self.refused += 1
            return False
        return True

    def handle_error(self, request, client_address):
        self.errors.append(type(sys.exc_info()[1]).__name__ + ": " + str(sys.exc_info()[1]))


class KVHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            cmd, *args = line.split()
            srv = self.server
            if cmd == b"INCR":
                with srv.lock:
                    v = int(srv.store.get(args[0], b"0"))
                    time.sleep(0.001)  # a pause inside the critical section
                    srv.store[args[0]] = str(v + 1).encode()
                    reply = srv.store[args[0]]
            elif cmd == b"SET":
                with srv.lock:
                    srv.store[args[0].decode()] = args[1]
                reply = b"OK"
            elif cmd == b"GET":
                with srv.lock:
                    reply = srv.store.get(args[0], b"(nil)")
            elif cmd == b"SLOW":
                time.sleep(1.0)
                order.append("slow handler done")
                reply = b"SLOW DONE"
            elif cmd == b"BOOM":
                raise ZeroDivisionError("division by zero in " + args[0].decode())
            else:
                reply = b"ERR " + cmd
            self.wfile.write(reply + b"\n")

    def finish(self):
        super().finish()
        self.server.finished += 1


class CountHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        with self.server.lock:
            n = self.server.counts[self.client_address] = self.server.counts.get(self.client_address, 0) + 1
        sock.sendto(b"%s #%d" % (data.upper(), n), self.client_address)


server = KVServer(("127.0.0.1", 0), KVHandler)
port = server.server_address[1]
t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
t.start()


def call(f, s, line):
    s.sendall(line + b"\n")
    return f.readline().rstrip(b"\n")


def hammer(i, out):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")
        last = None
        for _ in range(40):
            last = call(f, s, b"INCR hits")
        call(f, s, b"INCR client%d" % i)
        out[i] = int(last)
        f.close()


out = {}
ths = [threading.Thread(target=hammer, args=(i, out)) for i in range(8)]
for th in ths:
    th.start()
for th in ths:
    th.join()
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    f = s.makefile("rb")
    print("hits:", call(f, s, b"GET hits"), "max seen by a client:", max(out.values()))
    print("per client:", [call(f, s, b"GET client%d" % i) for i in range(8)])
    print("unknown:", call(f, s, b"FROB x"))
    s.sendall(b"BOOM now\n")
    print("after BOOM:", f.read())
    f.close()

slow = socket.create_connection(("127.0.0.1", port), timeout=10)
slow.sendall(b"SLOW\n")
slow.shutdown(socket.SHUT_WR)
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    f = s.makefile("rb")
    print("close the door:", call(f, s, b"SET closed 1"))
    f.close()
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    s.sendall(b"GET hits\n")
    print("refused client reads:", s.recv(100))
time.sleep(0.1)
server.shutdown()
order.append("shutdown returned")
server.server_close()
order.append("server_close returned")
t.join()
print("slow client got:", slow.recv(100))
slow.close()
print("order:", order)
print("refused", server.refused, "errors", server.errors, "finished", server.finished)

userver = socketserver.ThreadingUDPServer(("127.0.0.1", 0), CountHandler)
userver.lock = threading.Lock()
userver.counts = {}
ut = threading.Thread(target=userver.serve_forever, kwargs={"poll_interval": 0.05})
ut.start()
clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
for i, c in enumerate(clients):
    c.settimeout(5)
    c.bind(("127.0.0.1", 0))
replies = []
for rnd in range(3):
    for i, c in enumerate(clients[: rnd + 1]):
        c.sendto(b"ping from %d" % i, userver.server_address)
        replies.append(c.recv(100))
userver.shutdown()
userver.server_close()
ut.join()
print("udp replies:", replies)
print("udp counts:", sorted(userver.counts.values()))
for c in clients:
    c.close()
