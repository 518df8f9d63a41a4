# PyMOTW-3 select_poll_echo_server.py (poll() with READ_ONLY/READ_WRITE flag sets, fd_to_socket, message
# queues, POLLHUP and POLLERR branches) driven by select_echo_multiclient.py (two sockets, a message in parts)
# and select_echo_slow_client.py (parts sent with pauses). The server runs in a thread and logs per
# connection; logs are printed after the clients (two threads' prints would interleave). "waiting for the
# next event" and "queue empty" lines are counted, not printed (how often they come is timing).
import queue
import select
import socket
import threading
import time

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setblocking(0)
server_address = ('localhost', 0)
server.bind(server_address)
server.listen(5)
port = server.getsockname()[1]
print('starting up on {} port {}'.format(server_address[0], 'PORT'))

message_queues = {}
TIMEOUT = 1000
READ_ONLY = (select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR)
READ_WRITE = READ_ONLY | select.POLLOUT

logs = {}
names = {}
closed = [0]


def log(s, line):
    logs.setdefault(names[s], []).append(line)


def serve():
    poller = select.poll()
    poller.register(server, READ_ONLY)
    fd_to_socket = {server.fileno(): server}
    waits = 0
    while closed[0] < 3:
        waits += 1
        events = poller.poll(TIMEOUT)
        for fd, flag in events:
            s = fd_to_socket[fd]
            if flag & (select.POLLIN | select.POLLPRI):
                if s is server:
                    connection, client_address = s.accept()
                    names[connection] = 'conn{}'.format(len(names) + 1)
                    log(connection, '  connection {}'.format(client_address[0]))
                    connection.setblocking(0)
                    fd_to_socket[connection.fileno()] = connection
                    poller.register(connection, READ_ONLY)
                    message_queues[connection] = queue.Queue()
                else:
                    data = s.recv(1024)
                    if data:
                        log(s, '  received {!r} from {}'.format(data, s.getpeername()[0]))
                        message_queues[s].put(data)
                        poller.modify(s, READ_WRITE)
                    else:
                        log(s, '  closing')
                        poller.unregister(s)
                        del fd_to_socket[fd]
                        s.close()
                        del message_queues[s]
                        closed[0] += 1
            elif flag & select.POLLHUP:
                log(s, '  closing (HUP)')
                poller.unregister(s)
                s.close()
                closed[0] += 1
            elif flag & select.POLLOUT:
                try:
                    next_msg = message_queues[s].get_nowait()
                except queue.Empty:
                    poller.modify(s, READ_ONLY)
                else:
                    log(s, '  sending {!r}'.format(next_msg))
                    s.send(next_msg)
            elif flag & select.POLLERR:
                log(s, '  exception')
                poller.unregister(s)
                s.close()
                del message_queues[s]
    print('server waited at least 3 times:', waits >= 3)
    server.close()


t = threading.Thread(target=serve)
t.start()

# select_echo_multiclient.py
messages = ['This is the message. ', 'It will be sent ', 'in parts.']
server_address = ('localhost', port)
socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM), socket.socket(socket.AF_INET, socket.SOCK_STREAM)]
print('connecting to {} port {}'.format(server_address[0], 'PORT'))
for s in socks:
    s.connect(server_address)
for message in messages:
    outgoing_data = message.encode()
    for i, s in enumerate(socks):
        print('sock{}: sending {!r}'.format(i, outgoing_data))
        s.send(outgoing_data)
    for i, s in enumerate(socks):
        data = s.recv(1024)
        print('sock{}: received {!r}'.format(i, data))
        if not data:
            print('closing socket', i)
            s.close()
for s in socks:
    s.close()

# select_echo_slow_client.py
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print('connecting to {} port {}'.format(server_address[0], 'PORT'))
sock.connect(server_address)
time.sleep(0.3)
for part in [b'Part one of the message.', b'Part two of the message.']:
    print('sending {!r}'.format(part))
    sock.sendall(part)
    time.sleep(0.3)
amount_received = 0
amount_expected = 48
parts = []
while amount_received < amount_expected:
    data = sock.recv(16)
    amount_received += len(data)
    parts.append(data)
print('received {!r}'.format(b''.join(parts)))
print('closing socket')
sock.close()

t.join(30)
for name in sorted(logs):
    print(name)
    for line in logs[name]:
        print(line)
