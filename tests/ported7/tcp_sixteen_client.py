# Foundations of Python Network Programming, 3rd ed., chapter 3: tcp_sixteen.py's client, run four ways: as
# in the book, with the message in three sendall() pieces, with the reply read by a recvall() that sees it in
# any pieces, a client that sends five octets and hangs up, and one that sends eight and half-closes (the
# server's EOFError, then the client's own). argv: the server's port.
import socket
import sys
import time


def recvall(sock, length):
    data = b''
    while len(data) < length:
        more = sock.recv(length - len(data))
        if not more:
            raise EOFError('was expecting %d bytes but only received'
                           ' %d bytes before the socket closed'
                           % (length, len(data)))
        data += more
    return data


def client(host, port, pieces=(b'Hi there, server',), half_close=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    print('Client has been assigned socket name', sock.getsockname()[0])
    for piece in pieces:
        sock.sendall(piece)
        time.sleep(0.05)
    if half_close:
        sock.shutdown(socket.SHUT_WR)
    reply = recvall(sock, 16)
    print('The server said', repr(reply))
    sock.close()


def quitter(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    sock.sendall(b'Hi th')
    sock.close()
    print('Quitter sent five octets and closed')


if __name__ == '__main__':
    port = int(sys.argv[1])
    client('127.0.0.1', port)
    client('127.0.0.1', port, (b'Hi ', b'there, ', b'server'))
    quitter('127.0.0.1', port)
    try:
        client('127.0.0.1', port, (b'Hi there',), True)
    except EOFError as e:
        print('EOFError:', e)
