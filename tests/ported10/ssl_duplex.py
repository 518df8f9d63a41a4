# TLS as the ssl docs set it up (create_default_context(Purpose.CLIENT_AUTH) with a required client certificate,
# Purpose.SERVER_AUTH with a CA file), then what real programs do on top: both ends sending 4 MB at once (a
# thread each: TLS reads and writes in parallel on one SSLSocket), small records trickling in to a reader with a
# 2 ms timeout and recv_into() of memoryview slices (timeouts lose no byte), SSLSocket.sendfile() with an offset
# and a count, a CERT_OPTIONAL server and a client without a certificate (getpeercert() is None), a client
# checking an IP the certificate does not name, a client whose certificate another CA signed.
# argv[1]: the certificates' directory (ca, server, client, evil_client).
import hashlib
import os
import socket
import ssl
import sys
import tempfile
import threading
import time

d = sys.argv[1]
SIZE = 4 << 20
up = bytes(range(256)) * (SIZE // 256)
down = bytes(reversed(range(256))) * (SIZE // 256)
fd, path = tempfile.mkstemp()
os.write(fd, bytes((i * 13) % 256 for i in range(256)) * 4096)
os.close(fd)
with open(path, "rb") as f:
    filedata = f.read()

required = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
required.load_cert_chain(d + "/server.pem", d + "/server.key")
required.verify_mode = ssl.CERT_REQUIRED
required.load_verify_locations(d + "/ca.pem")
optional = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
optional.load_cert_chain(d + "/server.pem", d + "/server.key")
optional.verify_mode = ssl.CERT_OPTIONAL
optional.load_verify_locations(d + "/ca.pem")

lsock = socket.create_server(("127.0.0.1", 0))
lsock.settimeout(30)  # bounded: a client that never comes cannot hang the server thread
port = lsock.getsockname()[1]
log = []


def recv_exact(s, n):
    chunks = []
    while n:
        c = s.recv(min(n, 65536))
        if not c:
            break
        chunks.append(c)
        n -= len(c)
    return b"".join(chunks)


def server():
    for ctx in (required, optional, required, required):
        newsock, _ = lsock.accept()
        try:
            conn = ctx.wrap_socket(newsock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log.append("server handshake failed: %s" % isinstance(e, OSError))
            newsock.close()
            continue
        with conn:
            conn.settimeout(20)
            cert = conn.getpeercert()
            log.append("server sees %s" % (dict(x[0] for x in cert["subject"])["commonName"] if cert else cert))
            if ctx is optional:
                conn.sendall(b"hello stranger")
                try:
                    conn.recv(1)
                except OSError:  # the client's close without close_notify
                    pass
                continue
            t = threading.Thread(target=conn.sendall, args=(down,))
            t.start()
            got = recv_exact(conn, SIZE)
            t.join()
            log.append("server got %d up ok %s" % (len(got), got == up))
            for i in range(100):
                conn.sendall(b"%03d" % i)
                time.sleep(0.003)
            got = recv_exact(conn, 500_000)
            log.append("server got sendfile %d ok %s" % (len(got), got == filedata[10:500_010]))
            conn.sendall(b"done")
            conn.recv(1)


st = threading.Thread(target=server)
st.start()


def client(certfile=None, hostname="localhost"):
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=d + "/ca.pem")
    if certfile:
        ctx.load_cert_chain(d + "/" + certfile + ".pem", d + "/" + certfile + ".key")
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    return ctx.wrap_socket(sock, server_hostname=hostname)


with client("client") as s:
    print("version", s.version(), "server", dict(x[0] for x in s.getpeercert()["subject"])["commonName"])
    t = threading.Thread(target=s.sendall, args=(up,))
    t.start()
    got = recv_exact(s, SIZE)
    t.join()
    print("client got", len(got), "down ok", got == down, hashlib.sha256(got).hexdigest()[:12])
    s.settimeout(0.002)
    buf = bytearray(300)
    view = memoryview(buf)
    timeouts = 0
    deadline = time.monotonic() + 20
    while len(view) and time.monotonic() < deadline:
        try:
            n = s.recv_into(view)
        except TimeoutError:
            timeouts += 1
            continue
        view = view[n:]
    print("trickle", bytes(buf[:12]), bytes(buf[-6:]), buf == b"".join(b"%03d" % i for i in range(100)),
          "timed out sometimes:", timeouts > 0)
    s.settimeout(20)
    with open(path, "rb") as f:
        print("sendfile", s.sendfile(f, 10, 500_000), "position", f.tell())
    print("end", s.recv(4))

with client() as s:
    print("no client certificate, optional:", s.recv(100))

try:
    with client("client", "127.0.0.2") as s:
        print("connected?", s.version())
except ssl.SSLCertVerificationError as e:
    print("wrong IP:", type(e).__name__, e.verify_code, e.verify_message)

try:
    with client("evil_client") as s:
        s.settimeout(5)
        data = s.recv(100)
        print("evil client refused:", data == b"")
except OSError:  # an alert (SSLError), a reset or a broken pipe, depending on timing
    print("evil client refused:", True)
st.join()
lsock.close()
for line in log:
    print(line)
os.unlink(path)
