# Mark Lutz, Programming Python 4th ed., ch. 12: thread-server.py with testecho.py. The server accepts
# clients in a loop and hands each connection to a new thread (_thread.start_new_thread), whose handler
# sleeps to simulate a blocking activity, then echoes each message with the time. testecho.py starts many
# echo-clients at once; here they are threads of the same process, on loopback and a free port. The times
# change each run: the program prints TIME where a ctime() text was (and BAD ... otherwise).
import re
import threading
import time
import _thread as thread
from socket import *

myHost = '127.0.0.1'
myPort = 0
sockobj = socket(AF_INET, SOCK_STREAM)
sockobj.bind((myHost, myPort))
sockobj.listen(5)
myPort = sockobj.getsockname()[1]

CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


def now():
    return time.ctime(time.time())


def stamp(t):
    return 'TIME' if CTIME.match(t) else 'BAD ' + t


done = []


def handleClient(connection):
    time.sleep(0.5)
    while True:
        data = connection.recv(1024)
        if not data: break
        reply = 'Echo=>%s at %s' % (data, now())
        connection.send(reply.encode())
    connection.close()
    done.append(1)


def dispatcher(count):
    for _ in range(count):
        connection, address = sockobj.accept()
        print('Server connected by', address[0], end=' ')
        print('at', stamp(now()))
        thread.start_new_thread(handleClient, (connection,))


def client(n, results):
    message = [('client %d line %d' % (n, i)).encode() for i in range(3)]
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect(('127.0.0.1', myPort))
    got = []
    for line in message:
        sock.send(line)
        data = sock.recv(1024).decode()
        text, at = data.rsplit(' at ', 1)
        got.append('Client received: %s at %s' % (text, stamp(at)))
    sock.close()
    results[n] = got


numclients = 6
results = {}
server = threading.Thread(target=dispatcher, args=(numclients,))
server.start()
clients = [threading.Thread(target=client, args=(n, results)) for n in range(numclients)]
start = time.time()
for c in clients:
    c.start()
for c in clients:
    c.join()
server.join()
for n in range(numclients):
    for line in results[n]:
        print(line)
print('clients served at once:', time.time() - start < 0.5 * numclients)
while len(done) < numclients:
    time.sleep(0.01)
sockobj.close()
print('handlers done:', len(done))
