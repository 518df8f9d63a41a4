# An HTTP/1.1 keep-alive server and client on raw sockets (makefile("rb") to parse, sendall to answer):
# Expect: 100-continue (the client waits for the interim 100 before sending the body; a too-large body is refused
# with 417 before it is sent), chunked request bodies sent in awkward pieces (a size line split, chunk extensions,
# trailers), chunked responses with a trailer, Content-Length responses, HEAD, three pipelined requests in one
# write, and Connection: close ending the keep-alive loop.
import hashlib
import socket
import threading
import time

LIMIT = 100_000


def read_headers(f):
    headers = {}
    while True:
        line = f.readline(8192)
        if line in (b"\r\n", b"\n", b""):
            return headers
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()


def read_chunked(f):
    body = b""
    while True:
        size_line = f.readline(1024)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body, read_headers(f)
        body += f.read(size)
        f.readline()  # CRLF after the chunk


def serve_conn(conn, log):
    f = conn.makefile("rb")
    served = 0
    while True:
        line = f.readline(8192)
        if not line:
            break
        method, path, version = line.decode("ascii").split()
        h = read_headers(f)
        body = b""
        if h.get("expect", "").lower() == "100-continue":
            if int(h.get("content-length", "0")) > LIMIT:
                conn.sendall(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                log.append("417 for %s" % h["content-length"])
                break
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        trailers = {}
        if h.get("transfer-encoding") == "chunked":
            body, trailers = read_chunked(f)
        elif "content-length" in h:
            body = f.read(int(h["content-length"]))
        served += 1
        log.append("%s %s body %d trailers %s" % (method, path, len(body), sorted(trailers.items())))
        close = h.get("connection", "").lower() == "close"
        extra = b"Connection: close\r\n" if close else b""
        if path == "/echo":
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sha\r\n" + extra + b"\r\n"
            parts = [body[i:i + 7000] for i in range(0, len(body), 7000)]
            out = head + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
            out += b"0\r\nX-Sha: " + hashlib.sha256(body).hexdigest()[:12].encode() + b"\r\n\r\n"
            conn.sendall(out)
        else:
            text = ("%s %s #%d\n" % (method, path, served)).encode()
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % len(text) + extra
            conn.sendall(head + b"\r\n" + (b"" if method == "HEAD" else text))
        if close:
            break
    f.close()
    conn.close()
    log.append("connection closed after %d" % served)


lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
log = []


def server(n):
    for _ in range(n):
        conn, _ = lsock.accept()
        serve_conn(conn, log)


st = threading.Thread(target=server, args=(2,))
st.start()


def response(r, method="GET"):
    status = r.readline().decode().rstrip()
    h = read_headers(r)
    if method == "HEAD":
        return status, b"", {}
    if h.get("transfer-encoding") == "chunked":
        body, trailers = read_chunked(r)
        return status, body, trailers
    return status, r.read(int(h.get("content-length", 0))), {}


c = socket.create_connection(("127.0.0.1", port), timeout=10)
r = c.makefile("rb")
c.sendall(b"GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n")
print(response(r))

body = bytes(range(256)) * 80
c.sendall(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
c.settimeout(2)
interim = r.readline()
print("interim:", interim, r.readline())
c.settimeout(10)
c.sendall(body)
status, got, trailers = response(r)
print(status, len(got), got == body, trailers, hashlib.sha256(body).hexdigest()[:12])

c.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n")
for m in ("GET", "HEAD", "GET"):
    print("pipelined:", response(r, m))

pieces = [b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", b"5", b";name=v\r\nhel",
          b"lo\r\n1", b"0\r\n" + b"z" * 16 + b"\r\n0\r\nX-Note: trailing\r\n", b"\r\n"]
for p in pieces:
    c.sendall(p)
    time.sleep(0.02)
status, got, trailers = response(r)
print("chunked upload:", status, got, trailers)

c.sendall(b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print(response(r))
print("then EOF:", r.read())
r.close()
c.close()

c = socket.create_connection(("127.0.0.1", port), timeout=10)
r = c.makefile("rb")
c.sendall(b"PUT /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 50000000\r\n\r\n")
print("too big:", response(r), "then EOF:", r.read())
r.close()
c.close()
st.join()
lsock.close()
for line in log:
    print("server:", line)
