# A JSON-RPC 2.0 client with a 4-byte length prefix: calls by position and by name, a notification, a batch,
# pipelined calls read back in order, every standard error, a frame cut in pieces, an oversized frame that
# makes the server hang up. argv: the server's port.
import json
import socket
import struct
import sys

port = int(sys.argv[1])


def recv_exactly(sock, n):
    data = b''
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            raise EOFError('connection closed after %d of %d bytes' % (len(data), n))
        data += more
    return data


def send_frame(sock, payload):
    sock.sendall(struct.pack('!I', len(payload)) + payload)


def read_frame(sock):
    (n,) = struct.unpack('!I', recv_exactly(sock, 4))
    return json.loads(recv_exactly(sock, n))


def rpc(sock, method, params=None, ident=None, notify=False):
    req = {'jsonrpc': '2.0', 'method': method}
    if params is not None:
        req['params'] = params
    if not notify:
        req['id'] = ident
    send_frame(sock, json.dumps(req, separators=(',', ':')).encode())
    if notify:
        return None
    return read_frame(sock)


sock = socket.create_connection(('127.0.0.1', port))
print(rpc(sock, 'add', [2, 3], 1))
print(rpc(sock, 'subtract', {'subtrahend': 23, 'minuend': 42}, 2))
print(rpc(sock, 'echo', ['x', None, True], 'abc'))
print(rpc(sock, 'incr', {'by': 5}, notify=True))
print(rpc(sock, 'incr', [], 3))
print(rpc(sock, 'nope', [], 4))
print(rpc(sock, 'add', [1], 5))
send_frame(sock, b'{"jsonrpc": "2.0", "method": "add", "params": [1, 2')
print(read_frame(sock))
send_frame(sock, b'{"jsonrpc": "1.0", "method": "add", "id": 9}')
print(read_frame(sock))
send_frame(sock, b'[]')
print(read_frame(sock))
batch = [{'jsonrpc': '2.0', 'method': 'add', 'params': [1, 1], 'id': 10},
         {'jsonrpc': '2.0', 'method': 'incr'},
         {'foo': 'boo'},
         {'jsonrpc': '2.0', 'method': 'echo', 'params': {'k': [1, 2]}, 'id': 11}]
send_frame(sock, json.dumps(batch).encode())
print(read_frame(sock))
send_frame(sock, b'[{"jsonrpc": "2.0", "method": "incr"}]')  # all notifications: no reply at all
for i in range(3):
    send_frame(sock, json.dumps({'jsonrpc': '2.0', 'method': 'add', 'params': [i, i], 'id': 100 + i}).encode())
print([read_frame(sock)['result'] for _ in range(3)])
frame = struct.pack('!I', 40) + b'{"jsonrpc":"2.0","method":"incr","id":7}'
for i in range(0, len(frame), 5):
    sock.sendall(frame[i:i + 5])
print(read_frame(sock))
sock.shutdown(socket.SHUT_WR)
sock.recv(1)  # the server's close: its handler has printed 'end of stream' before the next connection
sock.close()

sock = socket.create_connection(('127.0.0.1', port))
sock.sendall(struct.pack('!I', 10 ** 6))
try:
    read_frame(sock)
except EOFError as e:
    print('EOFError:', e)
sock.close()

sock = socket.create_connection(('127.0.0.1', port))
sock.sendall(b'\x00\x00')
sock.shutdown(socket.SHUT_WR)
print('after a truncated header:', sock.recv(10))
sock.close()

sock = socket.create_connection(('127.0.0.1', port))
print(rpc(sock, 'shutdown', [], 'last'))
sock.close()
