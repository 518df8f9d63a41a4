# ssl: wrap the listening socket (accept() returns SSLSocket), ALPN, makefile on the TLS connection.
import socket
import ssl
import sys

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
context.set_alpn_protocols(["echo/1", "http/1.1"])
with socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0) as sock:
    sock.bind(("127.0.0.1", int(sys.argv[1])))
    sock.listen(5)
    with context.wrap_socket(sock, server_side=True) as ssock:
        print("listening", type(ssock).__name__)
        conn, addr = ssock.accept()
        print("accepted", type(conn).__name__, conn.version(), conn.selected_alpn_protocol())
        f = conn.makefile("rwb")
        for line in f:
            if line.strip() == b"bye":
                break
            f.write(b"echo: " + line)
            f.flush()
        f.close()
        conn.close()
        print("closed")
