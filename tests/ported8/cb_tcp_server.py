# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.2: creating a TCP server. The recipe's servers,
# each on a free loopback port with serve_forever() in a thread, and a client as in the book's session:
# the BaseRequestHandler echo (recv(8192)/send), the StreamRequestHandler line echo (for line in rfile), the
# same on ThreadingTCPServer, a pre-allocated pool of NWORKERS threads all calling serve_forever() on one
# TCPServer (the bounded pool: as many conversations at once as workers), a handler with `timeout` that
# catches socket.timeout, and a server made with bind_and_activate=False that sets SO_REUSEADDR itself, then
# allow_reuse_address = True. Client ports change each run: addresses print without them.
import socket
import threading
from socketserver import BaseRequestHandler, StreamRequestHandler, TCPServer, ThreadingTCPServer


print_lock = threading.Lock()


def say(*args):
    # print() from several handler threads at once, one line at a time (print writes its arguments and the
    # newline separately, so lines of threads printing together could mix)
    with print_lock:
        print(*args)


class EchoHandler(BaseRequestHandler):
    def handle(self):
        say('Got connection from', self.client_address[0])
        while True:
            msg = self.request.recv(8192)
            if not msg:
                break
            self.request.send(msg)


class LineEchoHandler(StreamRequestHandler):
    def handle(self):
        say('Got connection from', self.client_address[0])
        # self.rfile is a file-like object for reading
        for line in self.rfile:
            # self.wfile is a file-like object for writing
            self.wfile.write(line)


class TimeoutEchoHandler(StreamRequestHandler):
    timeout = 0.3
    rbufsize = -1
    wbufsize = 0
    disable_nagle_algorithm = False

    def handle(self):
        say('Got connection from', self.client_address[0])
        try:
            for line in self.rfile:
                self.wfile.write(line)
        except socket.timeout:
            say('Timed out!')
        done.set()


def start(serv):
    t = threading.Thread(target=serv.serve_forever)
    t.daemon = True
    t.start()
    return t


def stop(serv, t):
    serv.shutdown()
    t.join()
    serv.server_close()


# BaseRequestHandler
serv = TCPServer(('127.0.0.1', 0), EchoHandler)
t = start(serv)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(serv.server_address)
sent = s.send(b'Hello')
data = s.recv(8192)
print(sent)
print(data)
s.close()
stop(serv, t)

# StreamRequestHandler, then the same on ThreadingTCPServer
for cls in (TCPServer, ThreadingTCPServer):
    serv = cls(('127.0.0.1', 0), LineEchoHandler)
    t = start(serv)
    s = socket.create_connection(serv.server_address)
    f = s.makefile('rb')
    s.sendall(b'line one\nline two\n')
    print(cls.__name__, f.readline(), f.readline())
    s.sendall(b'no newline at the end')
    s.shutdown(socket.SHUT_WR)
    print(cls.__name__, f.read())
    f.close()
    s.close()
    stop(serv, t)

# a bounded pool of workers on one TCPServer
NWORKERS = 4
serv = TCPServer(('127.0.0.1', 0), EchoHandler)
for n in range(NWORKERS):
    t = threading.Thread(target=serv.serve_forever)
    t.daemon = True
    t.start()
clients = [socket.create_connection(serv.server_address) for n in range(NWORKERS)]
for n, c in enumerate(clients):
    c.sendall(b'worker test %d' % n)
replies = [(n, c.recv(8192)) for n, c in reversed(list(enumerate(clients)))]
for n, reply in replies:
    print('pool reply', n, reply)
for c in clients:
    c.close()
serv.server_close()

# a handler with a timeout
done = threading.Event()
serv = TCPServer(('127.0.0.1', 0), TimeoutEchoHandler)
t = start(serv)
s = socket.create_connection(serv.server_address)
s.sendall(b'one line\n')
print(s.recv(100))
done.wait(30)
print('after the timeout the server closed:', s.recv(100))
s.close()
stop(serv, t)

# bind_and_activate=False, then allow_reuse_address
serv = TCPServer(('127.0.0.1', 0), EchoHandler, bind_and_activate=False)
serv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
serv.server_bind()
serv.server_activate()
print('reuse set by hand:', serv.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
serv.server_close()
TCPServer.allow_reuse_address = True
serv = TCPServer(('127.0.0.1', 0), EchoHandler)
print('allow_reuse_address:', serv.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
t = start(serv)
with socket.create_connection(serv.server_address) as s:
    s.sendall(b'last')
    print(s.recv(100))
stop(serv, t)
