# The client of pb_server.py: encodes Person messages (strings, varints, zigzag sint, '<d' and '<I' fixed
# fields, repeated nested phones, an unknown field), sends several frames in one sendall, one frame a byte at a
# time, a 100 KB name, then a malformed frame; reads the Ack frames with its own recv buffer and decodes them.
# A second connection sends a frame whose length passes the server's limit.
import socket
import struct
import sys
import time


def encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def field(num, wire, value):
    key = encode_varint(num << 3 | wire)
    if wire == 0:
        return key + encode_varint(value)
    if wire == 2:
        return key + encode_varint(len(value)) + value
    return key + value


def person(name, id, email=None, phones=(), score=0.0, delta=0, flags=0, extra=b''):
    msg = field(1, 2, name.encode()) + field(2, 0, id)
    if email is not None:
        msg += field(3, 2, email.encode())
    for number, kind in phones:
        msg += field(4, 2, field(1, 2, number.encode()) + field(2, 0, kind))
    msg += field(5, 1, struct.pack('<d', score)) + field(6, 0, zigzag(delta)) + field(7, 5, struct.pack('<I', flags))
    return msg + extra


def frame(msg):
    return encode_varint(len(msg)) + msg


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def fill(self):
        data = self.sock.recv(4096)
        if not data:
            return False
        self.buf += data
        return True

    def frame(self):
        while True:
            shift = n = 0
            for i, b in enumerate(self.buf):
                n |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    if len(self.buf) >= i + 1 + n:
                        msg = self.buf[i + 1:i + 1 + n]
                        self.buf = self.buf[i + 1 + n:]
                        return msg
                    break
            if not self.fill():
                return None


def read_varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def ack(msg):
    out = {}
    pos = 0
    while pos < len(msg):
        key, pos = read_varint(msg, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            out[num], pos = read_varint(msg, pos)
        elif wire == 1:
            out[num] = struct.unpack('<q', msg[pos:pos + 8])[0]
            pos += 8
        elif wire == 2:
            n, pos = read_varint(msg, pos)
            out[num] = msg[pos:pos + n].decode()
            pos += n
    return out


port = int(sys.argv[1])
s = socket.create_connection(('127.0.0.1', port))
r = Reader(s)
batch = [person('Ada Lovelace', 1815, 'ada@example.org', [('555-0100', 1), ('555-0199', 2)], 3.25, -7, 0xDEADBEEF),
         person('Alan Turing', 1912, None, [], -0.5, 300, 1),
         person('Grace Hopper', 1906, 'grace@example.org', [('555-0142', 0)], 1e10, -(2 ** 31), 0,
                extra=field(99, 2, b'from a newer schema') + field(98, 0, 7))]
s.sendall(b''.join(frame(m) for m in batch))
for _ in batch:
    print('ack', ack(r.frame()))
slow = frame(person('Byte-by-byte \u00e9\u4e2d', 2 ** 40 + 1, 'slow@example.org', delta=2 ** 31 - 1))
for i in range(len(slow)):
    s.sendall(slow[i:i + 1])
    if i % 8 == 0:
        time.sleep(0.001)
print('ack', ack(r.frame()))
big = person('B' * 100000, 7)
s.sendall(frame(big))
a = ack(r.frame())
print('ack big', a[2], len(a[3]), a[4], a[5])
s.sendall(frame(field(1, 2, b'Mallory') + bytes([0x13, 0x01])))  # field 2, wire type 3
print('ack', ack(r.frame()))
print('then', r.frame())
s.close()

s = socket.create_connection(('127.0.0.1', port))
r = Reader(s)
s.sendall(encode_varint(2 ** 21) + b'xyz')
print('ack', ack(r.frame()))
print('then', r.frame())
s.close()
