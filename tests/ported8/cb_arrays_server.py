# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.13: sending and receiving large arrays. The
# recipe's send_from() (a memoryview cast to bytes, sliced as send() takes it) on the server side. The book
# sends a numpy arange(0.0, 50000000.0); numpy is not the standard library: array.array('d') of 1,000,000
# values here, then 300,000 int32 and an empty array, one connection each. argv: port (0: any free port).
import sys
from array import array
from socket import *


def send_from(arr, dest):
    view = memoryview(arr).cast('B')
    while len(view):
        nsent = dest.send(view)
        view = view[nsent:]


s = socket(AF_INET, SOCK_STREAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(1)
print('array server on port', s.getsockname()[1])
for arr in [array('d', (float(i) for i in range(1_000_000))), array('i', range(-150_000, 150_000)), array('d')]:
    c, a = s.accept()
    send_from(arr, c)
    print('sent', arr.typecode, len(arr), 'values,', len(arr) * arr.itemsize, 'bytes')
    c.close()
s.close()
