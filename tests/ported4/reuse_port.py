# SO_REUSEADDR and SO_REUSEPORT as server programs meet them: a second listener on a port in use fails with
# EADDRINUSE, two create_server(reuse_port=True) listeners share one port and split twenty clients between
# them, the options read back as set, and after both close the port takes a plain listener again.
import socket
import threading

first = socket.create_server(('127.0.0.1', 0))
port = first.getsockname()[1]
print('SO_REUSEADDR on create_server:', first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
try:
    socket.create_server(('127.0.0.1', port))
except OSError as e:
    print('second listener:', type(e).__name__, e.errno, str(e).replace(str(port), 'PORT'))
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('127.0.0.1', port))
except OSError as e:
    print('bind with SO_REUSEADDR:', e)
s.close()
first.close()

a = socket.create_server(('127.0.0.1', 0), reuse_port=True)
port = a.getsockname()[1]
b = socket.create_server(('127.0.0.1', port), reuse_port=True)
print('shared port:', b.getsockname()[1] == port, a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT),
      b.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))
counts = {'a': 0, 'b': 0}


def serve(name, listener):
    listener.settimeout(0.5)
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            return
        with conn:
            counts[name] += 1
            conn.sendall(conn.recv(100).upper())


threads = [threading.Thread(target=serve, args=('a', a)), threading.Thread(target=serve, args=('b', b))]
for t in threads:
    t.start()
replies = []
for i in range(20):
    with socket.create_connection(('127.0.0.1', port), timeout=5) as c:
        c.sendall(b'client %d' % i)
        replies.append(c.recv(100))
for t in threads:
    t.join(10)
print('replies:', len(replies), replies[0], replies[-1])
print('served:', counts['a'] + counts['b'])
try:
    socket.create_server(('127.0.0.1', port))
except OSError as e:
    print('plain listener while shared:', type(e).__name__, e.errno, str(e).replace(str(port), 'PORT'))
a.close()
b.close()
again = socket.create_server(('127.0.0.1', port))
print('after close, plain listener:', again.getsockname()[1] == port)
again.close()
