# A length-prefixed protocol written with sendmsg() scatter/gather (header, payload and trailer in one call, no
# copying them together) and read with recvmsg_into() into several buffers: TCP (a 4-byte big-endian length, the
# payload, a 2-byte checksum), a socketpair() stream, a SOCK_DGRAM socketpair (a datagram longer than the buffers:
# MSG_TRUNC), UDP sendmsg() with an address, recvmsg() of a frame, and what sendmsg/recvmsg_into refuse.
import socket
import struct
import threading
import zlib


def frame_parts(payload):
    return [struct.pack("!I", len(payload)), payload, struct.pack("!H", zlib.crc32(payload) & 0xFFFF)]


def read_exact_into(sock, view):
    got = 0
    while got < len(view):
        n, anc, flags, addr = sock.recvmsg_into([view[got:]])
        if n == 0:
            raise EOFError("short frame")
        got += n
    return got


def read_frame(sock):
    hdr = bytearray(4)
    n = sock.recvmsg_into([hdr])[0]
    if n == 0:
        return None
    if n < 4:
        read_exact_into(sock, memoryview(hdr)[n:])
    (length,) = struct.unpack("!I", hdr)
    body = bytearray(length)
    crc = bytearray(2)
    # the payload and the trailer in one call, into two buffers
    n, anc, flags, addr = sock.recvmsg_into([body, crc])
    rest = length + 2 - n
    if rest:
        if n < length:
            read_exact_into(sock, memoryview(body)[n:])
            read_exact_into(sock, memoryview(crc))
        else:
            read_exact_into(sock, memoryview(crc)[n - length:])
    ok = struct.unpack("!H", crc)[0] == zlib.crc32(body) & 0xFFFF
    return bytes(body), ok


def sender(sock, payloads):
    for p in payloads:
        parts = frame_parts(p)
        total = sum(len(x) for x in parts)
        sent = sock.sendmsg(parts)
        while sent < total:
            flat = b"".join(parts)
            sent += sock.send(flat[sent:])
    sock.shutdown(socket.SHUT_WR)


payloads = [b"hello", b"", b"x" * 1000, bytes(range(256)) * 400, b"last"]

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port), timeout=5)
conn, _ = lsock.accept()
conn.settimeout(5)
t = threading.Thread(target=sender, args=(c, payloads))
t.start()
while True:
    f = read_frame(conn)
    if f is None:
        break
    body, ok = f
    print("tcp frame", len(body), body[:8], "crc ok:", ok)
t.join()
for s in (c, conn, lsock):
    s.close()

a, b = socket.socketpair()
a.settimeout(5)
b.settimeout(5)
print("sendmsg of four parts:", a.sendmsg([b"ab", memoryview(b"cd"), bytearray(b"ef"), b""]))
bufs = [bytearray(3), bytearray(1), bytearray(10)]
n, anc, flags, addr = b.recvmsg_into(bufs)
print("socketpair recvmsg_into:", n, anc, flags, addr, [bytes(x) for x in bufs])
a.sendmsg([b"frame-", b"two"])
data, anc, flags, addr = b.recvmsg(64)
print("recvmsg:", data, anc, flags, addr)
for bad in ([], [b"x", "str"], "abc"):
    try:
        print("sendmsg", repr(bad), "->", a.sendmsg(bad))
    except TypeError as e:
        print("sendmsg", repr(bad), "TypeError")
a.close()
print("after the peer closed:", b.recvmsg_into([bytearray(4)]))
b.close()

a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.settimeout(5)
b.settimeout(5)
a.sendmsg([b"0123", b"4567", b"89"])
bufs = [bytearray(3), bytearray(4)]
n, anc, flags, addr = b.recvmsg_into(bufs)
print("dgram truncated:", n, flags & socket.MSG_TRUNC == socket.MSG_TRUNC, [bytes(x) for x in bufs])
a.sendmsg([b"ok"])
bufs = [bytearray(3), bytearray(4)]
n, anc, flags, addr = b.recvmsg_into(bufs)
print("dgram whole:", n, flags, [bytes(x) for x in bufs])
a.close()
b.close()

u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u1.bind(("127.0.0.1", 0))
u2.bind(("127.0.0.1", 0))
u2.settimeout(5)
print("udp sendmsg:", u1.sendmsg([b"he", b"ll", b"o"], [], 0, u2.getsockname()))
hdr = bytearray(2)
rest = bytearray(8)
n, anc, flags, addr = u2.recvmsg_into([hdr, rest])
print("udp recvmsg_into:", n, bytes(hdr), bytes(rest[: n - 2]), addr == u1.getsockname())
u1.close()
u2.close()
