# Foundations of Python Network Programming, 3rd ed., chapter 5: blocks.py's server (length-prefixed blocks
# with struct '!I', recvall(), an empty block as the end, shutdown(SHUT_WR) right after accept) and
# streamer.py's server (read until EOF), then a block cut short (EOFError with the bytes left). argv: port.
import socket
import struct
import sys

header_struct = struct.Struct('!I')  # messages up to 2**32 - 1 in length


def recvall(sock, length):
    blocks = []
    while length:
        block = sock.recv(length)
        if not block:
            raise EOFError('socket closed with {} bytes left'
                           ' in this block'.format(length))
        length -= len(block)
        blocks.append(block)
    return b''.join(blocks)


def get_block(sock):
    data = recvall(sock, header_struct.size)
    (block_length,) = header_struct.unpack(data)
    return recvall(sock, block_length)


sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(('127.0.0.1', int(sys.argv[1])))
sock.listen(1)
print('Listening at port', sock.getsockname()[1])
# blocks.py
sc, sockname = sock.accept()
print('Accepted connection from', sockname[0])
sc.shutdown(socket.SHUT_WR)
while True:
    block = get_block(sc)
    if not block:
        break
    print('Block says:', repr(block) if len(block) < 80 else '%d bytes ending %r' % (len(block), block[-8:]))
print('the client sent nothing more:', sc.recv(10))
sc.close()
# streamer.py
sc, sockname = sock.accept()
print('Accepted connection from', sockname[0])
sc.shutdown(socket.SHUT_WR)
message = b''
while True:
    more = sc.recv(8192)  # arbitrary value of 8k
    if not more:  # socket has closed when recv() returns ''
        print('Received zero bytes - end of file')
        break
    message += more
print('Message:\n')
print(message.decode('ascii'))
sc.close()
# a block cut short
sc, sockname = sock.accept()
try:
    while True:
        block = get_block(sc)
        print('Block says:', repr(block))
except EOFError as e:
    print('EOFError:', e)
sc.close()
sock.close()
