# Three socketserver servers (TCP, UDP, Unix stream) served by one thread: the server objects themselves are
# registered with a selectors.DefaultSelector (a server's fileno() is its socket's), and the loop calls
# handle_request() on whichever is ready, as a program serving several protocols without threads does. A client
# thread talks to all three; handle_request() on an idle server with timeout set calls handle_timeout(); verify_request
# refuses one client; a QUIT over TCP ends the loop.
import os
import selectors
import socket
import socketserver
import tempfile
import threading

log = []
done = threading.Event()


class LineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().strip()
        kind = "unix" if self.server.address_family == socket.AF_UNIX else "tcp"
        log.append("%s: %s" % (kind, line.decode()))
        if line == b"QUIT":
            done.set()
            self.wfile.write(b"BYE\n")
        else:
            self.wfile.write(line[::-1] + b"\n")


class DgramHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        data = self.rfile.read()
        log.append("udp: %s" % data.decode())
        self.wfile.write(b"len=%d" % len(data))


class PickyTCPServer(socketserver.TCPServer):
    allow_reuse_address = True

    def verify_request(self, request, client_address):
        ok = request.recv(1, socket.MSG_PEEK) != b"!"
        if not ok:
            log.append("tcp: refused a request starting with !")
        return ok


class IdleServer(socketserver.TCPServer):
    timeout = 0.05

    def handle_timeout(self):
        log.append("idle: handle_timeout")


def client(tcp_addr, udp_addr, unix_path):
    out = []
    for line in (b"hello", b"!nope", b"world"):
        with socket.create_connection(tcp_addr, timeout=5) as c:
            c.sendall(line + b"\n")
            out.append(("tcp", line, c.recv(100)))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(5)
        for msg in (b"ping", b"a longer datagram"):
            u.sendto(msg, udp_addr)
            out.append(("udp", msg, u.recvfrom(100)[0]))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(5)
        c.connect(unix_path)
        c.sendall(b"over unix\n")
        out.append(("unix", b"over unix", c.recv(100)))
    with socket.create_connection(tcp_addr, timeout=5) as c:
        c.sendall(b"QUIT\n")
        out.append(("tcp", b"QUIT", c.recv(100)))
    for row in out:
        print("client:", *row)


with tempfile.TemporaryDirectory() as d:
    unix_path = os.path.join(d, "svc.sock")
    tcp = PickyTCPServer(("127.0.0.1", 0), LineHandler)
    udp = socketserver.UDPServer(("127.0.0.1", 0), DgramHandler)
    unix = socketserver.UnixStreamServer(unix_path, LineHandler)
    idle = IdleServer(("127.0.0.1", 0), LineHandler)
    print("fileno() is the socket's:", all(s.fileno() == s.socket.fileno() for s in (tcp, udp, unix)))
    idle.handle_request()
    idle.server_close()
    sel = selectors.DefaultSelector()
    for name, srv in (("tcp", tcp), ("udp", udp), ("unix", unix)):
        sel.register(srv, selectors.EVENT_READ, name)
    t = threading.Thread(target=client, args=(tcp.server_address, udp.server_address, unix_path))
    t.start()
    served = {"tcp": 0, "udp": 0, "unix": 0}
    for _ in range(100):
        if done.is_set():
            break
        for key, _ in sel.select(timeout=5):
            key.fileobj.handle_request()
            served[key.data] += 1
    t.join(10)
    print("served:", served)
    print("the key's fileobj is the server:", sel.get_key(tcp).fileobj is tcp)
    sel.close()
    for srv in (tcp, udp, unix):
        srv.server_close()

for entry in log:
    print(entry)
