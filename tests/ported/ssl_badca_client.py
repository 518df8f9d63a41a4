# ssl docs: a client that does not trust the server's CA gets SSLCertVerificationError.
import socket
import ssl
import sys

PORT = int(sys.argv[1])
context = ssl.create_default_context()
with socket.create_connection(("localhost", PORT)) as sock:
    try:
        with context.wrap_socket(sock, server_hostname="localhost") as ssock:
            print(ssock.version())
    except ssl.SSLCertVerificationError as e:
        print("verify failed:", e.verify_code, e.verify_message)
    except ssl.SSLError as e:
        print("ssl error", type(e).__name__)
