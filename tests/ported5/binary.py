# PyMOTW-3 socket_binary_server.py and socket_binary_client.py in one program (the server in a thread): packed
# binary data with struct, the native 'I 2s f' layout (two pad bytes), then network-order records with a
# count prefix, each recv(unpacker.size) read until whole.
import binascii
import socket
import struct
import threading

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(('127.0.0.1', 0))
sock.listen(1)
server_address = sock.getsockname()
log = []


def recv_exactly(conn, n):
    data = b''
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            raise EOFError('was expecting %d bytes but only received %d bytes before the socket closed'
                           % (n, len(data)))
        data += more
    return data


def serve():
    unpacker = struct.Struct('I 2s f')
    connection, client_address = sock.accept()
    try:
        data = connection.recv(unpacker.size)
        log.append('received {!r}'.format(binascii.hexlify(data)))
        unpacked_data = unpacker.unpack(data)
        log.append('unpacked: {}'.format(unpacked_data))
        header = struct.Struct('!H')
        record = struct.Struct('!hHiIqd3sx?')
        (count,) = header.unpack(recv_exactly(connection, header.size))
        for _ in range(count):
            log.append('record: {}'.format(record.unpack(recv_exactly(connection, record.size))))
        try:
            recv_exactly(connection, 4)
        except EOFError as e:
            log.append('EOFError: {}'.format(e))
    finally:
        connection.close()


t = threading.Thread(target=serve)
t.start()
values = (1, b'ab', 2.7)
packer = struct.Struct('I 2s f')
packed_data = packer.pack(*values)
print('values =', values)
print('size =', packer.size, 'format =', packer.format)
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(server_address)
print('sending {!r}'.format(binascii.hexlify(packed_data)))
client.sendall(packed_data)
record = struct.Struct('!hHiIqd3sx?')
records = [(-1, 65535, -2147483648, 4294967295, -(2 ** 63), 0.1, b'xyz', True),
           (300, 1, 7, 8, 2 ** 40, -1e300, b'a\x00b', False),
           (0, 0, 0, 0, 0, float('inf'), b'', True)]
data = struct.pack('!H', len(records)) + b''.join(record.pack(*r) for r in records)
print('records packed into', len(data), 'bytes:', binascii.hexlify(data[:16]))
for i in range(0, len(data), 7):
    client.sendall(data[i:i + 7])
client.sendall(b'\x01\x02')
client.close()
t.join()
for line in log:
    print(line)
sock.close()
