# Foundations of Python Network Programming, 3rd ed., chapter 7: client.py against the Zen server — each
# client sends aphorisms and reads answers with recv_until(b'.'); one causes an error by sending a partial
# question and closing; more: an unknown aphorism, a question in pieces, two questions in one send, and three
# clients holding connections at once. argv: the server's port.
import socket
import sys
import time

aphorisms = [b'Beautiful is better than?', b'Explicit is better than?', b'Simple is better than?']
address = ('127.0.0.1', int(sys.argv[1]))


def recv_until(sock, suffix):
    message = sock.recv(4096)
    if not message:
        raise EOFError('socket closed')
    while not message.endswith(suffix):
        data = sock.recv(4096)
        if not data:
            raise IOError('received {!r} then socket closed'.format(message))
        message += data
    return message


def client(address, cause_error=False, order=(2, 0, 1)):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(address)
    if cause_error:
        sock.sendall(aphorisms[0][:-1])
        sock.close()
        return
    for i in order:
        aphorism = aphorisms[i]
        sock.sendall(aphorism)
        print(aphorism, recv_until(sock, b'.'))
    sock.close()


def pause():
    time.sleep(0.5)  # let the server print before the next conversation starts


print('-- a normal client')
client(address)
pause()
print('-- a client that causes an error')
client(address, cause_error=True)
pause()
print('-- an unknown aphorism, then a question in pieces, then two in one send')
sock = socket.create_connection(address)
sock.sendall(b'Flat is better than?')
print(recv_until(sock, b'.'))
for piece in [b'Explicit', b' is better', b' than?']:
    sock.sendall(piece)
    time.sleep(0.1)
print(recv_until(sock, b'.'))
sock.sendall(aphorisms[0] + aphorisms[1])
print(recv_until(sock, b'.'))
sock.shutdown(socket.SHUT_WR)
print('after SHUT_WR the server closes:', sock.recv(10))
sock.close()
pause()
print('-- three clients at once')
socks = []
for i in range(3):
    socks.append(socket.create_connection(address))
    pause()
for round in range(2):
    for i, s in enumerate(socks):
        s.sendall(aphorisms[(i + round) % 3])
        print(i, recv_until(s, b'.'))
for s in socks:
    s.close()
    pause()
print('-- a client reading its answer in a loop')
client(address, order=(0, 0))
pause()
try:
    s = socket.create_connection(address)
    s.sendall(b'Simple is better than?')
    s.shutdown(socket.SHUT_WR)
    print(recv_until(s, b'?'))
except (EOFError, IOError) as e:
    print(type(e).__name__, e)
s.close()
