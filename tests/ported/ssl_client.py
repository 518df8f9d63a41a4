# ssl docs: client with create_default_context and a local CA (cafile from argv).
import socket
import ssl
import sys

PORT = int(sys.argv[1])
context = ssl.create_default_context()
context.load_verify_locations(sys.argv[2])
print(context.verify_mode == ssl.CERT_REQUIRED, context.check_hostname)
conn = context.wrap_socket(socket.socket(socket.AF_INET),
                           server_hostname="localhost")
conn.connect(("localhost", PORT))
cert = conn.getpeercert()
print(cert["subject"])
print(conn.version())
conn.sendall(b"HEAD /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n")
print(conn.recv(1024).split(b"\r\n"))
conn.close()
