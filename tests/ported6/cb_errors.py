# Python Network Programming Cookbook ch. 1, 1_7: handling socket errors gracefully. main() is the book's
# (four try/except blocks: create, connect, send, receive; sys.exit(1) on each error) with argparse's values
# passed in, run against a local HTTP/1.0 file server thread: a good fetch, a refused port, an IPv6 host for
# an AF_INET socket (gaierror without any lookup), a send after SHUT_WR, a server that never answers.
import socket
import sys
import threading

FILES = {'/hello.txt': 'Hello, error handling!\nSecond line: \u00e9t\u00e9\n'}


def http_server(srv, n):
    for _ in range(n):
        conn, _ = srv.accept()
        req = b''
        while not req.endswith(b'\r\n\r\n'):
            data = conn.recv(1024)
            if not data:
                break
            req += data
        if req.startswith(b'GET /silent'):
            conn.recv(10)  # never answers; the client gives up first
        else:
            path = req.split()[1].decode() if req else ''
            body = FILES.get(path)
            if body is None:
                conn.sendall(b'HTTP/1.0 404 Not Found\r\n\r\nno such file\n')
            else:
                conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + body.encode('utf-8'))
        conn.close()


def main(host, port, filename, timeout=None, shut_first=False):
    # First try-except block -- create socket
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
    except socket.error as e:
        print("Error creating socket: %s" % e)
        sys.exit(1)

    # Second try-except block -- connect to given host/port
    try:
        s.connect((host, port))
    except socket.gaierror as e:
        print("Address-related error connecting to server: %s" % e)
        sys.exit(1)
    except socket.error as e:
        print("Connection error: %s" % e)
        sys.exit(1)

    # Third try-except block -- sending data
    try:
        if shut_first:
            s.shutdown(socket.SHUT_WR)
        msg = "GET %s HTTP/1.0\r\n\r\n" % filename
        s.sendall(msg.encode('utf-8'))
    except socket.error as e:
        print("Error sending data: %s" % e)
        sys.exit(1)

    while 1:
        # Fourth tr-except block -- waiting to receive data from remote host
        try:
            buf = s.recv(2048)
        except socket.error as e:
            print("Error receiving data: %s" % e)
            sys.exit(1)
        if not len(buf):
            break
        # write the received data
        sys.stdout.write(buf.decode('utf-8'))


srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(5)
port = srv.getsockname()[1]
server = threading.Thread(target=http_server, args=(srv, 4))
server.start()
closed = socket.socket()
closed.bind(('127.0.0.1', 0))
closed_port = closed.getsockname()[1]
closed.close()

for label, args, kw in [
        ('a file', ('127.0.0.1', port, '/hello.txt'), {}),
        ('a missing file', ('localhost', port, '/nope.txt'), {}),
        ('a refused port', ('127.0.0.1', closed_port, '/hello.txt'), {}),
        ('an IPv6 host', ('::1', port, '/hello.txt'), {}),
        ('a send after SHUT_WR', ('127.0.0.1', port, '/hello.txt'), {'shut_first': True}),
        ('a silent server', ('127.0.0.1', port, '/silent'), {'timeout': 0.5})]:
    print('---', label)
    try:
        main(*args, **kw)
        print('(exit 0)')
    except SystemExit as e:
        print('(exit %s)' % e.code)
server.join()
srv.close()
