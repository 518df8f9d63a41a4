# Unix domain stream echo server; the path from argv.
import os
import socket
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.remove(path)
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
    server.bind(path)
    server.listen(1)
    print("listening on", server.getsockname() == path)
    conn, addr = server.accept()
    with conn:
        print("connection from", repr(addr), "local", conn.getsockname() == path)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())
os.remove(path)
print("done")
