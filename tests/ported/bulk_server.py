# Receive to EOF, then reply with the length and a checksum (sendall of 10 MB, networking course).
import hashlib
import socket
import sys

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(1)
conn, addr = srv.accept()
h = hashlib.sha256()
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    h.update(data)
    total += len(data)
print("received", total, h.hexdigest())
conn.sendall(("%d %s\n" % (total, h.hexdigest())).encode())
conn.close()
srv.close()
