# The PROXY protocol (HAProxy) between a TCP forwarder and its backend: the forwarder accepts a client, connects
# to the backend, sends a header naming the client's address (version 1, a text line "PROXY TCP4 src dst sport
# dport\r\n"; or version 2, the 12-byte signature, version/command, family, length, then packed addresses,
# struct "!4s4sHH"), then pumps bytes both ways in two threads, passing each EOF on with shutdown(SHUT_WR).
# The backend (socketserver.TCPServer, a StreamRequestHandler reading the header from rfile with read()/readline())
# checks what the header claims against what the client itself reports; a version 2 LOCAL health check has no
# addresses, "PROXY UNKNOWN" neither, and a garbled header is refused.
import socket
import socketserver
import struct
import threading

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
log = []


class Backend(socketserver.StreamRequestHandler):
    def parse(self):
        first = self.rfile.read(12)
        if first == SIG:
            ver_cmd, fam, length = struct.unpack("!BBH", self.rfile.read(4))
            body = self.rfile.read(length)
            if ver_cmd >> 4 != 2:
                raise ValueError("version %d" % (ver_cmd >> 4))
            if ver_cmd & 0xF == 0:
                return "v2 LOCAL", None
            if fam != 0x11:
                raise ValueError("family %#x" % fam)
            src, dst, sport, dport = struct.unpack("!4s4sHH", body[:12])
            return "v2 PROXY TCP4", (socket.inet_ntoa(src), sport, socket.inet_ntoa(dst), dport)
        if not first.startswith(b"PROXY "):
            raise ValueError("no PROXY header: %r" % first)
        line = (first + self.rfile.readline(107 - 12)).decode()
        if not line.endswith("\r\n"):
            raise ValueError("v1 line without CRLF")
        parts = line.split()
        if parts[1] == "UNKNOWN":
            return "v1 UNKNOWN", None
        if parts[1] != "TCP4" or len(parts) != 6:
            raise ValueError("v1 %r" % parts[1:2])
        return "v1 PROXY TCP4", (parts[2], int(parts[4]), parts[3], int(parts[5]))

    def handle(self):
        try:
            kind, addrs = self.parse()
        except ValueError as e:
            log.append("backend: refused: %s" % e)
            self.rfile.read()  # drained, so that the close is a FIN and not a reset
            return
        said = self.rfile.read()
        if addrs is None:
            log.append("backend: %s, no addresses, says %r" % (kind, said))
            self.wfile.write(b"healthy")
            return
        src, sport, dst, dport = addrs
        client_port, listen_port = map(int, said.split(b","))
        log.append("backend: %s from %s to %s, source port is the client's: %s, destination port is the "
                   "forwarder's: %s, the peer is the forwarder: %s" % (
                       kind, src, dst, sport == client_port, dport == listen_port,
                       self.client_address[1] != sport))
        self.wfile.write(b"hello %s" % src.encode())


def pump(src, dst):
    while True:
        data = src.recv(4096)
        if not data:
            break
        dst.sendall(data)
    dst.shutdown(socket.SHUT_WR)


def header(version, conn):
    src, sport = conn.getpeername()
    dst, dport = conn.getsockname()
    if version == 1:
        return b"PROXY TCP4 %s %s %d %d\r\n" % (src.encode(), dst.encode(), sport, dport)
    body = struct.pack("!4s4sHH", socket.inet_aton(src), socket.inet_aton(dst), sport, dport)
    return SIG + struct.pack("!BBH", 0x21, 0x11, len(body)) + body


def forwarder(lsock, backend_addr, versions):
    for version in versions:
        conn, _ = lsock.accept()
        up = socket.create_connection(backend_addr, timeout=5)
        up.sendall(header(version, conn))
        threads = [threading.Thread(target=pump, args=(conn, up)), threading.Thread(target=pump, args=(up, conn))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        up.close()
        conn.close()


def ask(addr, raw=None):
    with socket.create_connection(addr, timeout=5) as s:
        if raw is None:
            s.sendall(b"%d,%d" % (s.getsockname()[1], addr[1]))
        else:
            s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = s.recv(100)
            if not chunk:
                return reply
            reply += chunk


with socketserver.TCPServer(("127.0.0.1", 0), Backend) as backend, \
        socket.create_server(("127.0.0.1", 0)) as lsock:
    st = threading.Thread(target=backend.serve_forever, args=(0.05,))
    st.start()
    faddr = lsock.getsockname()
    ft = threading.Thread(target=forwarder, args=(lsock, backend.server_address, (1, 2)))
    ft.start()
    print("via v1:", ask(faddr))
    print("via v2:", ask(faddr))
    ft.join(5)
    baddr = backend.server_address
    print("v2 LOCAL health check:", ask(baddr, SIG + struct.pack("!BBH", 0x20, 0, 0) + b"ping"))
    print("v1 UNKNOWN:", ask(baddr, b"PROXY UNKNOWN\r\nping"))
    print("no header:", ask(baddr, b"GET / HTTP/1.0\r\n\r\n"))
    print("v1 over-long line:", ask(baddr, b"PROXY TCP4 " + b"9" * 120 + b"\r\n"))
    print("v2 version 3:", ask(baddr, SIG + struct.pack("!BBH", 0x31, 0x11, 0)))
    backend.shutdown()
    st.join(5)

for line in log:
    print(line)
