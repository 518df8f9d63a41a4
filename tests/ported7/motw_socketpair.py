# PyMOTW-3 socket_socketpair.py, its os.fork() child a thread (the port cannot fork; threads become tasks): the
# parent sends b'ping' on one end, the child answers b'pong' on the other. Then the same with
# socketpair(AF_UNIX, SOCK_DGRAM) (message boundaries kept) and the pair's names and families.
import socket
import threading

parent, child = socket.socketpair()
print('family', parent.family.name, 'type', parent.type.name, 'names', repr(parent.getsockname()),
      repr(child.getpeername()))
child_lines = []


def in_child():
    child_lines.append('in child, waiting for message')
    message = child.recv(1024)
    child_lines.append('message from parent: {!r}'.format(message))
    child.sendall(b'pong')
    child.close()


t = threading.Thread(target=in_child)
t.start()
print('in parent, sending message')
parent.sendall(b'ping')
response = parent.recv(1024)
print('response from child:', response)
print('then EOF:', parent.recv(1024))
parent.close()
t.join(10)
for line in child_lines:
    print(line)

a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
print('family', a.family.name, 'type', a.type.name)
for msg in (b'one', b'two two', b'', b'three three three'):
    a.send(msg)
for _ in range(4):
    print('datagram', b.recv(1024))
b.send(b'a reply too long for the buffer')
print('cut to', a.recv(7))
a.setblocking(False)
try:
    a.recv(1024)
except BlockingIOError as e:
    print('nothing more:', e)
a.close()
b.close()
