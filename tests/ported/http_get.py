# HTTP/1.0 GET with a raw socket against a local http.server (networking course).
import socket
import sys

HOST, PORT = "127.0.0.1", int(sys.argv[1])
path = sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((HOST, PORT))
request = "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, HOST)
s.sendall(request.encode())
response = b""
while True:
    chunk = s.recv(512)
    if len(chunk) == 0:
        break
    response = response + chunk
s.close()
head, _, body = response.partition(b"\r\n\r\n")
lines = head.split(b"\r\n")
print(lines[0].decode())
for line in lines[1:]:
    name, _, value = line.decode().partition(": ")
    if name in ("Content-type", "Content-Length"):
        print(name, "=", value)
print(len(body), body[:40])
