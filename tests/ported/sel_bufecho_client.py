# Client of the buffered selectors echo server: a ping-pong client, then a bulk client that sends 600 KB
# before reading anything, half-closes, and reads the echo to EOF.
import hashlib
import socket
import sys

PORT = int(sys.argv[1])

with socket.create_connection(('127.0.0.1', PORT)) as s:
    for n in (1, 10, 1000, 20000):
        msg = bytes(range(256)) * (n // 256) + b'x' * (n % 256)
        s.sendall(msg)
        got = b''
        while len(got) < len(msg):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        print('ping-pong', n, got == msg)

payload = b''.join(hashlib.sha256(str(i).encode()).digest() for i in range(20000))
with socket.create_connection(('127.0.0.1', PORT)) as s:
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    echo = b''.join(chunks)
    print('bulk', len(payload), len(echo), echo == payload)
    print('sha256', hashlib.sha256(echo).hexdigest()[:16])
