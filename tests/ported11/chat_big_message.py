# A selectors chat server with non-blocking sockets and per-client output buffers: each complete line is relayed
# to every other client as "<id>: <line>"; send() takes what it can, the rest waits in the buffer and the client
# is switched to EVENT_READ | EVENT_WRITE with modify(), and back to EVENT_READ once the buffer is empty. One client
# sends a 1 MB line; one reads slowly (small recv()s after a pause). Every client counts what it got per sender
# (lines, bytes, CRC-32), which must be what the others sent, in each sender's order. (Whether a send() fell short
# depends on the kernel's buffer sizes, so it is not printed.)
import selectors
import socket
import threading
import time
import zlib

N = 4
big = b"".join(b"%07d," % i for i in range(131072))[: 1 << 20]
LINES = {i: [b"hello from %d" % i, b"bye from %d" % i] for i in range(N)}
LINES[0].insert(1, big)
results = {}


def client(i, addr):
    expect = sum(len(v) for k, v in LINES.items() if k != i)
    with socket.create_connection(addr, timeout=10) as s:
        s.sendall(b"%d\n" % i)  # who I am
        go = b""
        while len(go) < 3:  # the server says go once all are in
            go += s.recv(3 - len(go))
        for line in LINES[i]:
            s.sendall(line + b"\n")
        if i == 3:
            time.sleep(0.3)
        got = {}
        buf = b""
        n = 0
        while n < expect:
            data = s.recv(1024 if i == 3 else 65536)
            if not data:
                break
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                sender, _, body = line.partition(b": ")
                c, size, crc = got.get(int(sender), (0, 0, 0))
                got[int(sender)] = (c + 1, size + len(body), zlib.crc32(body, crc))
                n += 1
        results[i] = got


lsock = socket.create_server(("127.0.0.1", 0))
lsock.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(lsock, selectors.EVENT_READ)
threads = [threading.Thread(target=client, args=(i, lsock.getsockname())) for i in range(N)]
for t in threads:
    t.start()

ids, inbuf, outbuf = {}, {}, {}
writing = set()
joined = gone = 0
toggles = 0
deadline = time.monotonic() + 20


def queue(conn, data):
    global toggles
    if not outbuf[conn] and conn not in writing:
        try:
            sent = conn.send(data)
        except BlockingIOError:
            sent = 0
        data = data[sent:]
    if data:
        outbuf[conn] += data
        if conn not in writing:
            writing.add(conn)
            toggles += 1
            sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE)


while gone < N and time.monotonic() < deadline:
    for key, mask in sel.select(timeout=1):
        s = key.fileobj
        if s is lsock:
            conn, _ = lsock.accept()
            conn.setblocking(False)
            ids[conn] = None
            inbuf[conn], outbuf[conn] = b"", bytearray()
            sel.register(conn, selectors.EVENT_READ)
            joined += 1
            continue
        if mask & selectors.EVENT_WRITE and outbuf[s]:
            sent = s.send(outbuf[s])
            del outbuf[s][:sent]
            if not outbuf[s]:
                writing.discard(s)
                sel.modify(s, selectors.EVENT_READ)
        if mask & selectors.EVENT_READ:
            data = s.recv(65536)
            if not data:
                sel.unregister(s)
                s.close()
                gone += 1
                continue
            inbuf[s] += data
            *lines, inbuf[s] = inbuf[s].split(b"\n")
            for line in lines:
                if ids[s] is None:
                    ids[s] = int(line)
                    if sum(v is not None for v in ids.values()) == N:
                        for c in ids:
                            queue(c, b"go\n")
                    continue
                msg = b"%d: %s\n" % (ids[s], line)
                for other in list(outbuf):
                    if other is not s and other.fileno() != -1:
                        queue(other, msg)
for t in threads:
    t.join()
sel.close()
lsock.close()
print("joined", joined, "gone", gone)
for i in sorted(results):
    want = {k: (len(v), sum(len(x) for x in v), zlib.crc32(b"".join(v))) for k, v in LINES.items() if k != i}
    print("client", i, "got", sorted(results[i].items()), "as sent:", results[i] == want)
