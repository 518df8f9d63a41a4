# A threaded TCP relay that passes half-closes through (the pattern of socat and of netcat's -N: one thread per
# direction, recv() until b'', then shutdown(SHUT_WR) on the other side; the connection is closed when both
# directions ended). Behind it: a "sort" service that reads its request to EOF, then answers and closes, so a
# client must half-close to get an answer. The client side is TCP; the relay reaches the service over TCP and
# over AF_UNIX (a temp dir). Also: a client that half-closes without sending anything, and a 1 MB request.
import os
import shutil
import socket
import tempfile
import threading

lock = threading.Lock()
log = []


def note(*a):
    with lock:
        log.append(" ".join(str(x) for x in a))


def sort_service(lsock, n):
    for _ in range(n):
        conn, _ = lsock.accept()
        with conn:
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            lines = data.split(b"\n")
            reply = b"\n".join(sorted(lines)) if len(data) < 1000 else b"%d bytes, %d lines" % (len(data), len(lines))
            conn.sendall(reply)
    lsock.close()


def pump(src, dst, name, done):
    total = 0
    while True:
        data = src.recv(16384)
        if not data:
            break
        dst.sendall(data)
        total += len(data)
    dst.shutdown(socket.SHUT_WR)
    note("relay", name, total)
    done.release()


def relay(lsock, target, family, n):
    threads = []
    for _ in range(n):
        client, _ = lsock.accept()
        upstream = socket.socket(family, socket.SOCK_STREAM)
        upstream.connect(target)
        done = threading.Semaphore(0)

        def run(client=client, upstream=upstream, done=done):
            a = threading.Thread(target=pump, args=(client, upstream, "c->s", done))
            b = threading.Thread(target=pump, args=(upstream, client, "s->c", done))
            a.start()
            b.start()
            done.acquire()
            done.acquire()
            a.join()
            b.join()
            client.close()
            upstream.close()

        t = threading.Thread(target=run)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    lsock.close()


def client(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            data = s.recv(4096)
            if not data:
                break
            got += data
        return got


tmp = tempfile.mkdtemp()
for family in (socket.AF_INET, socket.AF_UNIX):
    log.clear()
    svc = socket.socket(family, socket.SOCK_STREAM)
    svc.bind(("127.0.0.1", 0) if family == socket.AF_INET else os.path.join(tmp, "sort.sock"))
    svc.listen(5)
    target = svc.getsockname()
    front = socket.create_server(("127.0.0.1", 0))
    port = front.getsockname()[1]
    ts = [threading.Thread(target=sort_service, args=(svc, 3)),
          threading.Thread(target=relay, args=(front, target, family, 3))]
    for t in ts:
        t.start()
    print(family.name, "sorted:", client(port, b"pear\napple\nfig\nbanana"))
    print(family.name, "empty:", client(port, b""))
    print(family.name, "big:", client(port, b"x" * 999 + b"\n" + b"y" * (1024 * 1024)))
    for t in ts:
        t.join()
    for line in sorted(log):
        print(family.name, line)
shutil.rmtree(tmp)  # the socket file with it (pysocket: Deno deleted it at close, docs/limits.md)
