# A raw-socket HTTP/1.0 client: one request per connection, the response read to EOF and split at the blank
# line; a request sent a byte at a time, a POST in two pieces, a header longer than the server's limit.
# argv: the server's port.
import hashlib
import socket
import sys
import time

address = ('127.0.0.1', int(sys.argv[1]))


def fetch(request, pieces=1):
    s = socket.create_connection(address, timeout=10)
    step = max(1, len(request) // pieces)
    for i in range(0, len(request), step):
        s.sendall(request[i:i + step])
        if pieces > 1:
            time.sleep(0.01)
    chunks = []
    while True:
        data = s.recv(8192)
        if not data:
            break
        chunks.append(data)
    s.close()
    response = b''.join(chunks)
    head, _, body = response.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    print(lines[0])
    for line in lines[1:]:
        print('  ', line)
    if len(body) > 60:
        print('   body:', len(body), 'bytes, sha256', hashlib.sha256(body).hexdigest()[:16])
    else:
        print('   body:', body)


fetch(b'GET / HTTP/1.0\r\nHost: localhost\r\nUser-Agent: raw/1\r\n\r\n')
fetch(b'HEAD /big HTTP/1.0\r\n\r\n')
fetch(b'GET /big HTTP/1.0\r\nAccept: */*\r\n\r\n')
fetch(b'GET /robots.txt HTTP/1.0\r\nHost: x\r\n\r\n', pieces=40)
fetch(b'GET /missing HTTP/1.0\r\n\r\n')
fetch(b'POST /echo HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz', pieces=2)
fetch(b'POST /echo HTTP/1.0\r\n\r\n')
fetch(b'DELETE / HTTP/1.0\r\n\r\n')
fetch(b'GARBAGE\r\n\r\n')
fetch(b'GET / HTTP/1.0\r\nX-Long: ' + b'a' * 70000 + b'\r\n\r\n')
fetch(b'POST /echo HTTP/1.0\r\nContent-Length: 999999\r\n\r\n')
