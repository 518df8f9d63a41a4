# UDPServer details: a max_packet_size class attribute (longer datagrams are cut to it), a DatagramRequestHandler
# that writes nothing (CPython still sends an empty reply), a ThreadingUDPServer serving five client threads at
# once (every datagram answered once, none duplicated), and handle_request() with server.timeout.
import socket
import socketserver
import threading


class Small(socketserver.DatagramRequestHandler):
    def handle(self):
        data = self.rfile.read()
        if data.startswith(b"silent"):
            return
        self.wfile.write(b"%d:" % len(data) + data[:10])


class SmallServer(socketserver.UDPServer):
    max_packet_size = 100


with SmallServer(("127.0.0.1", 0), Small) as server:
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(5)
    for payload in (b"short", b"x" * 300, b"silent please", b"", b"after"):
        c.sendto(payload, server.server_address)
        data, addr = c.recvfrom(1000)
        print(len(payload), "->", data, addr == server.server_address)
    c.close()
    server.shutdown()
    t.join(5)


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data.upper(), self.client_address)


results = {}


def client(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    got = []
    for i in range(20):
        s.sendto(b"c%d-%02d" % (n, i), server.server_address)
    for i in range(20):
        got.append(s.recv(100))
    s.setblocking(False)
    try:
        extra = s.recv(100)
    except BlockingIOError:
        extra = None
    s.close()
    results[n] = (sorted(got) == [b"C%d-%02d" % (n, i) for i in range(20)], extra)


with socketserver.ThreadingUDPServer(("127.0.0.1", 0), Echo) as server:
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    clients = [threading.Thread(target=client, args=(n,)) for n in range(5)]
    for ct in clients:
        ct.start()
    for ct in clients:
        ct.join(10)
    server.shutdown()
    t.join(5)
for n in sorted(results):
    print("client", n, results[n])


class Timed(socketserver.UDPServer):
    timeout = 0.2
    timeouts = 0

    def handle_timeout(self):
        self.timeouts += 1


with Timed(("127.0.0.1", 0), Echo) as server:
    server.handle_request()
    server.handle_request()
    print("timeouts", server.timeouts)
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(5)
    c.sendto(b"late", server.server_address)
    server.handle_request()
    print("timeouts", server.timeouts, c.recv(100))
    c.close()
