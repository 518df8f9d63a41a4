# Foundations of Python Network Programming, 3rd ed., chapter 2: udp_local.py (the server in a thread) and
# the chapter's "promiscuous client" lesson: while the server is held up, a stranger who knows the client's
# port sends it a datagram, and recvfrom() hands it to the client as if it were the reply ("Danger!"); a
# client that checks the sender's address (as the chapter suggests before connect()) skips it. Ports are
# printed as SERVER / CLIENT / STRANGER names (they change each run); the text is fixed instead of the time.
import socket
import threading

MAX_BYTES = 65535
gates = {1: threading.Event(), 2: threading.Event()}
server_lines = []
names = {}


def name(address):
    return (address[0], names.get(address[1], 'PORT'))


def server(sock, count):
    server_lines.append('Listening at {}'.format(name(sock.getsockname())))
    for i in range(count):
        data, address = sock.recvfrom(MAX_BYTES)
        if i in gates:
            gates[i].wait(10)  # the server is slow this time
        text = data.decode('ascii')
        # Named when printed: the client names its port only after its sendto() returned (a race otherwise).
        server_lines.append(lambda address=address, text=text: 'The client at {} says {!r}'.format(name(address), text))
        text = 'Your data was {} bytes long'.format(len(data))
        data = text.encode('ascii')
        sock.sendto(data, address)
    sock.close()


def client(port, check):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    text = 'The time is {}'.format('noon' if not check else 'half past noon')
    data = text.encode('ascii')
    sock.sendto(data, ('127.0.0.1', port))
    names[sock.getsockname()[1]] = 'CLIENT'
    print('The OS assigned me the address {}'.format(name(sock.getsockname())))
    return sock


def receive(sock, port, check):
    while True:
        data, address = sock.recvfrom(MAX_BYTES)  # Danger!
        text = data.decode('ascii')
        if check and address != ('127.0.0.1', port):
            print('Ignoring {!r} from {}'.format(text, name(address)))
            continue
        print('The server {} replied {!r}'.format(name(address), text))
        return


srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(('127.0.0.1', 0))
port = srv.getsockname()[1]
names[port] = 'SERVER'
t = threading.Thread(target=server, args=(srv, 3))
t.start()

# 1: as in the book
receive(client(port, False), port, False)

# 2 and 3: a stranger answers first
stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stranger.bind(('127.0.0.1', 0))
names[stranger.getsockname()[1]] = 'STRANGER'
for check in (False, True):
    sock = client(port, check)
    stranger.sendto(b'FAKE', ('127.0.0.1', sock.getsockname()[1]))
    print('The stranger sent b\'FAKE\' to the client')
    if check:
        gates[2].set()
    receive(sock, port, check)
    if not check:
        gates[1].set()
        data, address = sock.recvfrom(MAX_BYTES)
        print('Then the real reply came from {}: {!r}'.format(name(address), data.decode('ascii')))
    sock.close()
stranger.close()
t.join(10)
for line in server_lines:
    print(line if isinstance(line, str) else line())
