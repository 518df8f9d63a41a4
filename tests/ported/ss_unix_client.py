# Unix domain stream client for ss_unix_server: an unbound client (its own address is ''), two connections.
import socket
import sys

server_address = sys.argv[1]
for lines in ([b'hello\n', b'unix sockets\n'], [b'again\n', b'quit\n']):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    print('connecting to', sock.family.name)
    try:
        sock.connect(server_address)
    except OSError as msg:
        print(msg)
        sys.exit(1)
    print('local', repr(sock.getsockname()), 'peer is server', sock.getpeername() == server_address)
    f = sock.makefile('rb')
    for line in lines:
        sock.sendall(line)
        print('received', f.readline())
    f.close()
    sock.close()
