# HTTPS through an HTTP CONNECT proxy: the proxy (one selectors loop over blocking sockets: a request head read
# up to its blank line, an allow-list checked before any connect, "200 Connection established", then bytes relayed
# both ways with sendall(), each side's EOF passed on as shutdown(SHUT_WR), both sockets closed once both
# directions ended); the client wraps the tunnelled socket with SSLContext.wrap_socket(server_hostname=...)
# after the proxy's answer and checks version(), getpeercert(), server_hostname; the origin is a TLS server that
# answers one request per connection and closes. A host not on the list gets 403 without a connect.
# A shutdown() that finds the other side gone is ignored. argv[1]: the certificate dir.
import hashlib
import selectors
import socket
import ssl
import sys
import threading

d = sys.argv[1]
log = []
BIG = bytes(i * 7 % 251 for i in range(200_000))


def origin(lsock, n):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    for _ in range(n):
        raw, _ = lsock.accept()
        raw.settimeout(5)
        with ctx.wrap_socket(raw, server_side=True) as conn:
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = conn.recv(1024)
                if not chunk:
                    break
                req += chunk
            path = req.split(b" ")[1]
            body = BIG if path == b"/big" else b"hello through the tunnel (%s)\n" % conn.version().encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


class Proxy:
    def __init__(self, lsock, allowed, ntunnels):
        self.lsock = lsock
        self.allowed = allowed
        self.sel = selectors.DefaultSelector()
        self.sel.register(lsock, selectors.EVENT_READ, ("accept", None))
        self.left = ntunnels
        self.n = 0

    def run(self):
        while self.left:
            for key, _ in self.sel.select(timeout=5):
                kind, st = key.data
                if kind == "accept":
                    conn, _ = self.lsock.accept()
                    self.n += 1
                    self.sel.register(conn, selectors.EVENT_READ, ("head", {"n": self.n, "buf": b""}))
                elif kind == "head":
                    self.head(key.fileobj, st)
                else:
                    self.relay(key.fileobj, st)
        self.sel.close()

    def head(self, conn, st):
        chunk = conn.recv(4096)
        st["buf"] += chunk
        if chunk and b"\r\n\r\n" not in st["buf"]:
            return
        self.sel.unregister(conn)
        line = st["buf"].split(b"\r\n")[0].decode()
        method, target, _ = line.split(" ")
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or (host, int(port)) not in self.allowed:
            log.append("tunnel %d: %s %s refused" % (st["n"], method, host))
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            self.left -= 1
            return
        up = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        log.append("tunnel %d: CONNECT %s established" % (st["n"], host))
        t = {"n": st["n"], "open": 2, "socks": (conn, up)}
        self.sel.register(conn, selectors.EVENT_READ, ("relay", (t, up, "client")))
        self.sel.register(up, selectors.EVENT_READ, ("relay", (t, conn, "origin")))

    def relay(self, src, st):
        t, dst, name = st
        data = src.recv(65536)
        if data:
            dst.sendall(data)
            return
        log.append("tunnel %d: %s sent EOF, passed on" % (t["n"], name))
        self.sel.unregister(src)
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the other side is gone already (it closed, or reset)
        t["open"] -= 1
        if t["open"] == 0:
            for s in t["socks"]:
                s.close()
            log.append("tunnel %d: closed" % t["n"])
            self.left -= 1


def fetch(paddr, target, path, cctx):
    s = socket.create_connection(paddr, timeout=5)
    s.sendall(b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target.encode(), target.encode()))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            break
        head += chunk
    status = head.split(b"\r\n")[0]
    print("CONNECT %s -> %s" % (target.split(":")[0], status.decode()))
    if b" 200 " not in status:
        s.close()
        return
    with cctx.wrap_socket(s, server_hostname="localhost") as tls:
        print("  TLS %s, server_hostname %s, peer %s" % (tls.version(), tls.server_hostname,
                                                         dict(x[0] for x in tls.getpeercert()["subject"])))
        tls.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % path.encode())
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    print("  %s: %s, %d body bytes, sha256 %s" % (path, head.split(b"\r\n")[0].decode(), len(body),
                                                   hashlib.sha256(body).hexdigest()[:16]))
    if len(body) < 100:
        print("  body:", body)


with socket.create_server(("127.0.0.1", 0)) as olsock, socket.create_server(("127.0.0.1", 0)) as plsock:
    oport = olsock.getsockname()[1]
    ot = threading.Thread(target=origin, args=(olsock, 2))
    ot.start()
    proxy = Proxy(plsock, {("localhost", oport)}, 3)
    pt = threading.Thread(target=proxy.run)
    pt.start()
    cctx = ssl.create_default_context(cafile=d + "/ca.pem")
    paddr = plsock.getsockname()
    fetch(paddr, "localhost:%d" % oport, "/", cctx)
    fetch(paddr, "evil.example:443", "/", cctx)
    fetch(paddr, "localhost:%d" % oport, "/big", cctx)
    pt.join(10)
    ot.join(10)

for line in log:
    print(line)
