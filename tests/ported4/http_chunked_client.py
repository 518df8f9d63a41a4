# An HTTP/1.1 client on a plain socket and makefile('rb'): a persistent connection for several requests,
# bodies read by Content-Length (read(n)), chunked bodies (readline() for sizes, read(n) for data, trailers),
# a POST, then an HTTP/1.0 request whose body runs to EOF.
import socket
import sys

port = int(sys.argv[1])


def read_response(f):
    status = f.readline().decode('latin-1').rstrip('\r\n')
    headers = []
    while True:
        line = f.readline()
        if line in (b'\r\n', b''):
            break
        k, v = line.decode('latin-1').rstrip('\r\n').split(':', 1)
        headers.append((k.lower(), v.strip()))
    h = dict(headers)
    if h.get('transfer-encoding') == 'chunked':
        body = b''
        sizes = []
        while True:
            size = int(f.readline().split(b';')[0], 16)
            sizes.append(size)
            if size == 0:
                break
            body += f.read(size)
            assert f.read(2) == b'\r\n'
        trailers = []
        while True:
            line = f.readline()
            if line in (b'\r\n', b''):
                break
            trailers.append(line.rstrip(b'\r\n'))
        return status, headers, body, 'chunks %s trailers %s' % (sizes, trailers)
    if 'content-length' in h:
        return status, headers, f.read(int(h['content-length'])), 'length'
    return status, headers, f.read(), 'to EOF'


def show(label, resp):
    status, headers, body, how = resp
    print(label, status, headers, how, len(body), body[:40])


with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
    f = s.makefile('rb')
    for path in ['/', '/big', '/chunked', '/missing']:
        s.sendall(b'GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n' % path.encode())
        show(path, read_response(f))
    body = bytes(range(200)) * 3
    s.sendall(b'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
              % len(body) + body[:250])
    s.sendall(body[250:])
    show('POST', read_response(f))
    print('after close asked:', f.read())
    f.close()

with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
    s.sendall(b'GET /old HTTP/1.0\r\n\r\n')
    f = s.makefile('rb')
    show('1.0', read_response(f))
    f.close()
