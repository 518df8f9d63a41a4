# Client of the framing server: frames of many sizes, some sent in one sendall (pipelined), some split
# into pieces with pauses; replies read with recv(MSG_WAITALL) and unpacked with struct.
import socket
import struct
import sys
import time
import zlib

s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))


def frame(payload):
    return struct.pack('!I', len(payload)) + payload


def read_reply():
    (n,) = struct.unpack('!I', s.recv(4, socket.MSG_WAITALL))
    length, crc = struct.unpack('!II', s.recv(n, socket.MSG_WAITALL))
    return length, '%08x' % crc


payloads = [b'hello', b'', b'x' * 70000, bytes(range(256)) * 4000, b'\x00\xff' * 3]
payloads = [p for p in payloads if p] + [b'tail']
s.sendall(b''.join(frame(p) for p in payloads[:3]))
for p in payloads[:3]:
    print(read_reply(), len(p), '%08x' % zlib.crc32(p))
for p in payloads[3:]:
    data = frame(p)
    for i in range(0, len(data), 300001):
        s.sendall(data[i:i + 300001])
        time.sleep(0.05)
    print(read_reply(), len(p))
s.sendall(frame(b''))
print(read_reply())
print('EOF', s.recv(10))
s.close()
