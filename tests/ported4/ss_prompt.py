# A prompt-driven line service on socketserver.ThreadingTCPServer with a StreamRequestHandler: the handler
# writes a prompt without a newline (wfile.write of a partial line), reads commands with rfile.readline(),
# reads a counted body with rfile.read(n), answers with wfile.writelines(), times out an idle client through
# the handler's `timeout`, sets TCP_NODELAY (disable_nagle_algorithm), and a SHUTDOWN command stops the
# server from a handler (server.shutdown() in a thread, as the docs say). The clients use plain sockets.
import socket
import socketserver
import threading


class PromptHandler(socketserver.StreamRequestHandler):
    timeout = 1.5
    disable_nagle_algorithm = True

    def handle(self):
        nodelay = self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        self.wfile.write(b'welcome (nodelay=%d)\n' % (nodelay != 0))
        count = 0
        while True:
            self.wfile.write(b'> ')
            try:
                line = self.rfile.readline(200)
            except socket.timeout as e:
                print('server: idle client timed out:', e)
                self.wfile.write(b'\ntimeout, bye\n')
                return
            if not line:
                print('server: client left after', count, 'commands')
                return
            count += 1
            words = line.split()
            if not words:
                self.wfile.write(b'?\n')
            elif words[0] == b'ECHO':
                self.wfile.write(line[5:])
            elif words[0] == b'BODY':
                n = int(words[1])
                body = self.rfile.read(n)
                self.wfile.writelines([b'got ', str(len(body)).encode(), b' bytes: ', body[::-1], b'\n'])
            elif words[0] == b'PIECES':
                for piece in (b'one', b', ', b'two', b', ', b'three'):
                    self.wfile.write(piece)
                self.wfile.write(b'\n')
            elif words[0] == b'SHUTDOWN':
                self.wfile.write(b'stopping\n')
                threading.Thread(target=self.server.shutdown).start()
                return
            elif words[0] == b'QUIT':
                self.wfile.write(b'bye\n')
                return
            else:
                self.wfile.write(b'unknown: ' + words[0] + b'\n')


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def read_until(sock, marker):
    data = b''
    while not data.endswith(marker):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def session(port, lines, idle=False):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        print('client:', read_until(s, b'> '))
        for line in lines:
            s.sendall(line)
            print('client:', line, '->', read_until(s, b'> ') if line != lines[-1] else read_until(s, b'\n'))
        if idle:
            rest = b''
            while True:
                chunk = s.recv(100)
                if not chunk:
                    break
                rest += chunk
            print('client: idle ->', rest)


server = Server(('127.0.0.1', 0), PromptHandler)
port = server.server_address[1]
t = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
t.start()
session(port, [b'ECHO hello there\n', b'\n', b'FROB x\n', b'BODY 11\nhello world', b'PIECES\n', b'QUIT\n'])
# a command arriving in two pieces, the second after a pause
with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
    read_until(s, b'> ')
    s.sendall(b'ECHO spl')
    threading.Event().wait(0.3)
    s.sendall(b'it line\nQUIT\n')
    print('client: split ->', read_until(s, b'> '), read_until(s, b'\n'))
session(port, [b'ECHO still here\n'], idle=True)
session(port, [b'SHUTDOWN\n'])
t.join(10)
print('serve_forever returned:', not t.is_alive())
server.server_close()
try:
    socket.create_connection(('127.0.0.1', port), timeout=2)
except ConnectionRefusedError as e:
    print('after close:', e)
