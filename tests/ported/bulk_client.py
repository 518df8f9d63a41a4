# sendall 10 MB, shutdown(SHUT_WR), read the reply to EOF and check it.
import hashlib
import socket
import sys

payload = bytes(range(256)) * (10 * 1024 * 1024 // 256)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(payload)
s.shutdown(socket.SHUT_WR)
reply = b""
while True:
    chunk = s.recv(1024)
    if not chunk:
        break
    reply += chunk
s.close()
n, digest = reply.decode().split()
print("sent", len(payload), "server got", n, "match", digest == hashlib.sha256(payload).hexdigest())
