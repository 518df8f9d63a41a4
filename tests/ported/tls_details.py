# What a TLS course program meets beyond the handshake: an SSLSocket's attributes, the peer certificate in DER
# and back through PEM, pending() after a partial recv, recv_into, a 100 KB reply over a makefile('rwb') line
# protocol, the calls CPython refuses on an SSLSocket (flags, sendto, recvfrom) and their messages, a read
# timeout's message, EOF after the server closes, and context errors (check_hostname without a server name,
# CERT_NONE while check_hostname is on, missing files). argv: the certificate directory (ca.pem, server.pem/key).
import socket
import ssl
import sys
import threading

D = sys.argv[1]


def show(label, fn):
    try:
        print(label, "ok", repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, str(e).split(" (_ssl.c")[0])


sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(D + "/server.pem", D + "/server.key")
listener = socket.create_server(("127.0.0.1", 0))
port = listener.getsockname()[1]
log = []


def serve():
    conn, _ = listener.accept()
    with sctx.wrap_socket(conn, server_side=True) as s:
        log.append(("server side", s.server_side, s.version()))
        f = s.makefile("rwb")
        for line in f:
            if line == b"quit\n":
                break
            if line.startswith(b"big"):
                f.write(b"B" * 100000 + b"\n")
            else:
                f.write(line.upper())
            f.flush()
        f.close()


t = threading.Thread(target=serve)
t.start()
cctx = ssl.create_default_context(cafile=D + "/ca.pem")
show("no server_hostname", lambda: cctx.wrap_socket(socket.socket()))
raw = socket.create_connection(("127.0.0.1", port))
c = cctx.wrap_socket(raw, server_hostname="localhost")
print("client", c.server_side, c.server_hostname, c.compression(), c.selected_alpn_protocol(), c.version())
der = c.getpeercert(binary_form=True)
print("der", type(der).__name__, ssl.PEM_cert_to_DER_cert(ssl.DER_cert_to_PEM_cert(der)) == der)
print("subject", dict(x[0] for x in c.getpeercert()["subject"])["commonName"])
show("pending before", lambda: c.pending())
c.sendall(b"hello\n")
show("recv 3", lambda: c.recv(3))
show("pending after", lambda: c.pending())
buf = bytearray(10)
show("recv_into", lambda: (c.recv_into(buf), bytes(buf[:3])))
c.sendall(b"big\n")
n = 0
while n < 100001:
    n += len(c.recv(65536))
print("big reply", n)
show("recv MSG_PEEK", lambda: c.recv(10, socket.MSG_PEEK))
show("send flags", lambda: c.send(b"x", 1))
show("sendto", lambda: c.sendto(b"x", ("127.0.0.1", port)))
show("recvfrom", lambda: c.recvfrom(10))
c.settimeout(0.3)
show("timed recv", lambda: c.recv(10))
c.settimeout(5)
f = c.makefile("rwb")
f.write(b"via file\n")
f.flush()
show("file readline", lambda: f.readline())
f.write(b"quit\n")
f.flush()
show("recv at EOF", lambda: c.recv(10))
show("recv again", lambda: c.recv(10))
f.close()
c.close()
t.join(10)
print(*log)
listener.close()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
show("missing cert file", lambda: ctx.load_cert_chain(D + "/nope.pem"))
show("key of another cert", lambda: ctx.load_cert_chain(D + "/server.pem", D + "/client.key"))
show("missing CA file", lambda: ctx.load_verify_locations(D + "/nope.pem"))
show("no CA given", lambda: ctx.load_verify_locations())
cc = ssl.create_default_context()
show("CERT_NONE with check_hostname", lambda: setattr(cc, "verify_mode", ssl.CERT_NONE))
cc.check_hostname = False
cc.verify_mode = ssl.CERT_NONE
print("modes", cc.verify_mode, cc.check_hostname)
cc.check_hostname = True
print("modes", cc.verify_mode, cc.check_hostname)
show("client context, server side", lambda: ssl.create_default_context().wrap_socket(socket.socket(), server_side=True))
