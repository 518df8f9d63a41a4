# Foundations of Python Network Programming, 3rd ed., chapter 3: tcp_sixteen.py's server. recvall() reads
# exactly sixteen octets; the reply is b'Farewell, client'. Client ports are left out (they change each run);
# a client that hangs up early makes recvall() raise EOFError, printed as the book's traceback would name it.
# Serves a set number of connections. argv: port.
import socket
import sys


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


def server(interface, port, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((interface, port))
    sock.listen(1)
    print('serving on port', sock.getsockname()[1])
    print('Listening at', sock.getsockname())
    for _ in range(count):
        print('Waiting to accept a new connection')
        sc, sockname = sock.accept()
        print('We have accepted a connection from', sockname[0])
        print('  Socket name:', sc.getsockname())
        print('  Socket peer:', sc.getpeername()[0])
        try:
            message = recvall(sc, 16)
        except EOFError as e:
            print('  EOFError:', e)
            sc.close()
            continue
        print('  Incoming sixteen-octet message:', repr(message))
        sc.sendall(b'Farewell, client')
        sc.close()
        print('  Reply sent, socket closed')
    sock.close()


if __name__ == '__main__':
    server('127.0.0.1', int(sys.argv[1]), 4)
