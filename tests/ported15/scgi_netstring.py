# An SCGI application server and the web server's side of it, over IPv6 loopback: socketserver.ThreadingTCPServer
# with address_family = AF_INET6 and a StreamRequestHandler that reads the netstring of headers from rfile (the
# length's digits one read(1) at a time up to ":", read(n), the ","), checks that CONTENT_LENGTH comes first and
# SCGI is "1", reads the body by CONTENT_LENGTH, answers a CGI-style response and closes; clients send the
# netstring and body in pieces (a body after a pause, a request byte by byte) and read to EOF. Malformed
# netstrings (a non-digit length, a leading zero, no comma, a length too large) get a 400 response (the rest of
# the request drained).
import socket
import socketserver
import threading
import time

MAX_HEADERS = 4096
log = []


class BadRequest(Exception):
    pass


def read_netstring(rfile, limit):
    digits = b""
    while True:
        c = rfile.read(1)
        if not c:
            raise BadRequest("EOF in the length")
        if c == b":":
            break
        if not c.isdigit() or len(digits) >= 10:
            raise BadRequest("bad length byte %r" % c)
        digits += c
    if not digits or (len(digits) > 1 and digits[:1] == b"0"):
        raise BadRequest("bad length %r" % digits)
    n = int(digits)
    if n > limit:
        raise BadRequest("netstring of %d bytes, limit %d" % (n, limit))
    data = rfile.read(n)
    if len(data) != n:
        raise BadRequest("EOF in the data")
    comma = rfile.read(1)
    if comma != b",":
        raise BadRequest("expected ',' got %r" % comma)
    return data


class SCGIHandler(socketserver.StreamRequestHandler):
    timeout = 5

    def handle(self):
        try:
            raw = read_netstring(self.rfile, MAX_HEADERS)
            items = raw.split(b"\0")
            if items[-1] != b"" or len(items) % 2 != 1:
                raise BadRequest("headers not NUL-terminated pairs")
            names = [k.decode() for k in items[0:-1:2]]
            env = dict(zip(names, (v.decode() for v in items[1:-1:2])))
            if names[0] != "CONTENT_LENGTH":
                raise BadRequest("CONTENT_LENGTH is not first but %s" % names[0])
            if env.get("SCGI") != "1":
                raise BadRequest("SCGI header missing")
            body = self.rfile.read(int(env["CONTENT_LENGTH"]))
        except BadRequest as e:
            log.append("app: 400 %s" % e)
            self.wfile.write(b"Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n%s\n" % str(e).encode())
            self.rfile.read()  # the rest, unread, would make the close a reset
            return
        log.append("app: %s %s, %d headers, %d body bytes" % (env["REQUEST_METHOD"], env["REQUEST_URI"], len(env),
                                                              len(body)))
        out = "method=%s uri=%s body=%s remote=%s" % (env["REQUEST_METHOD"], env["REQUEST_URI"], body.decode(),
                                                     env.get("REMOTE_ADDR"))
        self.wfile.write(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + out.encode())


class Server(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    daemon_threads = True


def netstring(data):
    return b"%d:%s," % (len(data), data)


def scgi_request(method, uri, body=b"", extra=()):
    headers = [("CONTENT_LENGTH", str(len(body))), ("SCGI", "1"), ("REQUEST_METHOD", method),
               ("REQUEST_URI", uri), ("REMOTE_ADDR", "::1")] + list(extra)
    return netstring(b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in headers)), body


def exchange(addr, pieces, pause=0.0, label=""):
    with socket.create_connection(addr, timeout=5) as s:
        for i, piece in enumerate(pieces):
            if i and pause:
                time.sleep(pause)
            s.sendall(piece)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    print("%s -> %s | %s" % (label, head.split(b"\r\n")[0].decode(), body.decode().strip()))


with Server(("::1", 0), SCGIHandler) as server:
    addr = server.server_address[:2]
    print("server family AF_INET6:", server.socket.family == socket.AF_INET6, "address", addr[0])
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    head, body = scgi_request("POST", "/submit", b"a=1&b=2")
    exchange(addr, [head, body], pause=0.05, label="header then body")
    head, body = scgi_request("GET", "/hello", extra=[("HTTP_HOST", "example.test")])
    exchange(addr, [head[i:i + 1] for i in range(len(head))], label="byte by byte")
    exchange(addr, [b"12x:abc,"], label="non-digit length")
    exchange(addr, [b"05:abcde,"], label="leading zero")
    exchange(addr, [b"3:abc;"], label="no comma")
    exchange(addr, [b"99999:"], label="too large")
    exchange(addr, [netstring(b"SCGI\x001\x00CONTENT_LENGTH\x000\x00")], label="length not first")
    exchange(addr, [netstring(b"CONTENT_LENGTH\x000\x00")], label="no SCGI header")
    exchange(addr, [b"40:CONTENT_LENGTH"], label="cut short")
    server.shutdown()
    t.join(5)

for line in sorted(log):
    print(line)
