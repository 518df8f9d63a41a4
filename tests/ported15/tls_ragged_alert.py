# What a TLS client sends when its read meets a ragged EOF (the server closed the TCP connection without
# close_notify): a relay between client and server logs, as TLS record headers (type, length), every byte the
# client sends after the relay passed the server's EOF on with shutdown(SHUT_WR). The client reads with recv()
# to b"" (suppress_ragged_eofs=True) or to SSLEOFError (False), under TLS 1.3 and TLS 1.2, prints version()
# before and after, then closes. CPython (OpenSSL 3) sends a fatal alert at the EOF; after it version() is None and getpeercert()
# raises ValueError.
# argv[1]: the certificate dir.
import selectors
import socket
import ssl
import sys
import threading

d = sys.argv[1]
log = []


def server(lsock, n):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    for _ in range(n):
        raw, _ = lsock.accept()
        raw.settimeout(5)
        conn = ctx.wrap_socket(raw, server_side=True)
        conn.recv(100)
        conn.sendall(b"reply and close")
        conn.close()  # no close_notify


def records(data):
    out, i = [], 0
    while i + 5 <= len(data):
        out.append((data[i], int.from_bytes(data[i + 3:i + 5], "big")))
        i += 5 + out[-1][1]
    return out


def relay(lsock, up_addr, n):
    for k in range(n):
        c, _ = lsock.accept()
        up = socket.create_connection(up_addr, timeout=5)
        sel = selectors.DefaultSelector()
        sel.register(c, selectors.EVENT_READ, up)
        sel.register(up, selectors.EVENT_READ, c)
        after = b""
        server_eof = False
        while len(sel.get_map()):
            for key, _ in sel.select(timeout=5):
                src, dst = key.fileobj, key.data
                data = src.recv(65536)
                if data and src is c and server_eof:
                    after += data
                elif data:
                    dst.sendall(data)
                else:
                    sel.unregister(src)
                    if src is up:
                        server_eof = True
                        c.shutdown(socket.SHUT_WR)
        sel.close()
        log.append("run %d: after the server's EOF the client sent %d bytes, records %s" %
                   (k, len(after), records(after)))
        c.close()
        up.close()


with socket.create_server(("127.0.0.1", 0)) as slsock, socket.create_server(("127.0.0.1", 0)) as rlsock:
    runs = [(ssl.TLSVersion.TLSv1_3, True), (ssl.TLSVersion.TLSv1_3, False), (ssl.TLSVersion.TLSv1_2, True)]
    st = threading.Thread(target=server, args=(slsock, len(runs)))
    st.start()
    rt = threading.Thread(target=relay, args=(rlsock, slsock.getsockname(), len(runs)))
    rt.start()
    for version, suppress in runs:
        ctx = ssl.create_default_context(cafile=d + "/ca.pem")
        ctx.maximum_version = version
        s = ctx.wrap_socket(socket.create_connection(rlsock.getsockname(), timeout=5),
                            server_hostname="localhost", suppress_ragged_eofs=suppress)
        s.sendall(b"hello")
        before = s.version()
        got = b""
        try:
            while True:
                chunk = s.recv(100)
                if not chunk:
                    print("%s suppress=%s: %r then b'', version() now %s" % (before, suppress, got, s.version()))
                    break
                got += chunk
        except ssl.SSLEOFError as e:
            print("%s suppress=%s: %r then %s, version() now %s" % (before, suppress, got, type(e).__name__,
                                                                    s.version()))
        try:
            print("  getpeercert() now has a subject:", "subject" in s.getpeercert())
        except ValueError as e:
            print("  getpeercert() now raises", type(e).__name__, e)
        s.close()
    st.join(5)
    rt.join(5)

for line in log:
    print(line)
