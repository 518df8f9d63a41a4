# A Gemini server and client: one request line (an absolute URL ending in CRLF, at most 1024 bytes) over TLS, a
# "<status> <meta>" header line, the body, then the server closes. The client trusts on first use, as Gemini
# clients do: its context has check_hostname off and CERT_NONE (getpeercert() is {} then), and it pins the SHA-256
# of getpeercert(binary_form=True) per host; it follows a 31 redirect, answers a 10 input prompt with a query,
# shows 51 and 59 (a request line too long), and refuses the server once the server's certificate changes.
# argv[1]: the certificate dir.
import hashlib
import socket
import ssl
import sys
import threading
from urllib.parse import quote, unquote, urlparse

d = sys.argv[1]
PAGES = {"/": b"# Welcome\n=> /about About\n", "/about": b"A tiny capsule.\n"}
log = []


def respond(conn):
    buf = b""
    while b"\r\n" not in buf and len(buf) <= 1026:
        chunk = conn.recv(512)
        if not chunk:
            return "no request" if not buf else "request cut"
        buf += chunk
    line, _, _ = buf.partition(b"\r\n")
    if len(line) > 1024 or b"\r\n" not in buf:
        conn.sendall(b"59 Request too long\r\n")
        return "59 for a request line of more than 1024 bytes"
    url = urlparse(line.decode())
    if url.path == "/old":
        conn.sendall(b"31 gemini://localhost/about\r\n")
    elif url.path == "/search":
        if not url.query:
            conn.sendall(b"10 What are you looking for?\r\n")
        else:
            conn.sendall(b"20 text/gemini\r\n# Results for " + unquote(url.query).encode() + b"\n")
    elif url.path in PAGES:
        conn.sendall(b"20 text/gemini; charset=utf-8\r\n" + PAGES[url.path])
    else:
        conn.sendall(b"51 Not found\r\n")
    return "%s -> %s" % (url.path + ("?" + url.query if url.query else ""), "sent")


def server(lsock, nconns):
    contexts = []
    for name in ("self", "server"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(d + "/%s.pem" % name, d + "/%s.key" % name)
        contexts.append(ctx)
    for i in range(nconns):
        raw, _ = lsock.accept()
        raw.settimeout(5)
        # the certificate is renewed before the last connection
        with contexts[1 if i == nconns - 1 else 0].wrap_socket(raw, server_side=True) as conn:
            try:
                log.append("%d: %s" % (i, respond(conn)))
            except ConnectionResetError:
                # a client that leaves at once may leave the session tickets unread: its close resets
                log.append("%d: no request" % i)


known_hosts = {}


def fetch(addr, url, cctx, redirects=3):
    host = urlparse(url).hostname
    with cctx.wrap_socket(socket.create_connection(addr, timeout=5), server_hostname=host) as s:
        der = s.getpeercert(binary_form=True)
        fp = hashlib.sha256(der).hexdigest()
        if host not in known_hosts:
            known_hosts[host] = fp
            print("  TOFU: trusting %s (getpeercert() %r, %s)" % (host, s.getpeercert(), s.version()))
        elif known_hosts[host] != fp:
            print("  TOFU: certificate of %s changed, refusing" % host)
            return None
        s.sendall(url.encode() + b"\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    header, _, body = data.partition(b"\r\n")
    status, _, meta = header.decode().partition(" ")
    print("  %s -> %s %r %r" % (url if len(url) < 60 else url[:30] + "...", status, meta, body))
    if status.startswith("3") and redirects:
        return fetch(addr, meta, cctx, redirects - 1)
    if status.startswith("1"):
        return fetch(addr, url + "?" + quote("hello world"), cctx, redirects)
    return status


URLS = ["gemini://localhost/", "gemini://localhost/old", "gemini://localhost/missing",
        "gemini://localhost/search", "gemini://localhost/" + "x" * 1100, "gemini://localhost/about"]

with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    t = threading.Thread(target=server, args=(lsock, 8))
    t.start()
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    for url in URLS:
        print("fetch", url[:40])
        print("  final status:", fetch(addr, url, cctx))
    t.join(10)

pem = open(d + "/self.pem").read()
print("pinned the self-signed certificate:",
      known_hosts["localhost"] == hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest())
for line in log:
    print(line)
