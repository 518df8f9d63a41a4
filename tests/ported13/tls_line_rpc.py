# A line-based RPC over TLS with the test CA: the server wraps each accepted connection, reads commands with
# makefile("rb").readline() and answers on the SSLSocket; the client pipelines five commands in one sendall() and
# reads the answers with a makefile too. Then the client's checks: the server certificate's subject as
# getpeercert() gives it, a server_hostname the certificate does not name, and a server whose certificate comes from
# an untrusted CA (verify_code and verify_message), each refused. argv[1]: the certificate dir.
import socket
import ssl
import sys
import threading

d = sys.argv[1]
slog = []


def serve(lsock, certname, n):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/%s.pem" % certname, d + "/%s.key" % certname)
    for _ in range(n):
        raw, _ = lsock.accept()
        raw.settimeout(5)
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            slog.append("server: handshake failed")
            raw.close()
            continue
        f = conn.makefile("rb")
        count = 0
        for _ in range(20):
            line = f.readline().strip()
            if not line:
                break
            count += 1
            verb, _, arg = line.partition(b" ")
            if verb == b"ECHO":
                conn.sendall(arg + b"\n")
            elif verb == b"REV":
                conn.sendall(arg[::-1] + b"\n")
            elif verb == b"LEN":
                conn.sendall(b"%d\n" % len(arg))
            elif verb == b"BYE":
                conn.sendall(b"bye\n")
                break
            else:
                conn.sendall(b"ERR " + verb + b"\n")
        f.close()
        slog.append("server: %d commands, %s" % (count, conn.version() in ("TLSv1.2", "TLSv1.3")))
        conn.close()


good = socket.create_server(("127.0.0.1", 0))
bad = socket.create_server(("127.0.0.1", 0))
threads = [threading.Thread(target=serve, args=(good, "server", 2)),
           threading.Thread(target=serve, args=(bad, "untrusted", 1))]
for t in threads:
    t.start()
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
with socket.create_connection(good.getsockname(), timeout=5) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as c:
        subject = c.getpeercert()["subject"]
        print("subject:", subject)
        c.sendall(b"ECHO hello\nREV stressed\nLEN abcdef\nPING x\nBYE\n")
        f = c.makefile("rb")
        for _ in range(5):
            print("answer:", f.readline())
        print("then:", f.readline())
        f.close()
for host, lsock in (("wrong.example", good), ("localhost", bad)):
    with socket.create_connection(lsock.getsockname(), timeout=5) as raw:
        try:
            ctx.wrap_socket(raw, server_hostname=host)
        except ssl.SSLCertVerificationError as e:
            print(host, "refused:", e.verify_code, e.verify_message, isinstance(e, ssl.SSLError))
for t in threads:
    t.join()
good.close()
bad.close()
for line in slog:
    print(line)
