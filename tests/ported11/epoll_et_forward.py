# A TCP port forwarder on edge-triggered epoll (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET): every socket is
# non-blocking; on an edge the forwarder reads until BlockingIOError (an edge is not repeated for bytes left
# behind), writes until BlockingIOError and keeps the rest for the next EPOLLOUT edge, accepts until
# BlockingIOError, and passes a half-close on (shutdown(SHUT_WR) once the buffer toward that side is empty).
# The upstream echoes; three clients each send 400 KB in 50 KB pieces 10 ms apart while a reader thread reads
# the echo, then half-close.
import errno
import select
import socket
import threading
import time


def echo_upstream(lsock, n):
    def serve(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
    ts = []
    for _ in range(n):
        conn, _ = lsock.accept()
        t = threading.Thread(target=serve, args=(conn,))
        t.start()
        ts.append(t)
    for t in ts:
        t.join()


N = 3
up = socket.create_server(("127.0.0.1", 0))
up_thread = threading.Thread(target=echo_upstream, args=(up, N))
up_thread.start()

front = socket.create_server(("127.0.0.1", 0))
front.setblocking(False)
ep = select.epoll()
ep.register(front.fileno(), select.EPOLLIN | select.EPOLLET)
ET = select.EPOLLIN | select.EPOLLOUT | select.EPOLLRDHUP | select.EPOLLET

socks = {}  # fd -> socket
peer = {}  # fd -> fd of the other side
out = {}  # fd -> bytearray waiting to be written to that fd
eof = {}  # fd -> that side sent EOF (passed on once out[peer] is empty)
shut = set()
stats = {"accepted": 0, "drained_to_eagain": 0, "partial_writes": 0, "closed": 0}


def flush(fd):
    s = socks[fd]
    while out[fd]:
        try:
            n = s.send(out[fd])
        except BlockingIOError:
            stats["partial_writes"] += 1
            return
        del out[fd][:n]
    if eof.get(peer[fd]) and fd not in shut:
        s.shutdown(socket.SHUT_WR)
        shut.add(fd)


def maybe_close(fd):
    other = peer[fd]
    if fd in shut and other in shut and not out[fd] and not out[other]:
        for f in (fd, other):
            ep.unregister(f)
            socks[f].close()
            del socks[f]
        stats["closed"] += 1


def readable(fd):
    s = socks[fd]
    other = peer[fd]
    while True:
        try:
            data = s.recv(65536)
        except BlockingIOError:
            stats["drained_to_eagain"] += 1
            break
        if not data:
            eof[fd] = True
            break
        out[other] += data
    flush(other)


def add(sock):
    sock.setblocking(False)
    socks[sock.fileno()] = sock
    out[sock.fileno()] = bytearray()
    ep.register(sock.fileno(), ET)


results = {}


def client(i):
    payload = bytes((i + j * 7) % 251 for j in range(400_000))
    with socket.create_connection(front.getsockname(), timeout=10) as c:
        # One byte there and back first: the forwarder's read of it drains to BlockingIOError whatever the load
        # (nothing more comes until its echo is back).
        c.sendall(b"!")
        assert c.recv(1) == b"!"
        got = []

        def reader():
            while True:
                data = c.recv(65536)
                if not data:
                    break
                got.append(data)

        rt = threading.Thread(target=reader)
        rt.start()
        for k in range(0, len(payload), 50_000):  # paced: the forwarder outruns it
            c.sendall(payload[k:k + 50_000])
            time.sleep(0.01)
        c.shutdown(socket.SHUT_WR)
        rt.join()
    back = b"".join(got)
    results[i] = (len(back), back == payload)


clients = [threading.Thread(target=client, args=(i,)) for i in range(N)]
for t in clients:
    t.start()

deadline = time.monotonic() + 20
while stats["closed"] < N and time.monotonic() < deadline:
    for fd, ev in ep.poll(1):
        if fd == front.fileno():
            while True:
                try:
                    conn, _ = front.accept()
                except BlockingIOError:
                    break
                upstream = socket.socket()
                upstream.setblocking(False)
                code = upstream.connect_ex(up.getsockname())
                assert code in (0, errno.EINPROGRESS), code
                add(conn)
                add(upstream)
                peer[conn.fileno()], peer[upstream.fileno()] = upstream.fileno(), conn.fileno()
                stats["accepted"] += 1
            continue
        if fd not in socks:
            continue
        if ev & select.EPOLLOUT:
            flush(fd)
        if ev & (select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP):
            readable(fd)
        if fd in socks:
            maybe_close(fd)
        if peer.get(fd) in socks:
            maybe_close(peer[fd])
for t in clients:
    t.join()
up_thread.join()
ep.close()
front.close()
up.close()
for i in sorted(results):
    print("client", i, "echoed back", results[i])
print("pairs accepted", stats["accepted"], "closed", stats["closed"], "reads drained to EAGAIN:",
      stats["drained_to_eagain"] > 0, "sockets left", len(socks))
