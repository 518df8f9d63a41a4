# The writev() loop of a non-blocking server (as in asyncio's and Tornado's write paths): a queue of many
# buffers is flushed with sendmsg(), which takes what fits; the count is consumed across the buffers (whole ones
# dropped, the first partial one sliced through a memoryview) and EVENT_WRITE waits for room. The reader starts
# late and reads slowly, so sendmsg() falls short and then raises BlockingIOError. Also over a socketpair, and
# sendmsg(..., MSG_DONTWAIT) on a blocking socket.
import selectors
import socket
import threading
import time
import zlib

BUFS = [bytes([i % 251]) * (65536 + i) for i in range(200)]
TOTAL = sum(len(b) for b in BUFS)
WANT = zlib.crc32(b"".join(BUFS))


def reader(sock, out):
    time.sleep(0.2)
    crc = 0
    n = 0
    while True:
        data = sock.recv(32768)
        if not data:
            break
        crc = zlib.crc32(data, crc)
        n += len(data)
    out.append((n, crc))


def writev_all(sock):
    sock.setblocking(False)
    queue = [memoryview(b) for b in BUFS]
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_WRITE)
    short = would_block = calls = 0
    deadline = time.monotonic() + 20
    while queue and time.monotonic() < deadline:
        try:
            n = sock.sendmsg(queue[:64])
        except BlockingIOError:
            would_block += 1
            sel.select(5)
            continue
        calls += 1
        if n < sum(len(b) for b in queue[:64]):
            short += 1
        while n:
            if n >= len(queue[0]):
                n -= len(queue[0])
                queue.pop(0)
            else:
                queue[0] = queue[0][n:]
                n = 0
    sel.close()
    return calls, short > 0, would_block > 0, not queue


for kind in ("tcp", "socketpair"):
    if kind == "tcp":
        lsock = socket.create_server(("127.0.0.1", 0))
        a = socket.create_connection(lsock.getsockname())
        b, _ = lsock.accept()
        lsock.close()
    else:
        a, b = socket.socketpair()
    out = []
    t = threading.Thread(target=reader, args=(b, out))
    t.start()
    calls, short, blocked, done = writev_all(a)
    a.shutdown(socket.SHUT_WR)
    t.join()
    print(kind, "sendmsg calls > 1:", calls > 1, "a short count:", short, "BlockingIOError:", blocked,
          "queue emptied:", done)
    print(kind, "reader got", out[0][0] == TOTAL, out[0][1] == WANT)
    a.close()
    b.close()

a, b = socket.socketpair()
a.settimeout(None)
sent = 0
blocked = False
for i in range(400):
    try:
        sent += a.sendmsg([b"x" * 8192, b"y" * 8192], [], socket.MSG_DONTWAIT)
    except BlockingIOError:
        blocked = True
        break
print("MSG_DONTWAIT on a blocking socket: filled then BlockingIOError:", blocked, sent > 0)
print("still blocking:", a.getblocking())
a.close()
b.close()
