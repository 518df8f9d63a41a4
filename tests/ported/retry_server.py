# A flaky line server for the retry client: it answers only every second request it reads (the others
# are "lost"), and never answers SLOW. One client; stops at EOF.
import socket
import sys

lsock = socket.create_server(('127.0.0.1', int(sys.argv[1])))
print('listening on', lsock.getsockname())
conn, addr = lsock.accept()
with conn, conn.makefile('rb') as f:
    n = 0
    for line in f:
        n += 1
        if line.startswith(b'SLOW'):
            print('ignoring', line)
            continue
        if n % 2:
            print('losing', n, line)
            continue
        print('answering', n, line)
        conn.sendall(b'OK ' + line)
print('client left after', n, 'requests')
lsock.close()
