# A select.poll() server that streams a large reply to slow readers without blocking (the classic non-blocking
# write loop: send() until BlockingIOError, then POLLOUT; drop POLLOUT once the buffer is empty; POLLHUP/POLLERR
# and a reset end a client). Three clients: one reads 8 MB slowly in small pieces, one reads the whole reply at
# once, one stops reading after 64 KB and closes (the server's next send raises BrokenPipeError or
# ConnectionResetError, or poll() reports POLLERR/POLLHUP). Printed: totals and whether the server ever had to
# wait for the slow reader (partial sends and BlockingIOError happen; how many is timing).
import hashlib
import select
import socket
import threading
import time

SIZE = 8 * 1024 * 1024
payload = bytes(range(256)) * (SIZE // 256)
digest = hashlib.sha256(payload).hexdigest()[:16]
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(5)
lsock.setblocking(False)
port = lsock.getsockname()[1]
results = {}
lock = threading.Lock()


def server():
    p = select.poll()
    p.register(lsock, select.POLLIN)
    conns = {}
    ended = []
    waited = set()
    polls = 0
    while len(ended) < 3 and polls < 20000:
        polls += 1
        for fd, ev in p.poll(10000):
            if fd == lsock.fileno():
                conn, _ = lsock.accept()
                conn.settimeout(10)
                name = conn.recv(64).decode().strip()  # the client speaks first
                conn.setblocking(False)
                conns[conn.fileno()] = [conn, name, memoryview(payload)]
                p.register(conn, select.POLLOUT)
                continue
            conn, name, rest = conns[fd]
            if ev & (select.POLLERR | select.POLLHUP):
                ended.append((name, "POLLERR/POLLHUP", len(rest) < SIZE))
            else:
                try:
                    while rest:
                        n = conn.send(rest[:256 * 1024])
                        rest = rest[n:]
                    ended.append((name, "all sent", True))
                except BlockingIOError:
                    waited.add(name)
                    conns[fd][2] = rest
                    continue
                except (BrokenPipeError, ConnectionResetError) as e:
                    ended.append((name, type(e).__name__, len(rest) < SIZE))
            p.unregister(fd)
            del conns[fd]
            conn.close()
    lsock.close()
    for name, how, started in sorted(ended):
        if name == "quitter":  # which of the three comes first is timing
            how = "ended early" if how != "all sent" else how
        print("server:", name, how, started)
    print("server: had to wait for the slow reader:", "slow" in waited)


def reader(name, piece, stop=None, pause=0.0):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(name.encode() + b"\n")
        s.settimeout(20)
        h = hashlib.sha256()
        total = 0
        while stop is None or total < stop:
            data = s.recv(piece)
            if not data:
                break
            h.update(data)
            total += len(data)
            if pause and total % (1024 * 1024) < piece:
                time.sleep(pause)
    with lock:
        results[name] = (total, h.hexdigest()[:16] == digest if stop is None else total >= stop)


st = threading.Thread(target=server)
st.start()
ts = [threading.Thread(target=reader, args=a) for a in
      (("slow", 4096, None, 0.02), ("fast", 1024 * 1024), ("quitter", 4096, 65536))]
for t in ts:
    t.start()
for t in ts:
    t.join()
st.join()
for name in sorted(results):
    print(name, results[name])
