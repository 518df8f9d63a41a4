# Kurose & Ross's "web proxy server" assignment: a proxy that takes "GET http://host:port/path HTTP/1.0",
# serves a cached copy when it has one, and otherwise fetches from the origin server with a fresh socket,
# reads the reply to EOF, caches a 200 and relays it. An origin server and a browser-like client are in the
# same program (threads); the client asks for pages twice, one missing, and sends a malformed request.
import socket
import threading

PAGES = {'/hello.html': b'<p>hello</p>\n', '/big.bin': bytes(range(256)) * 200}
origin_hits = []


def origin(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            request = b''
            while b'\r\n\r\n' not in request:
                chunk = conn.recv(1024)
                if not chunk:
                    break
                request += chunk
            path = request.split()[1].decode() if request else ''
            if path == '/stop':
                return
            origin_hits.append(path)
            body = PAGES.get(path)
            if body is None:
                conn.sendall(b'HTTP/1.0 404 Not Found\r\n\r\nno such page\n')
            else:
                conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body) + body)


def proxy(listener, cache):
    while True:
        client, _ = listener.accept()
        with client:
            message = client.recv(4096).decode()
            print('proxy: request', repr(message.split('\r\n')[0].replace(str(oport), 'PORT')))
            parts = message.split()
            if len(parts) < 2 or not parts[1].startswith('http://'):
                client.sendall(b'HTTP/1.0 400 Bad Request\r\n\r\n')
                continue
            url = parts[1][len('http://'):]
            hostport, _, path = url.partition('/')
            if path == 'stop':
                return
            if url in cache:
                print('proxy: cache hit', '/' + path)
                client.sendall(cache[url])
                continue
            host, port = hostport.split(':')
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                upstream.sendall(('GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n' % (path, host)).encode())
                reply = b''
                while True:
                    data = upstream.recv(1000)
                    if not data:
                        break
                    reply += data
            print('proxy: fetched', '/' + path, len(reply), 'bytes,', reply.split(b'\r\n')[0])
            if reply.startswith(b'HTTP/1.0 200'):
                cache[url] = reply
            client.sendall(reply)


origin_listener = socket.create_server(('127.0.0.1', 0))
proxy_listener = socket.create_server(('127.0.0.1', 0))
oport = origin_listener.getsockname()[1]
pport = proxy_listener.getsockname()[1]
cache = {}
threads = [threading.Thread(target=origin, args=(origin_listener,)),
           threading.Thread(target=proxy, args=(proxy_listener, cache))]
for t in threads:
    t.start()


def browse(request):
    with socket.create_connection(('127.0.0.1', pport), timeout=10) as s:
        s.sendall(request)
        reply = b''
        while True:
            data = s.recv(4096)
            if not data:
                break
            reply += data
    head, _, body = reply.partition(b'\r\n\r\n')
    print('client:', head.split(b'\r\n')[0], len(body), body[:16])


for path in [b'/hello.html', b'/big.bin', b'/hello.html', b'/nope', b'/nope', b'/big.bin']:
    browse(b'GET http://127.0.0.1:%d%s HTTP/1.0\r\n\r\n' % (oport, path))
browse(b'garbage\r\n\r\n')
print('origin hits:', origin_hits, 'cached:', sorted(k.split('/', 1)[1] for k in cache))
for port, path in [(pport, b'http://127.0.0.1:%d/stop' % oport), (oport, b'/stop')]:
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(b'GET ' + path + b' HTTP/1.0\r\n\r\n')
for t in threads:
    t.join(10)
origin_listener.close()
proxy_listener.close()
print('threads alive:', [t.is_alive() for t in threads])
