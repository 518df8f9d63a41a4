# Mark Lutz, Programming Python 4th ed., ch. 12: select-server.py. A server that handles multiple clients in
# parallel with select: one loop multiplexes numPortSocks listening sockets (consecutive ports) and every
# connected client; a readable listener accepts, a readable client is read and echoed with the time, an
# empty read closes it. The book prints id(newsock), which changes each run: here each socket gets a number
# in the order it was accepted; times print as TIME. The server (a thread) stops once it has seen `total`
# clients close; the clients take turns, then three talk at once on both ports (the server's lines for
# those are printed sorted, without the socket numbers, which depend on the order of arrival).
import re
import sys
import threading
import time
from select import select
from socket import socket, AF_INET, SOCK_STREAM

CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


def now():
    return time.ctime(time.time())


def stamp(t):
    return 'TIME' if CTIME.match(t) else 'BAD ' + t


myHost = '127.0.0.1'
numPortSocks = 2
ids = {}
server_lines = []


def log(*args):
    server_lines.append(' '.join(str(a) for a in args))


def ident(sock):
    return ids.setdefault(sock, len(ids) + 1)


mainsocks, readsocks, writesocks = [], [], []
for i in range(numPortSocks):
    portsock = socket(AF_INET, SOCK_STREAM)
    portsock.bind((myHost, 0))
    portsock.listen(5)
    mainsocks.append(portsock)
    readsocks.append(portsock)
ports = [s.getsockname()[1] for s in mainsocks]


def serve(total):
    print('select-server loop starting')
    closed = 0
    while closed < total:
        readables, writeables, exceptions = select(readsocks, writesocks, [])
        for sockobj in readables:
            if sockobj in mainsocks:
                newsock, address = sockobj.accept()
                log('Connect:', address[0], 'port index', mainsocks.index(sockobj), ident(newsock))
                readsocks.append(newsock)
            else:
                data = sockobj.recv(1024)
                log('\tgot', data, 'on', ident(sockobj))
                if not data:
                    sockobj.close()
                    readsocks.remove(sockobj)
                    closed += 1
                else:
                    reply = 'Echo=>%s at %s' % (data, now())
                    sockobj.send(reply.encode())
    for s in mainsocks:
        s.close()
    print('select-server loop done')


def client(port, lines, out):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((myHost, port))
    for line in lines:
        sock.send(line)
        data = sock.recv(1024).decode()
        text, at = data.rsplit(' at ', 1)
        out.append('Client received: %s at %s' % (text, stamp(at)))
    sock.close()


t = threading.Thread(target=serve, args=(5,))
t.start()
out = []
client(ports[0], [b'Hello network world'], out)
time.sleep(0.2)
client(ports[1], [b'Spam', b'Eggs'], out)
deadline = time.time() + 30
while len(server_lines) < 7 and time.time() < deadline:
    time.sleep(0.01)
for line in out:
    print(line)
for line in server_lines:
    print(line)
first = len(server_lines)
outs = [[], [], []]
threads = [threading.Thread(target=client, args=(ports[n % 2], [('at once %d' % n).encode()], outs[n]))
           for n in range(3)]
for c in threads:
    c.start()
for c in threads:
    c.join()
t.join()
# three clients at once: the server's lines in any order, and which number each socket got varies
for line in sorted(line.rsplit(' ', 1)[0] + ' #' for line in server_lines[first:]):
    print(line)
for o in outs:
    for line in o:
        print(line)
