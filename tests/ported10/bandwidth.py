# Bandwidth measurement as the Cookbook and iperf-style scripts do it: a sender thread pushing 32 MB through
# sendall() of memoryview blocks, a receiver counting with recv_into() into one 64 KB bytearray and a running
# CRC-32, the rate computed from time.perf_counter(); then both directions at once over one connection, driven by
# a single select() loop over two non-blocking sockets (each end sends 8 MB while it receives 8 MB), over
# TCP and over a socketpair().
import select
import socket
import threading
import time
import zlib

BLOCK = 65536
pattern = bytes((i * 31 + 7) % 256 for i in range(BLOCK))


def measure(family, addr):
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.bind(addr)
    lsock.listen()
    total = 32 << 20

    def sender():
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.connect(lsock.getsockname())
            view = memoryview(pattern)
            for i in range(total // BLOCK):
                s.sendall(view[i % 7:] if i % 5 == 0 else view)
            s.sendall(view[:1000])

    t = threading.Thread(target=sender)
    t.start()
    conn, _ = lsock.accept()
    conn.settimeout(20)
    buf = bytearray(BLOCK)
    n = 0
    crc = 0
    calls = 0
    start = time.perf_counter()
    while True:
        k = conn.recv_into(buf)
        if not k:
            break
        crc = zlib.crc32(memoryview(buf)[:k], crc)
        n += k
        calls += 1
    elapsed = time.perf_counter() - start
    t.join()
    conn.close()
    lsock.close()
    want = 0
    expect = 0
    for i in range(total // BLOCK):
        piece = pattern[i % 7:] if i % 5 == 0 else pattern
        want = zlib.crc32(piece, want)
        expect += len(piece)
    want = zlib.crc32(pattern[:1000], want)
    expect += 1000
    print(family.name, "received", n, "expected", expect, "crc ok:", crc == want, "calls > 1:", calls > 1,
          "rate > 0:", n / max(elapsed, 1e-9) > 0)


def duplex(a, b):
    size = 8 << 20
    out = {a: memoryview(pattern * (size // BLOCK)), b: memoryview(pattern[::-1] * (size // BLOCK))}
    got = {a: 0, b: 0}
    crc = {a: 0, b: 0}
    for s in (a, b):
        s.setblocking(False)
    deadline = time.monotonic() + 30
    shut = set()
    while (got[a] < size or got[b] < size) and time.monotonic() < deadline:
        want_w = [s for s in (a, b) if len(out[s])]
        r, w, _ = select.select([a, b], want_w, [], 1)
        for s in w:
            try:
                sent = s.send(out[s][:BLOCK * 3])
            except BlockingIOError:
                continue
            out[s] = out[s][sent:]
            if not len(out[s]) and s not in shut:
                s.shutdown(socket.SHUT_WR)
                shut.add(s)
        for s in r:
            try:
                data = s.recv(BLOCK)
            except BlockingIOError:
                continue
            got[s] += len(data)
            crc[s] = zlib.crc32(data, crc[s])
    print("duplex got", got[a], got[b], "crc a:", crc[a] == zlib.crc32(pattern[::-1] * (size // BLOCK)),
          "crc b:", crc[b] == zlib.crc32(pattern * (size // BLOCK)))
    print("then EOF on both:", a.recv(10) if select.select([a], [], [], 5)[0] else "not readable",
          b.recv(10) if select.select([b], [], [], 5)[0] else "not readable")
    a.close()
    b.close()


measure(socket.AF_INET, ("127.0.0.1", 0))
measure(socket.AF_INET6, ("::1", 0))
lsock = socket.create_server(("127.0.0.1", 0))
a = socket.create_connection(lsock.getsockname())
b, _ = lsock.accept()
lsock.close()
duplex(a, b)
a, b = socket.socketpair()
duplex(a, b)
