# A client that trusts the CA but asks for a host name the certificate does not name.
import socket
import ssl
import sys

ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
    try:
        ctx.wrap_socket(s, server_hostname="localhost")
        print("verified?")
    except ssl.SSLCertVerificationError as e:
        print(type(e).__name__, e.verify_code, e.verify_message)
        print(e)
