# Mark Lutz, Programming Python 4th ed., ch. 12: getfile.py. A client and server for file transfer over
# sockets: the client sends a file name and a newline, the server (a thread per client) reads the name with
# makefile('r').readline(), sends the file in 1 KB blocks with send() (asserting each block went whole) and
# closes; the client stores what it receives under the file's base name in its drop directory. The book's
# server runs forever and the client copies into the current directory; here the server (a thread) serves a
# set number of clients on a free loopback port, files are made in a temporary directory, three clients fetch
# at once, then one in turn and a missing file (the server's error message; the client gets an empty file).
# asctime() changes each run: printed as TIME.
import os
import re
import tempfile
import threading
import time
import _thread as thread
from socket import *

blksz = 1024
CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


def now():
    return time.asctime()


def stamp(t):
    return 'TIME' if CTIME.match(t) else 'BAD ' + t


def client(host, port, filename, dropdir):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((host, port))
    sock.send((filename + '\n').encode())
    dropname = os.path.join(dropdir, os.path.split(filename)[1])
    file = open(dropname, 'wb')
    while True:
        data = sock.recv(blksz)
        if not data: break
        file.write(data)
    sock.close()
    file.close()
    return 'Client got %s at %s' % (os.path.split(filename)[1], stamp(now()))


def serverthread(clientsock):
    sockfile = clientsock.makefile('r')
    filename = sockfile.readline()[:-1]
    try:
        file = open(filename, 'rb')
        while True:
            bytes = file.read(blksz)
            if not bytes: break
            sent = clientsock.send(bytes)
            assert sent == len(bytes)
    except:
        print('Error downloading file on server:', os.path.split(filename)[1])
    clientsock.close()
    served.release()


def server(serversock, count):
    for _ in range(count):
        clientsock, clientaddr = serversock.accept()
        print('Server connected by', clientaddr[0], 'at', stamp(now()))
        thread.start_new_thread(serverthread, (clientsock,))


def checksum(data):
    return sum(data) % 65521


served = threading.Semaphore(0)
top = tempfile.mkdtemp()
srcdir = os.path.join(top, 'src')
dropdir = os.path.join(top, 'drop')
os.mkdir(srcdir)
os.mkdir(dropdir)
files = {
    'spam.txt': b'spam\n' * 300,
    'binary.bin': bytes((i * 7 + i // 256) % 256 for i in range(100_000)),
    'empty.txt': b'',
    'one-block.dat': b'x' * 1024,
}
for name, data in files.items():
    with open(os.path.join(srcdir, name), 'wb') as f:
        f.write(data)

serversock = socket(AF_INET, SOCK_STREAM)
serversock.bind(('127.0.0.1', 0))
serversock.listen(5)
port = serversock.getsockname()[1]
t = threading.Thread(target=server, args=(serversock, 5))
t.start()

results = {}


def fetch(name):
    results[name] = client('127.0.0.1', port, os.path.join(srcdir, name), dropdir)


threads = [threading.Thread(target=fetch, args=(name,)) for name in ['spam.txt', 'binary.bin', 'empty.txt']]
for c in threads:
    c.start()
for c in threads:
    c.join()
for name in ['spam.txt', 'binary.bin', 'empty.txt']:
    print(results[name])
print(client('127.0.0.1', port, os.path.join(srcdir, 'one-block.dat'), dropdir))
for _ in range(4):
    served.acquire()
print(client('127.0.0.1', port, os.path.join(srcdir, 'missing.txt'), dropdir))
t.join()
served.acquire()
serversock.close()
for name in sorted(os.listdir(dropdir)):
    with open(os.path.join(dropdir, name), 'rb') as f:
        data = f.read()
    print(name, len(data), checksum(data), data == files.get(name))
