# The PostgreSQL wire protocol's start: a client sends SSLRequest (length 8, code 80877103); the server answers b"S"
# and both wrap the same socket in TLS (the server with server_side=True on the accepted socket), or b"N" and the
# session goes on in plain text. Then the startup message (protocol 3.0, NUL-separated parameters), a cleartext
# password exchange, ParameterStatus/ReadyForQuery, a simple query answered with RowDescription, DataRows and
# CommandComplete, an ErrorResponse for a bad password and for an unknown table, and Terminate. Messages are
# packed with struct (type byte, "!i" length). argv[1]: the certificate dir.
import socket
import ssl
import struct
import sys
import threading

d = sys.argv[1]
SSL_CODE = 80877103
TABLE = [(b"alice", b"30"), (b"bob", b"25"), (b"carol", None)]
log = []


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def msg(t, body):
    return t + struct.pack("!i", len(body) + 4) + body


def read_msg(s):
    t = recv_exact(s, 1)
    (n,) = struct.unpack("!i", recv_exact(s, 4))
    return t, recv_exact(s, n - 4)


def cstr(x):
    return x + b"\0"


def error(severity, code, text):
    return msg(b"E", b"S" + cstr(severity) + b"C" + cstr(code) + b"M" + cstr(text) + b"\0")


def serve_one(conn, n, tls_ok, sctx):
    (length,) = struct.unpack("!i", recv_exact(conn, 4))
    body = recv_exact(conn, length - 4)
    (code,) = struct.unpack("!i", body[:4])
    if code == SSL_CODE:
        if tls_ok:
            conn.sendall(b"S")
            conn = sctx.wrap_socket(conn, server_side=True)
            log.append("conn %d: TLS %s" % (n, conn.version()))
        else:
            conn.sendall(b"N")
            log.append("conn %d: SSL refused" % n)
        (length,) = struct.unpack("!i", recv_exact(conn, 4))
        body = recv_exact(conn, length - 4)
        (code,) = struct.unpack("!i", body[:4])
    parts = body[4:].split(b"\0")
    params = dict(zip(parts[0:-2:2], parts[1:-2:2]))
    log.append("conn %d: protocol %d.%d, params %s" % (n, code >> 16, code & 0xFFFF, sorted(params.items())))
    conn.sendall(msg(b"R", struct.pack("!i", 3)))
    t, body = read_msg(conn)
    if t != b"p" or body != b"secret\0":
        conn.sendall(error(b"FATAL", b"28P01", b'password authentication failed for user "%s"' % params[b"user"]))
        log.append("conn %d: bad password" % n)
        return conn
    conn.sendall(msg(b"R", struct.pack("!i", 0)) + msg(b"S", b"server_version\x0014.0\0") +
                 msg(b"Z", b"I"))
    while True:
        t, body = read_msg(conn)
        if t == b"X":
            log.append("conn %d: terminate" % n)
            return conn
        q = body.rstrip(b"\0")
        log.append("conn %d: query %r" % (n, q))
        if q == b"SELECT name, age FROM people":
            out = msg(b"T", struct.pack("!h", 2) + b"".join(
                cstr(name) + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0) for name in (b"name", b"age")))
            for row in TABLE:
                cols = b"".join(struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v
                                for v in row)
                out += msg(b"D", struct.pack("!h", len(row)) + cols)
            out += msg(b"C", b"SELECT %d\0" % len(TABLE))
        else:
            out = error(b"ERROR", b"42P01", b'relation "%s" does not exist' % q.split()[-1])
        conn.sendall(out + msg(b"Z", b"I"))


def server(lsock):
    sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    for n, tls_ok in enumerate((True, False, True)):
        conn, _ = lsock.accept()
        conn.settimeout(5)
        try:
            conn = serve_one(conn, n, tls_ok, sctx)
        except EOFError as e:
            log.append("conn %d: EOFError %s" % (n, e))
        conn.close()


def startup(s, user):
    body = struct.pack("!i", 196608) + b"user\0" + user + b"\0database\0shop\0application_name\0port\0\0"
    s.sendall(struct.pack("!i", len(body) + 4) + body)


def client(addr, cctx, user, password, queries):
    raw = socket.create_connection(addr, timeout=5)
    raw.sendall(struct.pack("!ii", 8, SSL_CODE))
    answer = raw.recv(1)
    print("SSLRequest ->", answer)
    s = cctx.wrap_socket(raw, server_hostname="localhost") if answer == b"S" else raw
    print("  transport:", type(s).__name__, s.version() if answer == b"S" else "plain")
    startup(s, user)
    t, body = read_msg(s)
    print("  auth request:", t, struct.unpack("!i", body)[0])
    s.sendall(msg(b"p", cstr(password)))
    while True:
        t, body = read_msg(s)
        if t == b"E":
            print("  error:", [f for f in body.split(b"\0") if f])
            s.close()
            return
        if t == b"R":
            print("  auth:", struct.unpack("!i", body)[0])
        elif t == b"S":
            print("  parameter:", body.split(b"\0")[:2])
        elif t == b"Z":
            print("  ready:", body)
            break
    for q in queries:
        s.sendall(msg(b"Q", cstr(q)))
        while True:
            t, body = read_msg(s)
            if t == b"T":
                (nf,) = struct.unpack("!h", body[:2])
                rest = body[2:]
                names = []
                for _ in range(nf):
                    i = rest.index(b"\0")
                    names.append(rest[:i])
                    rest = rest[i + 1 + 18:]
                print("  columns:", names)
            elif t == b"D":
                (nc,) = struct.unpack("!h", body[:2])
                off, row = 2, []
                for _ in range(nc):
                    (ln,) = struct.unpack("!i", body[off:off + 4])
                    off += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(body[off:off + ln])
                        off += ln
                print("  row:", row)
            elif t == b"C":
                print("  complete:", body)
            elif t == b"E":
                print("  error:", [f for f in body.split(b"\0") if f])
            elif t == b"Z":
                print("  ready:", body)
                break
    s.sendall(msg(b"X", b""))
    s.close()


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    t = threading.Thread(target=server, args=(lsock,))
    t.start()
    cctx = ssl.create_default_context(cafile=d + "/ca.pem")
    client(addr, cctx, b"alice", b"secret", [b"SELECT name, age FROM people"])
    client(addr, cctx, b"mallory", b"guess", [])
    client(addr, cctx, b"bob", b"secret", [b"SELECT * FROM orders", b"SELECT name, age FROM people"])
    t.join(10)

for line in log:
    print(line)
