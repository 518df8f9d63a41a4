# One UDP server socket, three client sockets: recvfrom_into a bytearray (with nbytes), MSG_PEEK,
# a datagram longer than the buffer (the rest is discarded), sendto back to each sender, message
# boundaries kept, a zero-length datagram, and select() across the clients.
import select
import socket

srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(('127.0.0.1', 0))
srv.settimeout(5)
addr = srv.getsockname()
clients = []
for i in range(3):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(('127.0.0.1', 0))
    c.settimeout(5)
    clients.append(c)
names = {c.getsockname(): 'client%d' % i for i, c in enumerate(clients)}

for i, c in enumerate(clients):
    c.sendto(b'hello from %d' % i, addr)
    c.sendto(b'#' * (100 * (i + 1)), addr)
clients[1].sendto(b'', addr)

buf = bytearray(64)
view = memoryview(buf)
for _ in range(7):
    peek, who = srv.recvfrom(8, socket.MSG_PEEK)
    n, who2 = srv.recvfrom_into(view, 50)
    print(names[who], who == who2, 'peek', peek, 'got', n, bytes(view[:min(n, 16)]))
    srv.sendto(b'echo %d' % n, who)

r, w, x = select.select(clients, [], [], 5)
for _ in range(50):
    if len(r) == 3:
        break
    r, w, x = select.select(clients, [], [], 5)
print('readable clients', sorted(names[c.getsockname()] for c in r))
for i, c in enumerate(clients):
    replies = []
    while True:
        r, w, x = select.select([c], [], [], 0.2)
        if not r:
            break
        data, frm = c.recvfrom(1024)
        replies.append(data)
        print(names[c.getsockname()], 'from server', frm == addr, data)
srv.settimeout(0.1)
try:
    srv.recvfrom(10)
except socket.timeout as e:
    print('nothing left:', e)
try:
    srv.recvfrom_into(buf, 100)
except ValueError as e:
    print('ValueError:', e)
for c in clients:
    c.close()
srv.close()
