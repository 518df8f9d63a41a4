# A framed reader that never allocates per read: recv_into() a memoryview slice of one preallocated 64-byte ring
# (with nbytes up to the wrap point), frames of a 2-byte big-endian length and a payload parsed across the wrap,
# from a sender that writes 300 frames in pieces of 1..13 bytes. Also recv_into()'s argument errors (nbytes too big
# for the buffer, negative) and a MSG_PEEK recv_into that leaves the bytes for the next one.
import socket
import struct
import threading
import zlib

RING = 64
ring = bytearray(RING)
view = memoryview(ring)


def sender(s):
    stream = b""
    for i in range(300):
        payload = bytes([(i * 13 + k) & 0xFF for k in range(i % 40)])
        stream += struct.pack(">H", len(payload)) + payload
    pos = 0
    step = 1
    while pos < len(stream):
        s.sendall(stream[pos:pos + step])
        pos += step
        step = step % 13 + 1
    s.shutdown(socket.SHUT_WR)


a, b = socket.socketpair()
b.settimeout(5)
t = threading.Thread(target=sender, args=(a,))
t.start()
head = 0  # where the next unread byte is
fill = 0  # bytes in the ring
frames = 0
crc = 0
lengths = set()
calls = 0


def take(n):
    global head, fill
    out = bytes(ring[head:head + n]) if head + n <= RING else bytes(ring[head:]) + bytes(ring[:head + n - RING])
    head = (head + n) % RING
    fill -= n
    return out


eof = False
for _ in range(100000):
    while fill >= 2:
        (n,) = struct.unpack(">H", bytes([ring[head], ring[(head + 1) % RING]]))
        if fill < 2 + n:
            break
        take(2)
        payload = take(n)
        frames += 1
        crc = zlib.crc32(payload, crc)
        lengths.add(n)
    if eof:
        break
    tail = (head + fill) % RING
    room = min(RING - fill, RING - tail)
    got = b.recv_into(view[tail:], room)
    calls += 1
    if got == 0:
        eof = True
    fill += got
t.join()
print("frames", frames, "crc %08x" % crc, "lengths", len(lengths), "left", fill)
try:
    b.recv_into(bytearray(4), 8)
except ValueError as e:
    print("ValueError:", e)
try:
    b.recv_into(bytearray(4), -1)
except ValueError as e:
    print("ValueError:", e)
a2, b2 = socket.socketpair()
b2.settimeout(5)
a2.sendall(b"peekaboo")
buf = bytearray(16)
n = b2.recv_into(buf, 4, socket.MSG_PEEK)
print("peeked", n, bytes(buf[:n]))
n = b2.recv_into(memoryview(buf)[2:], 0)
print("nbytes=0 reads", n, bytes(buf))
a2.sendall(b"XY")
n = b2.recv_into(memoryview(buf)[8:])
print("then", n, bytes(buf))
for s in (a, b, a2, b2):
    s.close()
