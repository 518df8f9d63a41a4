# Mark Lutz, Programming Python 4th ed., ch. 12: the client side of socket_stream_redirect.py's five tests
# (see lutz_redirect_server.py). argv: the other side's port, test number. In test 5 this program plays the
# book's server5, which connects to the redirected "client".
import sys
from socket import *

port = int(sys.argv[1])
test = int(sys.argv[2])
host = '127.0.0.1'
mypid = 'pid'


def redirectOut(port=port, host=host):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((host, port))
    file = sock.makefile('w')
    sys.stdout = file
    return sock


def redirectIn(port=port, host=host):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((host, port))
    file = sock.makefile('r')
    sys.stdin = file
    return sock


def redirectBothAsClient(port=port, host=host):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((host, port))
    ofile = sock.makefile('w')
    ifile = sock.makefile('r')
    sys.stdout = ofile
    sys.stdin = ifile
    return sock


def client1():
    redirectOut()
    for i in range(3):
        print('client %s: %s' % (mypid, i))
        sys.stdout.flush()


def client2():
    redirectIn()
    for i in range(3):
        data = input()
        print('client %s got [%s]' % (mypid, data))


def client3():
    redirectBothAsClient()
    for i in range(3):
        print('client %s: %s' % (mypid, i))
        data = input()
        sys.__stdout__.write('client %s got [%s]\n' % (mypid, data))


def client4():
    redirectBothAsClient()
    for i in range(3):
        data = input()
        print('client %s got [%s]' % (mypid, data))
        sys.stdout.flush()


def server5():
    sock = socket(AF_INET, SOCK_STREAM)
    sock.connect((host, port))
    file = sock.makefile('r')
    for i in range(3):
        data = file.readline().rstrip()
        sock.send(('server %s got [%s]\n' % (mypid, data)).encode())


[client1, client2, client3, client4, server5][test - 1]()
sys.__stdout__.write('done\n')
