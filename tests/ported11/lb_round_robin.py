# A round-robin TCP load balancer on selectors with non-blocking sockets: a health check (connect_ex with a
# timeout) drops a backend that refuses; each request goes to the next healthy backend by a non-blocking
# connect (EINPROGRESS, EVENT_WRITE, SO_ERROR); a backend that refuses at run time (its server went away) or
# closes in the middle of a reply is marked down and the request is retried on the next one. Backends A and B
# answer one line per connection (B stops after two), C refuses from the start, D sends half a reply and hangs up.
import errno
import selectors
import socket
import threading
import time

stop = threading.Event()


def backend(name, lsock, limit=None, half=False):
    lsock.settimeout(0.05)
    served = 0
    while not stop.is_set() and (limit is None or served < limit):
        try:
            conn, _ = lsock.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(5)
            line = b""
            while not line.endswith(b"\n"):
                data = conn.recv(64)
                if not data:
                    break
                line += data
            if not line:
                continue  # a health check
            served += 1
            if half:
                conn.sendall(b"%s half" % name.encode())
            else:
                conn.sendall(b"%s answers %s" % (name.encode(), line))
    lsock.close()


def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


la, lb, ld = listener(), listener(), listener()
lc = listener()
c_addr = lc.getsockname()
lc.close()  # C refuses
threads = [
    threading.Thread(target=backend, args=("A", la)),
    threading.Thread(target=backend, args=("B", lb, 2)),
    threading.Thread(target=backend, args=("D", ld, 1, True)),
]
for t in threads:
    t.start()
backends = [("A", la.getsockname()), ("B", lb.getsockname()), ("C", c_addr), ("D", ld.getsockname())]

healthy = []
for name, addr in backends:
    with socket.socket() as probe:
        probe.settimeout(1)
        code = probe.connect_ex(addr)
    print("health check", name, errno.errorcode.get(code, code))
    if code == 0:
        healthy.append((name, addr))
print("healthy:", [n for n, _ in healthy])

front = socket.create_server(("127.0.0.1", 0))
front.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(front, selectors.EVENT_READ, ("accept", None))
rr = 0
done = 0
log = []


class Job:
    def __init__(self, client):
        self.client = client
        self.request = b""
        self.reply = b""
        self.backend = None
        self.name = None


def dispatch(job):
    global rr
    if not healthy:
        job.client.sendall(b"503 no backend\n")
        finish(job)
        return
    name, addr = healthy[rr % len(healthy)]
    rr += 1
    b = socket.socket()
    b.setblocking(False)
    code = b.connect_ex(addr)
    log.append("%s -> %s (connect_ex %s)" % (job.request.strip().decode(), name, errno.errorcode.get(code, code)))
    job.backend, job.name, job.reply = b, name, b""
    sel.register(b, selectors.EVENT_WRITE, ("backend", job))


def mark_down(job, why):
    global healthy
    log.append("%s down: %s" % (job.name, why))
    healthy = [(n, a) for n, a in healthy if n != job.name]
    sel.unregister(job.backend)
    job.backend.close()
    dispatch(job)


def finish(job):
    global done
    sel.unregister(job.client)
    job.client.close()
    done += 1


deadline = time.monotonic() + 10


def client_side():
    for i in range(7):
        with socket.create_connection(front.getsockname(), timeout=5) as c:
            c.sendall(b"req %d\n" % i)
            reply = b""
            while not reply.endswith(b"\n"):
                data = c.recv(64)
                if not data:
                    break
                reply += data
            print("client got", reply)


ct = threading.Thread(target=client_side)
ct.start()
while done < 7 and time.monotonic() < deadline:
    for key, mask in sel.select(timeout=0.5):
        kind, job = key.data
        if kind == "accept":
            conn, _ = front.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, ("client", Job(conn)))
        elif kind == "client":
            data = key.fileobj.recv(64)
            job.request += data
            if job.request.endswith(b"\n"):
                sel.modify(key.fileobj, selectors.EVENT_READ, ("client-wait", job))
                dispatch(job)
        elif kind == "client-wait":
            pass
        elif mask & selectors.EVENT_WRITE:
            err = job.backend.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                mark_down(job, "connect " + errno.errorcode[err])
                continue
            job.backend.sendall(job.request)
            sel.modify(job.backend, selectors.EVENT_READ, ("backend", job))
        else:
            data = job.backend.recv(64)
            job.reply += data
            if job.reply.endswith(b"\n"):
                sel.unregister(job.backend)
                job.backend.close()
                job.client.setblocking(True)
                job.client.sendall(job.reply)
                finish(job)
            elif not data:
                mark_down(job, "closed mid-reply after %r" % job.reply)
ct.join()
stop.set()
for t in threads:
    t.join()
front.close()
sel.close()
for line in log:
    print(line)
print("still healthy:", [n for n, _ in healthy])
