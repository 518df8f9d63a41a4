# The ssl documentation's "Notes on non-blocking sockets" as a program: a client that does its handshake on a
# non-blocking socket (do_handshake() in a loop, select() on SSLWantReadError / SSLWantWriteError), then reads
# with select() + recv(1024) and drains what OpenSSL already decrypted with pending() (select() does not see
# it). The server (a thread) requires a client certificate (CERT_REQUIRED, the client's CN printed), sends 64 KB
# in one sendall() (four 16 KB records), then a line, then closes. argv[1]: the certificate dir; argv[2] ==
# "unwrap": both sides end TLS with unwrap() (non-blocking on the client) and read the plain socket's EOF.
import hashlib
import select
import socket
import ssl
import sys
import threading

d = sys.argv[1]
unwrap = sys.argv[2:] == ["unwrap"]
blob = bytes(range(256)) * 256
slog = []  # the server thread's lines, printed after join() (threads' prints would mix)


def server(lsock):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(d + "/ca.pem")
    conn, _ = lsock.accept()
    with ctx.wrap_socket(conn, server_side=True) as tls:
        subject = dict(x[0] for x in tls.getpeercert()["subject"])
        slog.append(("server: client certificate CN:", subject["commonName"]))
        go = tls.recv(16)
        slog.append(("server: got", go))
        tls.sendall(blob)
        tls.sendall(b"that was 64 KB\n")
        slog.append(("server: the client's bye:", tls.recv(16)))
        if unwrap:
            plain = tls.unwrap()
            plain.close()
    lsock.close()


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=server, args=(lsock,))
t.start()

ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/client.pem", d + "/client.key")
raw = socket.create_connection(lsock.getsockname(), timeout=20)
raw.setblocking(False)
sock = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
wants = set()
for _ in range(1000):
    try:
        sock.do_handshake()
        break
    except ssl.SSLWantReadError:
        wants.add("read")
        select.select([sock], [], [], 5)
    except ssl.SSLWantWriteError:
        wants.add("write")
        select.select([], [sock], [], 5)
# Whether it ever waited is a race even in CPython (the server thread may answer within the first call).
print("client: handshake done, version", sock.version())
try:
    sock.recv(1024)
except ssl.SSLWantReadError as e:
    print("client: nothing yet:", type(e).__name__)
sock.send(b"go")

got = b""
saw_pending = False
selects = 0
while len(got) < len(blob) + 15 and selects < 2000:
    r, _, _ = select.select([sock], [], [], 5)
    selects += 1
    if not r:
        print("client: select() timed out with", len(got), "bytes, pending", sock.pending())
        break
    try:
        data = sock.recv(1024)
    except ssl.SSLWantReadError:
        continue
    while sock.pending():
        saw_pending = True
        data += sock.recv(sock.pending())
    got += data
print("client: got", len(got), "bytes, blob intact:",
      hashlib.sha256(got[:len(blob)]).digest() == hashlib.sha256(blob).digest(),
      "tail:", got[len(blob):], "pending() was used:", saw_pending)
sock.send(b"bye")
if not unwrap:
    sock.close()
for _ in range(1000 if unwrap else 0):
    try:
        plain = sock.unwrap()
        break
    except ssl.SSLWantReadError:
        select.select([sock], [], [], 5)
if unwrap:
    plain.setblocking(True)
    print("client: unwrapped to", type(plain).__name__, "reading", plain.recv(10))
    plain.close()
t.join()
for line in slog:
    print(*line)
