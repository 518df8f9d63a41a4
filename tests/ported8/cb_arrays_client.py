# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.13: sending and receiving large arrays. The
# recipe's recv_into() (recv_into() a memoryview of the destination array, sliced by what each call filled)
# on the client side, into arrays made beforehand (the book: numpy.zeros). argv: port.
import sys
from array import array
from socket import *


def recv_into(arr, source):
    view = memoryview(arr).cast('B')
    while len(view):
        nrecv = source.recv_into(view)
        view = view[nrecv:]


port = int(sys.argv[1])
for typecode, n in [('d', 1_000_000), ('i', 300_000), ('d', 0)]:
    c = socket(AF_INET, SOCK_STREAM)
    c.connect(('127.0.0.1', port))
    a = array(typecode, [0]) * n
    recv_into(a, c)
    print(typecode, len(a), list(a[0:5]), list(a[-5:]), sum(a))
    print('then EOF:', c.recv(1))
    c.close()
