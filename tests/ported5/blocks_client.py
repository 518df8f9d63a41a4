# Foundations of Python Network Programming, 3rd ed., chapter 5: blocks.py's client (shutdown(SHUT_RD), then
# put_block() with two send() calls each and an empty block to end), streamer.py's client (many send() calls
# then shutdown(SHUT_WR)), and a client that dies inside a block. argv: the server's port.
import socket
import struct
import sys
import time

header_struct = struct.Struct('!I')  # messages up to 2**32 - 1 in length
address = ('127.0.0.1', int(sys.argv[1]))


def put_block(sock, message):
    block_length = len(message)
    sock.send(header_struct.pack(block_length))
    sock.sendall(message)


sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(address)
sock.shutdown(socket.SHUT_RD)
put_block(sock, b'Beautiful is better than ugly.')
put_block(sock, b'Explicit is better than implicit.')
put_block(sock, b'Simple is better than complex.')
put_block(sock, bytes(range(256)) * 300)
put_block(sock, b'')
print('after SHUT_RD recv gives', sock.recv(10))
sock.close()
print('blocks sent')

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(address)
sock.shutdown(socket.SHUT_RD)
sock.sendall(b'Beautiful is better than ugly.\n')
time.sleep(0.1)
sock.sendall(b'Explicit is better than implicit.\n')
sock.sendall(b'Simple is better than complex.\n')
sock.shutdown(socket.SHUT_WR)
try:
    sock.send(b'too late')
except OSError as e:
    print('send after SHUT_WR:', type(e).__name__, e)
sock.close()
print('stream sent')

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(address)
put_block(sock, b'whole')
sock.sendall(header_struct.pack(100) + b'only forty bytes of a hundred-byte block.')
sock.close()
print('cut block sent')
