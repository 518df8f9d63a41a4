# Foundations of Python Network Programming, 3rd ed., chapter 2: big_sender.py, on loopback. Datagrams up to
# the largest UDP payload arrive whole; one byte more raises EMSGSIZE ('Alas, the datagram did not make
# it'); a short recv() truncates, MSG_TRUNC tells the real length; IPv6's limit is 20 bytes higher.
import socket

MAX_BYTES = 65535


def try_send(sock, receiver, size):
    try:
        sock.send(b'#' * size)
    except socket.error as e:
        print('Alas, the datagram of', size, 'bytes did not make it:', type(e).__name__, e.errno, e)
    else:
        data = receiver.recv(MAX_BYTES + 100)
        print('The big datagram was sent!', size, 'bytes sent,', len(data), 'received')


for family, host in [(socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')]:
    receiver = socket.socket(family, socket.SOCK_DGRAM)
    receiver.bind((host, 0))
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.connect(receiver.getsockname())
    print(family.name, 'connected to', receiver.getsockname()[0])
    for size in [1472, 9000, 65507, 65508, 65527, 65528, 999999]:
        try_send(sock, receiver, size)
    sock.send(b'x' * 5000)
    data = receiver.recv(100)
    print('short recv gives', len(data), 'bytes; the rest is gone')
    sock.send(b'y' * 3000)
    n = len(receiver.recv(10, socket.MSG_TRUNC))
    print('MSG_TRUNC recv says the datagram had', n, 'bytes')
    sock.send(b'z' * 3000)
    buf = bytearray(50)
    nbytes, addr = receiver.recvfrom_into(buf)
    print('recvfrom_into filled', nbytes, 'bytes:', bytes(buf[:5]), addr == sock.getsockname())
    try:
        sock.sendto(b'#' * 70000, receiver.getsockname())
    except OSError as e:
        print('sendto on a connected socket:', type(e).__name__, e)
    receiver.close()
    sock.close()
