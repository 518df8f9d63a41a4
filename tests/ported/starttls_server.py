# STARTTLS: a plain line protocol upgraded to TLS on the same connection (SMTP/IMAP style).
import socket
import ssl
import sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, _ = srv.accept()
conn.sendall(b"220 ready\r\n")
line = conn.recv(100)
print("plain:", line)
conn.sendall(b"220 go ahead\r\n")
tls = ctx.wrap_socket(conn, server_side=True)
print("upgraded:", tls.version())
data = tls.recv(100)
print("secure:", data)
tls.sendall(b"250 " + data)
tls.close()
srv.close()
