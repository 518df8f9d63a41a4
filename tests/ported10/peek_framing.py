# Framing with MSG_PEEK, as protocol sniffers and "is it TLS or plain?" servers do it: peek the first bytes to
# pick a protocol (a TLS ClientHello's 0x16 vs a text command), peek a 4-byte length header until it is all
# there (MSG_PEEK | MSG_WAITALL on a header that arrives in two pieces), then take the frame with MSG_WAITALL;
# peeking leaves select() readable; MSG_DONTWAIT on a blocking socket; a peek that times out; a peeked EOF stays
# EOF; UDP datagram sizes learnt with MSG_PEEK | MSG_TRUNC before a recvfrom of the right size.
import select
import socket
import struct
import threading
import time

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]


def sender(script):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for piece, pause in script:
        s.sendall(piece)
        time.sleep(pause)
    s.close()


def frame(body):
    return struct.pack("!I", len(body)) + body


script = [(b"\x16\x03\x01", 0.1), (frame(b"first frame")[:2], 0.2), (frame(b"first frame")[2:], 0.05),
          (frame(b"x" * 70000) + frame(b"")[:3], 0.2), (frame(b"")[3:] + b"QUIT\r\n", 0)]
t = threading.Thread(target=sender, args=(script,))
t.start()
conn, _ = lsock.accept()
conn.settimeout(5)
first = conn.recv(1, socket.MSG_PEEK)
print("sniffed:", first, "looks like TLS:", first == b"\x16")
print("still readable after peek:", select.select([conn], [], [], 0)[0] == [conn])
print("consumed the record header:", conn.recv(3, socket.MSG_WAITALL))
conn.settimeout(None)  # MSG_WAITALL waits for all only on a blocking socket
frames = []
peeks = []
while True:
    head = conn.recv(4, socket.MSG_PEEK | socket.MSG_WAITALL)
    peeks.append(len(head))
    if head[:4] == b"QUIT" or len(head) < 4:
        break
    (n,) = struct.unpack("!I", head)
    data = conn.recv(4 + n, socket.MSG_WAITALL)
    frames.append((n, data[4:14], len(data)))
print("frames:", frames, "peeks:", peeks)
conn.settimeout(5)
print("the rest:", conn.recv(100, socket.MSG_WAITALL))
print("peeked EOF:", conn.recv(10, socket.MSG_PEEK), conn.recv(10, socket.MSG_PEEK), conn.recv(10))
t.join()
conn.close()

t = threading.Thread(target=sender, args=([(b"", 0.6), (b"late", 0.3)],))
t.start()
conn, _ = lsock.accept()
try:
    conn.recv(10, socket.MSG_DONTWAIT)
except BlockingIOError as e:
    print("MSG_DONTWAIT:", type(e).__name__, e.errno)
print("blocking still:", conn.getblocking(), conn.gettimeout())
conn.settimeout(0.2)
try:
    conn.recv(10, socket.MSG_PEEK)
except TimeoutError as e:
    print("peek timed out:", e)
conn.settimeout(5)
print("peek then read:", conn.recv(10, socket.MSG_PEEK), conn.recv(2), conn.recv(10))
t.join()
conn.close()
lsock.close()

a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b.bind(("127.0.0.1", 0))
b.settimeout(5)
for d in (b"short", b"m" * 1000, b"", b"L" * 30000):
    a.sendto(d, b.getsockname())
for _ in range(4):
    size = len(b.recv(1, socket.MSG_PEEK | socket.MSG_TRUNC))
    data, addr = b.recvfrom(max(size, 1))
    print("datagram of", size, "bytes:", len(data), data[:5], addr == a.getsockname())
a.close()
b.close()
