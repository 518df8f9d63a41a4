# PyMOTW-3's three echo servers and their clients, each server in a thread: socket_echo_server_explicit.py with
# socket_echo_client_easy.py (create_connection), socket_echo_server_dgram.py with its client, and
# socket_echo_server_uds.py with its client (the os.unlink() dance before bind). The servers' lines are kept
# and printed after each client's (two threads' prints would interleave).
import os
import socket
import tempfile
import threading

log = []


def who(address):
    return address[0] if isinstance(address, tuple) else repr(address)


def explicit_server(sock):
    while True:
        # Wait for a connection
        log.append('waiting for a connection')
        connection, client_address = sock.accept()
        try:
            log.append('connection from {}'.format(who(client_address)))
            # Receive the data in small chunks and retransmit it
            while True:
                data = connection.recv(16)
                log.append('received {!r}'.format(data))
                if data:
                    log.append('sending data back to the client')
                    connection.sendall(data)
                else:
                    log.append('no data from {}'.format(who(client_address)))
                    break
        finally:
            # Clean up the connection
            connection.close()
        return


def flush(title):
    print('--', title)
    for line in log:
        print('   ', line)
    del log[:]


# socket_echo_server_explicit.py: bind to the first address getaddrinfo gives, family and all
sock = None
for res in socket.getaddrinfo('localhost', 0, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    af, socktype, proto, canonname, sa = res
    sock = socket.socket(af, socktype, proto)
    sock.bind(sa)
    break
# Listen for incoming connections (before the client thread may connect)
sock.listen(1)
print('starting up on {} port {}'.format(*sock.getsockname()[:1], 'PORT'))
t = threading.Thread(target=explicit_server, args=(sock,))
t.start()
# socket_echo_client_easy.py
sock2 = socket.create_connection(('localhost', sock.getsockname()[1]))
try:
    message = b'This is the message.  It will be repeated.'
    print('sending {!r}'.format(message))
    sock2.sendall(message)
    amount_received = 0
    amount_expected = len(message)
    while amount_received < amount_expected:
        data = sock2.recv(16)
        amount_received += len(data)
        print('received {!r}'.format(data))
finally:
    print('closing socket')
    sock2.close()
t.join()
sock.close()
flush('explicit server')

# socket_echo_server_dgram.py


def dgram_server(sock, count):
    for _ in range(count):
        log.append('waiting to receive message')
        data, address = sock.recvfrom(4096)
        log.append('received {} bytes from the client'.format(len(data)))
        log.append(repr(data))
        if data:
            sent = sock.sendto(data, address)
            log.append('sent {} bytes back to the client'.format(sent))


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server_address = ('localhost', 0)
sock.bind(server_address)
print('starting up on {}'.format(sock.getsockname()[0]))
t = threading.Thread(target=dgram_server, args=(sock, 2))
t.start()
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
message = b'This is the message.  It will be repeated.'
try:
    # Send data
    print('sending {!r}'.format(message))
    sent = client.sendto(message, sock.getsockname())
    # Receive response
    print('waiting to receive')
    data, server = client.recvfrom(4096)
    print('received {!r}'.format(data), server == sock.getsockname())
    client.sendto(b'', sock.getsockname())
finally:
    print('closing socket')
    client.close()
t.join()
sock.close()
flush('datagram server')

# socket_echo_server_uds.py
server_address = os.path.join(tempfile.mkdtemp(), 'uds_socket')
# Make sure the socket does not already exist
try:
    os.unlink(server_address)
except OSError:
    if os.path.exists(server_address):
        raise
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
print('starting up on', os.path.basename(server_address))
sock.bind(server_address)
print('bound:', sock.getsockname() == server_address, os.path.exists(server_address))
sock.listen(1)
t = threading.Thread(target=explicit_server, args=(sock,))
t.start()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
print('connecting to', os.path.basename(server_address))
try:
    client.connect(server_address)
except socket.error as msg:
    print(msg)
    raise SystemExit(1)
try:
    message = b'This is the message.  It will be repeated.'
    print('sending {!r}'.format(message))
    client.sendall(message)
    amount_received = 0
    amount_expected = len(message)
    while amount_received < amount_expected:
        data = client.recv(16)
        amount_received += len(data)
        print('received {!r}'.format(data))
    print('peer name:', repr(client.getpeername() == server_address), 'own name:', repr(client.getsockname()))
finally:
    print('closing socket')
    client.close()
t.join()
sock.close()
os.unlink(server_address)
os.rmdir(os.path.dirname(server_address))
flush('unix server')
