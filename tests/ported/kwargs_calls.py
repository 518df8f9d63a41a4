# Keyword arguments as Python programs write them, for the functions whose Python signature takes
# keywords: socket.socket(type=…, family=…, fileno=…), socketpair(type=…), create_connection(timeout=…),
# getaddrinfo(type=…, flags=…), makefile(mode=…, encoding=…), sendfile(offset=…, count=…), and a
# selector's register(…, data=…) / modify(…, data=…).
import os
import selectors
import socket
import tempfile

u = socket.socket(type=socket.SOCK_DGRAM)
print('type=', u.family.name, u.type.name)
u.close()
s6 = socket.socket(family=socket.AF_INET6, type=socket.SOCK_STREAM)
print('family=, type=', s6.family.name, s6.type.name)
s6.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto=0)
fd = s.detach()
s = socket.socket(fileno=fd)
print('fileno=', s.family.name, s.type.name, s.fileno() == fd)
s.close()

a, b = socket.socketpair(type=socket.SOCK_DGRAM)
print('socketpair(type=)', a.type.name)
a.close()
b.close()

print('getaddrinfo', socket.getaddrinfo('127.0.0.1', 80, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)[0][4])
srv = socket.create_server(('127.0.0.1', 0), backlog=5)
c = socket.create_connection(srv.getsockname(), timeout=5, source_address=('127.0.0.1', 0))
conn, addr = srv.accept()
print('create_connection(timeout=)', c.gettimeout(), addr == c.getsockname())

fd, path = tempfile.mkstemp()
os.write(fd, b'0123456789')
os.close(fd)
with open(path, 'rb') as f:
    print('sendfile(offset=, count=)', c.sendfile(f, offset=2, count=5))
os.unlink(path)
r = conn.makefile(mode='r', encoding='ascii', newline='')
print('makefile(mode=, encoding=)', repr(r.read(5)))

sel = selectors.DefaultSelector()
key = sel.register(conn, selectors.EVENT_READ, data=None)
print('register(data=None)', key.data is None, key.events)
key = sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data='conn')
print('modify(data=)', key.data, key.events)
c.sendall(b'x')
events = sel.select(timeout=5)
print('select(timeout=)', [(k.data, mask) for k, mask in events])
sel.close()
r.close()
for x in (c, conn, srv):
    x.close()
