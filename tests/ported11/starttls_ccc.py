# FTP's CCC in miniature: a line protocol starts in plaintext, upgrades with STARTTLS (AUTH TLS), exchanges a
# command under TLS, then both sides send close_notify with unwrap() ("CCC": clear the command channel) and go on
# in plaintext on the same TCP connection; bytes the server writes right after its unwrap() reach the client's
# plain socket, and the client's plain bytes after its unwrap() reach the server. argv[1]: the certificate dir.
import socket
import ssl
import sys
import threading

d = sys.argv[1]
slog = []


def server(lsock):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    conn, _ = lsock.accept()
    conn.settimeout(5)
    f = conn.makefile("rb")
    conn.sendall(b"220 ready\r\n")
    slog.append(("server: plain", f.readline()))
    f.close()
    conn.sendall(b"234 go ahead\r\n")
    tls = ctx.wrap_socket(conn, server_side=True)
    slog.append(("server: tls", tls.recv(64), tls.version()))
    tls.sendall(b"200 secret ok\r\n")
    slog.append(("server: tls", tls.recv(64)))
    tls.sendall(b"200 CCC ok\r\n")
    plain = tls.unwrap()
    slog.append(("server: unwrapped to", type(plain).__name__))
    plain.sendall(b"200 plain again\r\n")
    buf = b""
    while not buf.endswith(b"QUIT\r\n"):
        data = plain.recv(64)
        if not data:
            break
        buf += data
    slog.append(("server: plain after CCC", buf))
    plain.sendall(b"221 bye\r\n")
    plain.close()


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=server, args=(lsock,))
t.start()
c = socket.create_connection(lsock.getsockname(), timeout=5)
print("client:", c.recv(64))
c.sendall(b"AUTH TLS\r\n")
print("client:", c.recv(64))
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
tls = ctx.wrap_socket(c, server_hostname="localhost")
tls.sendall(b"SECRET\r\n")
print("client: tls", tls.recv(64))
tls.sendall(b"CCC\r\n")
print("client: tls", tls.recv(64))
try:
    plain = tls.unwrap()
except OSError as e:
    print("client: unwrap failed:", type(e).__name__, e.errno)
    tls.close()
    t.join()
    lsock.close()
    sys.exit(1)
print("client: unwrapped to", type(plain).__name__)
buf = b""
while not buf.endswith(b"again\r\n"):
    data = plain.recv(64)
    if not data:
        break
    buf += data
print("client: plain", buf)
plain.sendall(b"LIST\r\n")
plain.sendall(b"QUIT\r\n")
print("client: plain", plain.recv(64))
print("client: then", plain.recv(64))
plain.close()
t.join()
lsock.close()
for line in slog:
    print(*line)
