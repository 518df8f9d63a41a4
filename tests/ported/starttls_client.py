# STARTTLS client; then a second connection whose certificate check fails on the host name.
import socket
import ssl
import sys

ctx = ssl.create_default_context(cafile=sys.argv[2])
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print(s.recv(100))
s.sendall(b"STARTTLS\r\n")
print(s.recv(100))
t = ctx.wrap_socket(s, server_hostname="localhost")
print("upgraded:", t.version(), t.getpeercert()["subject"][0])
t.sendall(b"secret stuff")
print(t.recv(100))
print("eof", t.recv(100))
t.close()
