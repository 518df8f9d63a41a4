# Mark Lutz, Programming Python 4th ed., ch. 12: socket_stream_redirect.py with its test script
# test-socket_stream_redirect.py (the five tests). The client side makes a socket's file its sys.stdout and/or
# sys.stdin (makefile('w') / makefile('r')), so print() and input() talk over the socket. The book forks a
# child for the client; here the listening side is this program and the other side the client program.
# argv: port (0: any free port, printed), test number 1-5. In test 5 the roles swap as in the book: the
# "client" is redirectBothAsServer() (it listens, prints its port) and this program's server5 connects;
# so this program plays client5 in test 5. The book's os.getpid() is replaced by a fixed name ('pid').
# client3 and client5 write their received lines to sys.stderr; here to sys.__stdout__ so they are compared.
import sys
from socket import *

port = int(sys.argv[1])
test = int(sys.argv[2])
host = '127.0.0.1'
mypid = 'pid'


def initListenerSocket(port=port):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.bind((host, port))
    sock.listen(5)
    print('listening on port', sock.getsockname()[1], flush=True)
    conn, addr = sock.accept()
    return conn


def redirectBothAsServer(port=port, host=host):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.bind((host, port))
    sock.listen(5)
    print('listening on port', sock.getsockname()[1], flush=True)
    conn, addr = sock.accept()
    ofile = conn.makefile('w')
    ifile = conn.makefile('r')
    sys.stdout = ofile
    sys.stdin = ifile
    return conn


def server1():
    conn = initListenerSocket()
    file = conn.makefile('r')
    for i in range(3):
        data = file.readline().rstrip()
        print('server %s got [%s]' % (mypid, data))


def server2():
    conn = initListenerSocket()
    for i in range(3):
        conn.send(('server %s: %s\n' % (mypid, i)).encode())


def server3():
    conn = initListenerSocket()
    file = conn.makefile('r')
    for i in range(3):
        data = file.readline().rstrip()
        conn.send(('server %s got [%s]\n' % (mypid, data)).encode())


def server4():
    conn = initListenerSocket()
    file = conn.makefile('r')
    for i in range(3):
        conn.send(('server %s: %s\n' % (mypid, i)).encode())
        data = file.readline().rstrip()
        print('server %s got [%s]' % (mypid, data))


def client5():
    s = redirectBothAsServer()  # I'm actually the socket server in this mode
    for i in range(3):
        print('client %s: %s' % (mypid, i))
        sys.stdout.flush()
        data = input()
        sys.__stdout__.write('client %s got [%s]\n' % (mypid, data))


[server1, server2, server3, server4, client5][test - 1]()
sys.__stdout__.write('done\n')
