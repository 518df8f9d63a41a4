# recv_into() with memoryview slicing, the loop from the socket HOWTO and Foundations ch. 5: a preallocated
# bytearray filled through view[n:] slices until full (no copies), recv_into(view, nbytes) with nbytes shorter
# than the view, nbytes larger than the buffer (ValueError), a 0-length view, recvfrom_into() of UDP datagrams
# into slices of one buffer (a truncated datagram, nbytes), and recv_into() after the peer closed.
import socket
import threading
import hashlib

PAYLOAD = bytes((i * 7 + 3) % 251 for i in range(300_000))

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]


def sender():
    conn, _ = lsock.accept()
    with conn:
        for i in range(0, len(PAYLOAD), 4099):
            conn.sendall(PAYLOAD[i:i + 4099])
        conn.sendall(b"tail-0123456789")
        conn.recv(1)


t = threading.Thread(target=sender)
t.start()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
buf = bytearray(len(PAYLOAD))
view = memoryview(buf)
toread = len(buf)
calls = 0
while toread:
    nbytes = s.recv_into(view, toread)
    if nbytes == 0:
        break
    view = view[nbytes:]
    toread -= nbytes
    calls += 1
print("filled", len(buf) - toread, "bytes, same:", bytes(buf) == PAYLOAD, "sha", hashlib.sha256(buf).hexdigest()[:16],
      "calls > 1:", calls > 1)
small = bytearray(20)
n = s.recv_into(memoryview(small)[5:], 4)
print("nbytes 4 into [5:]:", n, bytes(small))
n = s.recv_into(memoryview(small)[5:])
print("rest into [5:]:", n, bytes(small))
try:
    s.recv_into(bytearray(4), 5)
except ValueError as e:
    print("ValueError:", e)
try:
    s.recv_into(bytearray(4), -1)
except ValueError as e:
    print("ValueError:", e)
print("0-length view:", s.recv_into(memoryview(small)[:0]))
s.sendall(b"x")
t.join()
print("after close:", s.recv_into(small), bytes(small[:3]))
s.close()
lsock.close()

u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u1.bind(("127.0.0.1", 0))
u2.bind(("127.0.0.1", 0))
u2.settimeout(5)
for d in (b"alpha", b"bravo-bravo", b"c" * 40, b""):
    u1.sendto(d, u2.getsockname())
dbuf = bytearray(64)
dview = memoryview(dbuf)
off = 0
for size in (0, 8, 16, 0):
    n, addr = u2.recvfrom_into(dview[off:], size)
    print("datagram", n, "from u1:", addr == u1.getsockname(), bytes(dview[off:off + n]))
    off += n
print("buffer", bytes(dbuf[:off]))
u1.sendto(b"0123456789", u2.getsockname())
n = u2.recv_into(dview[60:])
print("into the last 4 bytes:", n, bytes(dbuf[60:]))
try:
    u2.recvfrom_into(bytearray(2), 3)
except ValueError as e:
    print("ValueError:", e)
u1.close()
u2.close()
