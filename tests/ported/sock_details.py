# Details course programs print about accepted sockets and per-call flags: what an accepted socket
# inherits (timeout, blocking), MSG_DONTWAIT, scatter/gather with sendmsg/recvmsg/recvmsg_into,
# detach() and a new socket from the detached number.
import errno
import select
import socket

srv = socket.create_server(('127.0.0.1', 0))
port = srv.getsockname()[1]

for label, setup in [('timeout 5', lambda s: s.settimeout(5)),
                     ('non-blocking', lambda s: s.setblocking(False)),
                     ('default timeout 3', lambda s: socket.setdefaulttimeout(3))]:
    setup(srv)
    c = socket.create_connection(('127.0.0.1', port))
    select.select([srv], [], [], 5)
    conn, addr = srv.accept()
    print(label, '| listener', srv.gettimeout(), '| accepted', conn.gettimeout(), conn.getblocking(),
          '| client', c.gettimeout())
    conn.close()
    c.close()
    socket.setdefaulttimeout(None)
    srv.settimeout(None)

c = socket.create_connection(('127.0.0.1', port))
conn, _ = srv.accept()
try:
    conn.recv(10, socket.MSG_DONTWAIT)
except BlockingIOError as e:
    print('MSG_DONTWAIT:', e.errno == errno.EAGAIN, e)
print('still blocking', conn.getblocking())
print('sendmsg', c.sendmsg([b'head|', memoryview(b'body|'), bytearray(b'tail')]))
data = b''
while len(data) < 14:
    data += conn.recv(14 - len(data))
print('recv', data)
c.sendmsg([b'0123456789'])
b1, b2 = bytearray(4), bytearray(10)
select.select([conn], [], [], 5)
nbytes, ancdata, flags, address = conn.recvmsg_into([b1, memoryview(b2)[2:]])
print('recvmsg_into', nbytes <= 10, ancdata, flags, address, bytes(b1), bytes(b2[:nbytes - 2]))
c.close()
print('recvmsg at EOF', conn.recvmsg(100))
conn.close()

u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u1.bind(('127.0.0.1', 0))
u2.bind(('127.0.0.1', 0))
u2.settimeout(5)
print('udp sendmsg', u1.sendmsg([b'one ', b'datagram'], [], 0, u2.getsockname()))
data, anc, flags, addr = u2.recvmsg(100)
print('udp recvmsg', data, anc, flags, addr == u1.getsockname())
u1.sendto(b'x' * 10, u2.getsockname())
buf = bytearray(16)
n, anc, flags, addr = u2.recvmsg_into([buf])
print('udp recvmsg_into', n, anc, flags, addr == u1.getsockname(), bytes(buf[:n]))
u1.close()
u2.close()

s = socket.socket()
fd = s.detach()
print('detached', s.fileno(), fd >= 0)
s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd)
print('adopted', s2.family.name, s2.type.name, s2.fileno() == fd)
s2.close()
srv.close()
