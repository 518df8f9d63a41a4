# sendall() of a 4 MiB memoryview slice (the middle of a 6 MiB bytearray) to a slow reader that reads 64 KiB at a
# time with pauses; the reader's SHA-256 must match the slice's. An array('H') sent through a memoryview counts
# bytes, not items. Then a reader that stops reading: sendall() under settimeout(0.3) raises TimeoutError, and the
# reader, resumed, receives a prefix of what was offered (never more); a non-blocking send() into the full buffer
# raises BlockingIOError.
import array
import hashlib
import socket
import threading
import time

MiB = 1 << 20
big = bytearray((bytes(range(251)) * (6 * MiB // 251 + 1))[:6 * MiB])
view = memoryview(big)[MiB:5 * MiB]
print("slice:", len(view), "bytes, sha256", hashlib.sha256(view).hexdigest()[:16])


def slow_reader(conn, out):
    h = hashlib.sha256()
    total = 0
    reads = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        h.update(chunk)
        total += len(chunk)
        reads += 1
        if reads % 8 == 0:
            time.sleep(0.01)
    out["total"] = total
    out["digest"] = h.hexdigest()[:16]


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    cli = socket.create_connection(addr, timeout=10)
    conn, _ = lsock.accept()
    out = {}
    t = threading.Thread(target=slow_reader, args=(conn, out))
    t.start()
    r = cli.sendall(view)
    print("sendall returned", r)
    words = array.array("H", range(1000))
    cli.sendall(memoryview(words))
    print("array('H') of", len(words), "items is", memoryview(words).nbytes, "bytes")
    cli.shutdown(socket.SHUT_WR)
    t.join(20)
    print("reader got", out["total"], "bytes, sha256", out["digest"])
    expect = hashlib.sha256(bytes(view) + words.tobytes()).hexdigest()[:16]
    print("digest matches:", out["digest"] == expect)
    cli.close()
    conn.close()

    # a reader that stops reading
    cli = socket.create_connection(addr)
    conn, _ = lsock.accept()
    cli.settimeout(0.3)
    offered = memoryview(big)
    try:
        cli.sendall(offered)
        print("sendall: finished?!")
    except TimeoutError as e:
        print("sendall:", type(e).__name__, e, "is socket.timeout:", isinstance(e, socket.timeout))
    cli.setblocking(False)
    sends = []
    try:
        for _ in range(10000):
            sends.append(cli.send(offered[:65536]))
        print("send: never full?!")
    except BlockingIOError as e:
        print("send:", type(e).__name__, e.errno)
    cli.shutdown(socket.SHUT_WR)
    conn.settimeout(10)
    got = bytearray()
    while True:
        chunk = conn.recv(1 << 18)
        if not chunk:
            break
        got += chunk
    # what arrived: the part of the sendall that went out (how much depends on buffer sizes), then each send()'s
    # part, in order, nothing lost or doubled
    m = len(got) - sum(sends)
    print("sendall sent some:", m > 0, "- not all:", m < len(big))
    want = bytes(big[:m]) + b"".join(bytes(big[:n]) for n in sends)
    print("stream is the sendall's part, then the sends':", got == want)
    cli.close()
    conn.close()
