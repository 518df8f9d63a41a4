# PyMOTW-3 selectors_echo_server.py and selectors_echo_client.py in one program (the server loop in a thread):
# callbacks kept as key.data, a non-blocking accept registering read(), keep_running cleared when the client
# closes; the client registered for EVENT_READ | EVENT_WRITE, popping messages from `outgoing`, switching to
# read-only with modify(), stopping once everything sent came back (the original's keep_running expression,
# with its intent, checked after the write: the original stops at the first read, which is timing). What a recv() returns is
# accumulated and printed once (how the bytes are cut is timing); each side's lines are printed at the end.
import selectors
import socket
import threading

mysel = selectors.DefaultSelector()
keep_running = True
server_log = []


def read(connection, mask):
    "Callback for read events"
    global keep_running
    client_address = connection.getpeername()
    data = connection.recv(1024)
    if data:
        received[connection] = received.get(connection, b'') + data
        connection.sendall(data)
    else:
        server_log.append('read({})'.format(client_address[0]))
        server_log.append('  received {!r}'.format(received.pop(connection)))
        server_log.append('  closing')
        mysel.unregister(connection)
        connection.close()
        keep_running = False


def accept(sock, mask):
    "Callback for new connections"
    new_connection, addr = sock.accept()
    server_log.append('accept({})'.format(addr[0]))
    new_connection.setblocking(False)
    mysel.register(new_connection, selectors.EVENT_READ, read)


received = {}
server_address = ('localhost', 0)
server_log.append('starting up on {} port {}'.format(server_address[0], 'PORT'))
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setblocking(False)
server.bind(server_address)
server.listen(5)
port = server.getsockname()[1]

mysel.register(server, selectors.EVENT_READ, accept)


def server_loop():
    while keep_running:
        for key, mask in mysel.select(timeout=1):
            callback = key.data
            callback(key.fileobj, mask)
    server_log.append('shutting down')
    mysel.close()
    server.close()


t = threading.Thread(target=server_loop)
t.start()

# selectors_echo_client.py
csel = selectors.DefaultSelector()
running = True
outgoing = [b'It will be repeated.', b'This is the message.  ']
bytes_sent = 0
bytes_received = 0
got = b''

server_address = ('localhost', port)
print('connecting to {} port {}'.format(server_address[0], 'PORT'))
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(server_address)
sock.setblocking(False)
csel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
reads = 0
while running:
    for key, mask in csel.select(timeout=1):
        connection = key.fileobj
        client_address = connection.getpeername()
        if mask & selectors.EVENT_READ:
            data = connection.recv(1024)
            if data:
                reads += 1
                got += data
                bytes_received += len(data)
            if not data:
                running = False
        if mask & selectors.EVENT_WRITE:
            print('client({}) ready to write'.format(client_address[0]))
            if not outgoing:
                print('  switching to read-only')
                csel.modify(sock, selectors.EVENT_READ)
            else:
                next_msg = outgoing.pop()
                print('  sending {!r}'.format(next_msg))
                sock.sendall(next_msg)
                bytes_sent += len(next_msg)
        if not outgoing and bytes_received and bytes_received == bytes_sent:
            running = False
print('  received {!r} in {} read(s): {}'.format(got, 'one or more', reads >= 1))
print('sent', bytes_sent, 'received', bytes_received)
print('shutting down')
csel.unregister(connection)
connection.close()
csel.close()
t.join(30)
print('server alive:', t.is_alive())
for line in server_log:
    print(line)
