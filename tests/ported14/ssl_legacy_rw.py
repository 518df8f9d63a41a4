# Python-2-era TLS code on SSLSocket's legacy read()/write(): a server wrapping with do_handshake_on_connect=False
# and calling do_handshake() itself, answering with write(); a client wrapping an unconnected socket (the handshake
# runs in connect()), reading with read() (default length), read(n) leaving pending() bytes of the record,
# read(n, buffer) into a bytearray; the end of a session: a server that shutdown(SHUT_RDWR)s and closes, as the ssl
# docs' server does (read() gives b''), or only closes (no close_notify: b'' with suppress_ragged_eofs, else
# SSLEOFError; the docs' shutdown() sends no close_notify either in CPython, but pysocket's does: docs/limits.md).
# argv[1]: the certificate dir.
import socket
import ssl
import sys
import threading

d = sys.argv[1]
slog = []


def server(lsock):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    for ending in ("shutdown", "close", "close"):
        raw, _ = lsock.accept()
        raw.settimeout(5)
        conn = ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        conn.do_handshake()
        slog.append("server: handshake done, %s" % conn.version())
        while True:
            data = conn.read()
            if not data or data.strip() == b"BYE":
                break
            n = conn.write(data.upper() + b" WORLD")
            slog.append("server: wrote %d" % n)
        conn.write(b"CIAO")
        if ending == "close":
            conn.close()
        else:
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    t = threading.Thread(target=server, args=(lsock,))
    t.start()
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    for i, suppress in enumerate((True, False, True)):
        s = ctx.wrap_socket(socket.socket(), server_hostname="localhost", suppress_ragged_eofs=suppress)
        s.settimeout(5)
        print("session", i, "suppress_ragged_eofs", suppress)
        print("  before connect: version", s.version())
        s.connect(addr)
        print("  after connect:", s.version(), s.getpeercert()["subject"][0])
        print("  write:", s.write(b"hello"))
        print("  read():", s.read())
        s.write(b"abc")
        first = s.read(3)
        print("  read(3):", first, "pending", s.pending())
        buf = bytearray(4)
        n = s.read(4, buf)
        print("  read(4, buf):", n, bytes(buf), "pending", s.pending())
        print("  read(100):", s.read(100), "pending", s.pending())
        s.write(b"BYE")
        print("  goodbye:", s.read())
        try:
            print("  at the end: read() ->", s.read())
        except ssl.SSLError as e:
            print("  at the end:", type(e).__name__, "is SSLError:", isinstance(e, ssl.SSLError),
                  "errno", e.errno)
        s.close()
    t.join(10)

for line in slog:
    print(line)
