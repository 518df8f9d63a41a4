# A small HTTP/1.1 server (plain sockets, one thread per connection): Content-Length bodies, chunked
# Transfer-Encoding written chunk by chunk with pauses, a POST body read by Content-Length, keep-alive until
# "Connection: close", and an HTTP/1.0 request answered without a length and ended by closing.
import socket
import sys
import threading
import time

PAGES = {'/': b'<h1>index</h1>\n', '/big': bytes(range(256)) * 40}


def send_chunked(conn, parts):
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n')
    for p in parts:
        conn.sendall(b'%x\r\n' % len(p) + p + b'\r\n')
        time.sleep(0.05)
    conn.sendall(b'0\r\nX-Trailer: done\r\n\r\n')


def serve(conn, n):
    f = conn.makefile('rb')
    while True:
        request = f.readline(65537)
        if not request:
            print('conn %d: client closed' % n)
            break
        method, path, version = request.decode('latin-1').split()
        headers = {}
        while True:
            h = f.readline(65537)
            if h in (b'\r\n', b'\n', b''):
                break
            k, v = h.decode('latin-1').split(':', 1)
            headers[k.strip().lower()] = v.strip()
        print('conn %d: %s %s %s %s' % (n, method, path, version, sorted(headers)))
        if method == 'POST':
            body = f.read(int(headers['content-length']))
            reply = b'got %d bytes, sum %d' % (len(body), sum(body))
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % len(reply) + reply)
        elif path == '/chunked':
            send_chunked(conn, [b'first chunk\n', b'x' * 300, b'last\n'])
        elif version == 'HTTP/1.0':
            conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n')
            for i in range(3):
                conn.sendall(b'line %d\n' % i)
            break
        elif path in PAGES:
            body = PAGES[path]
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body))
            conn.sendall(body[:100])
            time.sleep(0.05)
            conn.sendall(body[100:])
        else:
            conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
        if headers.get('connection') == 'close':
            print('conn %d: closing as asked' % n)
            break
    f.close()
    conn.close()


with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as srv:
    print('listening on', srv.getsockname()[1])
    threads = []
    for n in range(2):
        conn, _ = srv.accept()
        t = threading.Thread(target=serve, args=(conn, n))
        t.start()
        t.join()
print('server done')
