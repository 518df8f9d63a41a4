# Foundations of Python Network Programming, 3rd ed., chapter 2: udp_remote.py. The server pretends to drop
# half the datagrams (a seeded generator, the same in every run); the client connect()s its UDP socket and
# retransmits with exponential backoff, raising RuntimeError when the delay grows too long. A stranger's
# datagram to the connected client is never seen. Server lines are logged and printed at the end (a thread's
# print would race the client's).
import socket
import threading

MAX_BYTES = 65535
seed = 25


def rand():
    global seed
    seed = (seed * 1103515245 + 12345) % 2147483648
    return ((seed >> 16) & 0x7fff) / 32768


log = []


def server(sock, count):
    for _ in range(count):
        data, address = sock.recvfrom(MAX_BYTES)
        if rand() < 0.5:
            log.append('Pretending to drop packet from the client')
            continue
        text = data.decode('ascii')
        log.append('The client says {!r}'.format(text))
        message = 'Your data was {} bytes long'.format(len(data))
        sock.sendto(message.encode('ascii'), address)


def client(port, text, delay, limit):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(('127.0.0.1', port))
    print('Client socket name is', sock.getsockname()[0])
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stranger.sendto(b'noise', sock.getsockname())
    stranger.close()
    data = text.encode('ascii')
    try:
        while True:
            sock.send(data)
            print('Waiting up to {} seconds for a reply'.format(delay))
            sock.settimeout(delay)
            try:
                data = sock.recv(MAX_BYTES)
            except socket.timeout as exc:
                print('  timeout:', type(exc).__name__, exc)
                delay *= 2  # wait even longer for the next request
                if delay > limit:
                    raise RuntimeError('I think the server is down') from exc
            else:
                break  # we are done, and can stop looping
        print('The server says {!r}'.format(data.decode('ascii')))
    except RuntimeError as e:
        print('RuntimeError:', e, '/ cause:', type(e.__cause__).__name__)
    finally:
        sock.close()


ssock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ssock.bind(('127.0.0.1', 0))
port = ssock.getsockname()[1]
print('Listening at', ssock.getsockname()[0])
# The seeded drops (r = reply, D = drop): r r DDDr r DDr, so requests meet drops and replies alike.
t = threading.Thread(target=server, args=(ssock, 10))
t.start()
for text in ['This is another message', 'second', 'third one', 'fourth', 'the last']:
    client(port, text, 0.3, 2.4)
t.join(10)
print('server thread alive:', t.is_alive())
for line in log:
    print(line)
ssock.close()
# Nobody answers here: the delays 0.1, 0.2, 0.4 run out.
dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dead.bind(('127.0.0.1', 0))
client(dead.getsockname()[1], 'anyone?', 0.1, 0.4)
dead.close()
