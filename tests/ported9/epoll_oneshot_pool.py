# An epoll server with a pool of worker threads (the EPOLLONESHOT pattern of C servers, in Python: the event
# loop hands a ready socket to a worker through a queue; EPOLLONESHOT keeps a second worker from getting the same
# socket; the worker drains it with non-blocking recv() until BlockingIOError and re-arms it with modify()).
# Edge-triggered (EPOLLET) reads, EPOLLRDHUP for a peer's half-close. Eight clients at once send numbered lines
# in bursts 50 ms apart; each gets every line back, summed by the worker that handled it, in order.
import queue
import select
import socket
import threading
import time

lsock = socket.create_server(("127.0.0.1", 0))
lsock.setblocking(False)
port = lsock.getsockname()[1]
ep = select.epoll()
ep.register(lsock.fileno(), select.EPOLLIN)
jobs = queue.Queue()
conns = {}
lock = threading.Lock()
stats = {"rearmed": 0, "rdhup": 0, "closed": 0, "double": 0}
busy = set()
N = 8


def worker():
    while True:
        fd = jobs.get()
        if fd is None:
            return
        with lock:
            if fd in busy:
                stats["double"] += 1
            busy.add(fd)
        conn, buf = conns[fd]
        eof = False
        while True:
            try:
                data = conn.recv(7)
            except BlockingIOError:
                break
            if not data:
                eof = True
                break
            buf += data
        *lines, rest = buf.split(b"\n")
        for line in lines:
            nums = [int(x) for x in line.split()]
            conn.sendall(b"%d %d\n" % (nums[0], sum(nums)))
        conns[fd][1] = rest
        with lock:
            busy.discard(fd)
            if eof:
                ep.unregister(fd)
                conn.close()
                stats["closed"] += 1
            else:
                stats["rearmed"] += 1
                ep.modify(fd, select.EPOLLIN | select.EPOLLET | select.EPOLLONESHOT | select.EPOLLRDHUP)


def loop():
    polls = 0
    while stats["closed"] < N and polls < 5000:
        polls += 1
        for fd, ev in ep.poll(1):
            if fd == lsock.fileno():
                while True:
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    conns[conn.fileno()] = [conn, b""]
                    ep.register(conn.fileno(), select.EPOLLIN | select.EPOLLET | select.EPOLLONESHOT | select.EPOLLRDHUP)
            else:
                if ev & select.EPOLLRDHUP:
                    with lock:
                        stats["rdhup"] += 1
                jobs.put(fd)


def client(i, out):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        lines = [b"%d %d %d\n" % (n, i, n * i) for n in range(40)]
        for k in range(0, 40, 8):
            s.sendall(b"".join(lines[k:k + 8]))
            time.sleep(0.05)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            data = s.recv(4096)
            if not data:
                break
            got += data
        out[i] = got.split(b"\n")[:-1] == [b"%d %d" % (n, n + i + n * i) for n in range(40)]


workers = [threading.Thread(target=worker) for _ in range(4)]
for w in workers:
    w.start()
lt = threading.Thread(target=loop)
lt.start()
out = {}
cs = [threading.Thread(target=client, args=(i, out)) for i in range(N)]
for c in cs:
    c.start()
for c in cs:
    c.join()
lt.join()
for _ in workers:
    jobs.put(None)
for w in workers:
    w.join()
ep.close()
lsock.close()
print("clients all answered in order:", [out[i] for i in range(N)])
print("closed:", stats["closed"], "EPOLLRDHUP seen:", stats["rdhup"] > 0, "re-armed:", stats["rearmed"] > 0,
      "a socket given to two workers at once:", stats["double"])
