# Mark Lutz, Programming Python 4th ed., ch. 12: class-server.py. The same echo service as thread-server.py,
# on socketserver.ThreadingTCPServer: a BaseRequestHandler's handle() prints the client address with the time,
# sleeps to simulate a blocking activity, and echoes each message with the time. serve_forever() runs in a
# thread here, clients connect at once, then shutdown(). Client ports and times change each run: the address
# is printed without its port, the time as TIME.
import re
import socketserver
import threading
import time
from socket import *

myHost = '127.0.0.1'
myPort = 0

CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


def now():
    return time.ctime(time.time())


def stamp(t):
    return 'TIME' if CTIME.match(t) else 'BAD ' + t


print_lock = threading.Lock()


def say(*args):
    # print() from several handler threads at once, one line at a time (print writes its arguments and the
    # newline separately, so lines of threads printing together could mix)
    with print_lock:
        print(*args)


class MyClientHandler(socketserver.BaseRequestHandler):
    def handle(self):
        say(self.client_address[0], stamp(now()))
        time.sleep(0.5)
        while True:
            data = self.request.recv(1024)
            if not data: break
            reply = 'Echo=>%s at %s' % (data, now())
            self.request.send(reply.encode())
        self.request.close()


def client(port, n, results):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((myHost, port))
    got = []
    for line in [b'Hello network world', ('from client %d' % n).encode()]:
        sock.send(line)
        data = sock.recv(1024).decode()
        text, at = data.rsplit(' at ', 1)
        got.append('Client received: %s at %s' % (text, stamp(at)))
    sock.close()
    results[n] = got


myaddr = (myHost, myPort)
server = socketserver.ThreadingTCPServer(myaddr, MyClientHandler)
port = server.server_address[1]
print('server class:', type(server).__name__, 'daemon_threads:', server.daemon_threads)
t = threading.Thread(target=server.serve_forever)
t.start()
results = {}
start = time.time()
clients = [threading.Thread(target=client, args=(port, n, results)) for n in range(5)]
for c in clients:
    c.start()
for c in clients:
    c.join()
print('clients served at once:', time.time() - start < 2.5)
for n in range(5):
    for line in results[n]:
        print(line)
server.shutdown()
t.join()
server.server_close()
print('server closed')
try:
    s = create_connection((myHost, port))
except ConnectionRefusedError as e:
    print('after close:', e)
