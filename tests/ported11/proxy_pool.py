# An HTTP/1.1 reverse proxy that keeps a pool of keep-alive upstream connections: each request takes an idle
# pooled connection (or opens one) and returns it after a complete Content-Length response. The upstream closes
# a connection idle for 0.3 s, so the pooled one is stale after the client's pause: the first send/recv on it
# fails (sendall() succeeds into the closed connection, the read sees EOF, or an OSError), and the proxy retries
# the request once on a new connection. A client keeps its own connection to the proxy for all requests.
import socket
import threading
import time

log = []
stop = threading.Event()


def upstream_conn(conn, k):
    conn.settimeout(0.3)
    f = conn.makefile("rb")
    served = 0
    try:
        while True:
            line = f.readline()
            if not line:
                log.append("upstream conn#%d: EOF after %d requests" % (k, served))
                break
            path = line.split()[1]
            while f.readline() not in (b"\r\n", b""):
                pass
            served += 1
            body = b"conn#%d req#%d %s" % (k, served, path)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    except TimeoutError:
        log.append("upstream conn#%d: closed idle after %d requests" % (k, served))
    f.close()
    conn.close()


def upstream(lsock):
    lsock.settimeout(0.05)
    k = 0
    ts = []
    while not stop.is_set():
        try:
            conn, _ = lsock.accept()
        except TimeoutError:
            continue
        k += 1
        t = threading.Thread(target=upstream_conn, args=(conn, k))
        t.start()
        ts.append(t)
    for t in ts:
        t.join()
    lsock.close()


def read_response(f):
    status = f.readline()
    if not status:
        raise EOFError("upstream closed")
    length = 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        name, _, value = h.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return status, f.read(length)


up = socket.create_server(("127.0.0.1", 0))
up_addr = up.getsockname()
pool = []
opened = 0


def forward(request, path):
    global opened
    for attempt in (1, 2):
        if pool:
            conn, f = pool.pop()
            fresh = False
        else:
            conn = socket.create_connection(up_addr, timeout=5)
            f = conn.makefile("rb")
            opened += 1
            fresh = True
        try:
            conn.sendall(request)
            status, body = read_response(f)
        except (OSError, EOFError) as e:
            log.append("proxy: %s: %s pooled connection failed (%s), retrying" % (path, "a fresh" if fresh else "a", type(e).__name__))
            f.close()
            conn.close()
            if fresh:
                raise
            continue
        pool.append((conn, f))
        return status, body
    raise RuntimeError("no upstream")


def front(lsock):
    conn, _ = lsock.accept()
    conn.settimeout(5)
    f = conn.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            break
        headers = [line]
        while headers[-1] not in (b"\r\n", b""):
            headers.append(f.readline())
        path = line.split()[1].decode()
        status, body = forward(b"".join(headers), path)
        conn.sendall(status + b"Content-Length: %d\r\nVia: pool\r\n\r\n" % len(body) + body)
    f.close()
    conn.close()


ut = threading.Thread(target=upstream, args=(up,))
ut.start()
fl = socket.create_server(("127.0.0.1", 0))
ft = threading.Thread(target=front, args=(fl,))
ft.start()

c = socket.create_connection(fl.getsockname(), timeout=5)
cf = c.makefile("rb")


def get(path):
    c.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode())
    status, body = read_response(cf)
    print("client", path, status.strip(), body)


for p in ("/a", "/b", "/c"):
    get(p)
time.sleep(0.6)  # the upstream closes the idle pooled connection
get("/d")
get("/e")
cf.close()
c.close()
ft.join()
fl.close()
for conn, f in pool:
    f.close()
    conn.close()
time.sleep(0.4)
stop.set()
ut.join()
print("upstream connections opened by the proxy:", opened)
for line in log:
    print(line)
