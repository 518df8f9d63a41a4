# What a TLS client and server print about their session, as the ssl docs' examples and many tutorials do:
# version(), cipher() (name, protocol, bits), selected_alpn_protocol() (a match, no overlap, none offered),
# getpeercert() fields (subject, issuer, subjectAltName, notAfter parsed by ssl.cert_time_to_seconds,
# serialNumber's length), binary_form's DER header, server_hostname, server_side, the context attributes
# (protocol, verify_mode, check_hostname, minimum/maximum_version, options flags), and a mutual-TLS session
# (the server's view of the client certificate). argv[1]: the certificate dir; argv[2] == "shared": the server
# also prints len(shared_ciphers()) > 0; argv[2] == "nooverlap": also a session whose ALPN lists share nothing.
import socket
import ssl
import sys
import threading
import time

d = sys.argv[1]
shared = sys.argv[2:] == ["shared"]
nooverlap = sys.argv[2:] == ["nooverlap"]
slog = []


def server_ctx(alpn, require_cert):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    if alpn is not None:
        ctx.set_alpn_protocols(alpn)
    if require_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(d + "/ca.pem")
    return ctx


def serve(lsock, ctx):
    conn, _ = lsock.accept()
    with ctx.wrap_socket(conn, server_side=True) as tls:
        slog.append(("server: version", tls.version(), "alpn", tls.selected_alpn_protocol()))
        slog.append(("server: server_side", tls.server_side, "server_hostname", tls.server_hostname))
        c = tls.cipher()
        slog.append(("server: cipher protocol", c[1], "bits", c[2]))
        peer = tls.getpeercert()
        if peer:
            subject = dict(x[0] for x in peer["subject"])
            slog.append(("server: client CN", subject.get("commonName"), "issuer CN",
                         dict(x[0] for x in peer["issuer"]).get("commonName")))
        else:
            slog.append(("server: no client certificate", peer))
        if shared:
            slog.append(("server: shared ciphers listed", len(tls.shared_ciphers() or []) > 0))
        tls.sendall(b"hello " + tls.version().encode())
        tls.recv(16)


def session(client_alpn, server_alpn, client_cert=False):
    sctx = server_ctx(server_alpn, client_cert)
    lsock = socket.create_server(("127.0.0.1", 0))
    port = lsock.getsockname()[1]
    t = threading.Thread(target=serve, args=(lsock, sctx))
    t.start()
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    if client_alpn is not None:
        ctx.set_alpn_protocols(client_alpn)
    if client_cert:
        ctx.load_cert_chain(d + "/client.pem", d + "/client.key")
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        print("client: version", tls.version(), "alpn", repr(tls.selected_alpn_protocol()))
        print("client: server_side", tls.server_side, "server_hostname", tls.server_hostname)
        name, proto, bits = tls.cipher()
        print("client: cipher protocol", proto, "bits", bits, "name is TLS 1.3 style:", name.startswith("TLS_"))
        print("client: shared_ciphers", tls.shared_ciphers(), "compression", tls.compression())
        cert = tls.getpeercert()
        print("client: subject", cert["subject"])
        print("client: issuer", cert["issuer"])
        print("client: subjectAltName", cert["subjectAltName"])
        print("client: version field", cert["version"], "serial hex digits", len(cert["serialNumber"]) > 0)
        left = ssl.cert_time_to_seconds(cert["notAfter"]) - time.time()
        print("client: notAfter within 3 days", 0 < left < 3 * 86400, "notBefore parses",
              ssl.cert_time_to_seconds(cert["notBefore"]) < time.time() + 60)
        der = tls.getpeercert(binary_form=True)
        print("client: DER starts", der[:1], "PEM round trip", ssl.PEM_cert_to_DER_cert(ssl.DER_cert_to_PEM_cert(der)) == der)
        print("client: got", tls.recv(64))
        tls.sendall(b"bye")
    t.join()
    lsock.close()
    for line in slog:
        print(*line)
    slog.clear()


ctx = ssl.create_default_context()
print("default context: protocol", ctx.protocol == ssl.PROTOCOL_TLS_CLIENT, "verify_mode", ctx.verify_mode,
      "check_hostname", ctx.check_hostname)
print("  minimum", ctx.minimum_version, "maximum", ctx.maximum_version)
print("  OP_NO_SSLv3", bool(ctx.options & ssl.OP_NO_SSLv3), "OP_NO_COMPRESSION",
      bool(ctx.options & ssl.OP_NO_COMPRESSION))
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
print("server context: protocol", sctx.protocol == ssl.PROTOCOL_TLS_SERVER, "verify_mode", sctx.verify_mode,
      "check_hostname", sctx.check_hostname)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
print("  pinned:", ctx.minimum_version, ctx.maximum_version)

print("== ALPN h2 and http/1.1, the server prefers http/1.1")
session(["h2", "http/1.1"], ["http/1.1"])
if nooverlap:
    print("== ALPN with no overlap")
    try:
        session(["h2"], ["spdy/3"])
    except (ssl.SSLError, OSError) as e:
        print("no overlap:", type(e).__name__)
print("== no ALPN")
session(None, None)
print("== mutual TLS")
session(None, None, client_cert=True)
