# The self-pipe trick on socket.socketpair() (Cookbook and asyncio's own design): a select() loop over a listener,
# its clients and the non-blocking read end of a wakeup pair; worker threads put results on a queue and write a
# byte to the other end (a full pipe's BlockingIOError ignored) so the loop wakes, drains the wakeup end to
# BlockingIOError and sends the results. Then the wakeup pair is filled until send() raises BlockingIOError,
# select() sees it readable, draining it returns every byte written, and the write end is writable again.
# Draining stops at BlockingIOError; unless argv[1] == "strict", what is still missing is then waited for with
# select() (CPython never needs to: a socketpair's send() has put its bytes in the peer's queue when it returns).
import queue
import sys
import select
import socket
import threading
import time

results = queue.Queue()
r_wake, w_wake = socket.socketpair()
r_wake.setblocking(False)
w_wake.setblocking(False)


def wake():
    try:
        w_wake.send(b"\0")
    except BlockingIOError:
        pass


def worker(conn, job):
    n = int(job)
    time.sleep((n * 7 % 5) / 100)
    results.put((conn, b"%d squared is %d\n" % (n, n * n)))
    wake()


lsock = socket.create_server(("127.0.0.1", 0))
lsock.setblocking(False)
port = lsock.getsockname()[1]
replies = {}


def client(i):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        jobs = list(range(i * 10, i * 10 + 6))
        s.sendall(b"".join(b"%d\n" % j for j in jobs))
        f = s.makefile("rb")
        replies[i] = sorted(f.readline().decode().strip() for _ in jobs)
        f.close()


clients = [threading.Thread(target=client, args=(i,)) for i in range(5)]
for t in clients:
    t.start()

conns, bufs = [], {}
done = 0
wakeups = 0
jobs = 0
workers = []
deadline = time.monotonic() + 20
while done < 5 and time.monotonic() < deadline:
    readable, _, _ = select.select([lsock, r_wake] + conns, [], [], 1.0)
    for s in readable:
        if s is lsock:
            conn, _ = lsock.accept()
            conn.setblocking(True)
            conn.settimeout(5)
            conns.append(conn)
            bufs[conn] = b""
        elif s is r_wake:
            while True:
                try:
                    got = r_wake.recv(4096)
                except BlockingIOError:
                    break
                wakeups += len(got)
            while not results.empty():
                conn, line = results.get_nowait()
                conn.sendall(line)
        else:
            data = s.recv(4096)
            if not data:
                conns.remove(s)
                s.close()
                done += 1
                continue
            bufs[s] += data
            *lines, bufs[s] = bufs[s].split(b"\n")
            for job in lines:
                jobs += 1
                w = threading.Thread(target=worker, args=(s, job))
                w.start()
                workers.append(w)
for t in clients:
    t.join()
for w in workers:
    w.join()
for i in sorted(replies):
    print(i, replies[i])
print("jobs", jobs, "woken at least once:", wakeups >= 1, "at most once per job:", wakeups <= jobs)

written = 0
while True:
    try:
        written += w_wake.send(b"x" * 65536)
    except BlockingIOError:
        break
print("filled the wakeup pair:", written > 0)
print("readable:", select.select([r_wake], [], [], 1)[0] == [r_wake])
print("writable while full:", select.select([], [w_wake], [], 0)[1] == [w_wake])
drained = 0
while True:
    try:
        got = r_wake.recv(65536)
    except BlockingIOError:
        break
    drained += len(got)
strict = len(sys.argv) > 1 and sys.argv[1] == "strict"
deadline = time.monotonic() + 10
while not strict and drained < written and time.monotonic() < deadline:
    if select.select([r_wake], [], [], 1)[0]:
        drained += len(r_wake.recv(65536))
print("drained every byte:", drained == written)
print("writable again:", select.select([], [w_wake], [], 1)[1] == [w_wake])
for s in (lsock, r_wake, w_wake):
    s.close()
