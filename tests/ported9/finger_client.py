# The finger client: connect, send the query and CRLF, read the answer to EOF with recv() (no half-close: the
# server answers after one line), print it. argv[1]: port.
import socket
import sys

port = int(sys.argv[1])
for q in ["", "ada", "/W grace", "nobody", "ada@elsewhere.example", "x" * 300]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(q.encode() + b"\r\n")
        chunks = []
        while True:
            data = s.recv(1024)
            if not data:
                break
            chunks.append(data)
    print("finger %r" % q[:20])
    for line in b"".join(chunks).decode().splitlines():
        print("  ", line)
