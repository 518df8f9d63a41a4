# ssl client: SSLContext(PROTOCOL_TLS_CLIENT), ALPN, cipher, the peer certificate's fields, makefile.
import socket
import ssl
import sys

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.load_verify_locations(cafile=sys.argv[2])
context.set_alpn_protocols(["echo/1"])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as sock:
    with context.wrap_socket(sock, server_hostname="localhost") as ssock:
        print(ssock.version(), ssock.selected_alpn_protocol(), ssock.cipher()[1], ssock.server_hostname)
        cert = ssock.getpeercert()
        print(cert["subjectAltName"], cert["issuer"])
        print(sorted(cert.keys()))
        f = ssock.makefile("rwb")
        for msg in [b"one\n", b"two\n"]:
            f.write(msg)
            f.flush()
            print(f.readline())
        f.write(b"bye\n")
        f.flush()
        print("after bye", f.read())
        f.close()
