# Non-blocking connect (Foundations of Python Network Programming style): connect_ex returns EINPROGRESS,
# select() for writability, then getsockopt(SO_ERROR) says whether it worked; against an open port and a
# closed one (argv[1]). Then the same with a blocking connect and with a timeout.
import errno
import os
import select
import socket
import sys

closed = int(sys.argv[1])
lsock = socket.socket()
lsock.bind(('127.0.0.1', 0))
lsock.listen(5)
open_port = lsock.getsockname()[1]


def nb_connect(port, label):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    rc = s.connect_ex(('127.0.0.1', port))
    print(label, 'connect_ex ->', errno.errorcode.get(rc, rc))
    r, w, x = select.select([], [s], [s], 5.0)
    print(label, 'writable', len(w), 'exceptional', len(x))
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    print(label, 'SO_ERROR', err, errno.errorcode.get(err, 'OK'), os.strerror(err) if err else '')
    print(label, 'SO_ERROR again', s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    if err == 0:
        print(label, 'peer', s.getpeername() == ('127.0.0.1', port))
        s.send(b'hello')
    else:
        try:
            s.getpeername()
        except OSError as e:
            print(label, 'getpeername:', e)
        try:
            s.send(b'hello')
        except OSError as e:
            print(label, 'send:', type(e).__name__, e)
    s.close()


nb_connect(open_port, 'open')
conn, addr = lsock.accept()
conn.settimeout(5)
print('server got', conn.recv(100))
conn.close()
nb_connect(closed, 'closed')

for timeout in (None, 2.0):
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect(('127.0.0.1', closed))
    except ConnectionRefusedError as e:
        print('timeout', timeout, type(e).__name__, e.errno, e)
    if timeout is None:
        print('connect_ex again', errno.errorcode.get(s.connect_ex(('127.0.0.1', closed))))
    s.close()

s = socket.socket()
s.setblocking(False)
try:
    s.connect(('127.0.0.1', open_port))
except BlockingIOError as e:
    print('connect ->', type(e).__name__, e.errno == errno.EINPROGRESS, e)
select.select([], [s], [], 5)
print('connect_ex once connected ->', errno.errorcode.get(s.connect_ex(('127.0.0.1', open_port)), 0))
try:
    s.connect(('127.0.0.1', open_port))
except OSError as e:
    print('connect once connected ->', e)
s.close()
lsock.close()
