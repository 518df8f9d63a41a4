# Foundations of Python Network Programming, 3rd ed., chapter 5: tcp_deadlock.py. The client sends all its
# data before it reads anything; the server echoes it upper-cased 1024 bytes at a time. Sizes stay below what
# loopback buffers hold, so nothing deadlocks; a second run sends in 16-byte chunks with a shutdown(SHUT_WR).
import socket
import sys
import threading


log = []  # the server thread's lines, printed at the end (a thread's print would race the client's)


def server(listener):
    for _ in range(2):
        sc, sockname = listener.accept()
        log.append('Processing up to 1024 bytes at a time from ' + sockname[0])
        n = 0
        while True:
            data = sc.recv(1024)
            if not data:
                break
            output = data.decode('ascii').upper().encode('ascii')
            sc.sendall(output)  # send it back uppercase
            n += len(data)
        sc.close()
        log.append('  Socket closed after %d bytes' % n)


def client(port, bytecount, chunk):
    bytecount = (bytecount + 15) // 16 * 16  # round up to a multiple of 16
    message = b'capitalize this!'  # 16-byte message to repeat over and over
    print('Sending', bytecount, 'bytes of data, in chunks of', chunk, 'bytes')
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(('127.0.0.1', port))
    sent = 0
    while sent < bytecount:
        sock.sendall(message * (chunk // 16))
        sent += chunk
    print('  %d bytes sent' % (sent,))
    sock.shutdown(socket.SHUT_WR)
    print('Receiving all the data the server sends back')
    received = 0
    pieces = []
    while True:
        data = sock.recv(42)
        if not received:
            print('  The first data received says', repr(data[:16]))
        if not data:
            break
        received += len(data)
        pieces.append(data)
    print('  %d bytes received' % (received,))
    whole = b''.join(pieces)
    print('  all upper-case:', whole == (message.upper() * (sent // 16)))
    sock.close()


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', 0))
listener.listen(1)
print('Listening at', listener.getsockname()[0])
t = threading.Thread(target=server, args=(listener,))
t.start()
client(listener.getsockname()[1], 32000, 16)
client(listener.getsockname()[1], 100003, 1024)
t.join()
for line in log:
    print(line)
listener.close()
