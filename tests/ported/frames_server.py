# Length-prefixed framing (a 4-byte big-endian length, then the payload): frames read with recv_into
# into a preallocated buffer through memoryview slices; each frame is answered with a frame holding its
# length and a checksum. A zero-length frame ends the session.
import socket
import struct
import sys
import zlib


def recv_exactly_into(sock, view):
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:], len(view) - got)
        if n == 0:
            raise EOFError('peer closed after %d of %d bytes' % (got, len(view)))
        got += n
    return got


lsock = socket.socket()
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen(1)
print('listening on', lsock.getsockname())
conn, _ = lsock.accept()
buf = bytearray(2 * 1024 * 1024)
view = memoryview(buf)
header = bytearray(4)
frames = 0
while True:
    try:
        recv_exactly_into(conn, memoryview(header))
    except EOFError as e:
        print('EOF:', e)
        break
    (length,) = struct.unpack('!I', header)
    if length > len(buf):
        print('frame too large', length)
        break
    recv_exactly_into(conn, view[:length])
    frames += 1
    crc = zlib.crc32(view[:length])
    print('frame', frames, 'length', length, 'crc %08x' % crc, bytes(view[:min(length, 8)]))
    reply = struct.pack('!II', length, crc)
    conn.sendall(struct.pack('!I', len(reply)) + reply)
    if length == 0:
        break
conn.close()
lsock.close()
print('frames', frames)
