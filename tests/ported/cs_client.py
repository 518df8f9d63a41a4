# create_connection (socket docs) with a timeout, then a read to EOF after SHUT_WR.
import socket
import sys

PORT = int(sys.argv[1])
with socket.create_connection(("localhost", PORT), timeout=10) as s:
    print("timeout", s.gettimeout() == 10)
    s.sendall(b"hello from create_connection")
    s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        data = s.recv(4)
        if not data:
            break
        chunks.append(data)
print(b"".join(chunks))
