"""CPython side of the pysocket bench: the same work with the blocking socket
module, the peer in a thread. Prints one JSON object on stdout.

usage: python3 bench/peer.py bulk tcp|unix recv_into|recv TOTAL_BYTES
       python3 bench/peer.py pingpong COUNT SIZE
       python3 bench/peer.py readline LINES
       python3 bench/peer.py longline readline|waitall TOTAL
       python3 bench/peer.py tls-recv PORT CA TOTAL      (client of the raw Deno TLS server)
       python3 bench/peer.py tls-send PORT CA TOTAL
       python3 bench/peer.py tls-client-hs PORT CA COUNT
       python3 bench/peer.py tls-server-hs CERT KEY COUNT   (prints {"port"} first)
       python3 bench/peer.py select-echo CONNS              (prints {"port"} first)
"""

import json
import os
import selectors
import ssl
import select
import socket
import sys
import tempfile
import threading
import time

CHUNK = 65536


def line_blob(n):
    return b"".join(b"line %07d abcdefghijklmnopqrstuvwxyz\n" % i for i in range(n))


def listener(family):
    if family == "unix":
        d = tempfile.mkdtemp(prefix="pysocket-bench-")
        path = os.path.join(d, "s")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(8)
        return srv, path
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    return srv, srv.getsockname()


def connect(family, addr):
    s = socket.socket(socket.AF_UNIX if family == "unix" else socket.AF_INET, socket.SOCK_STREAM)
    s.connect(addr)
    return s


def bulk(family, mode, total):
    srv, addr = listener(family)

    def sender():
        s = connect(family, addr)
        buf = b"a" * CHUNK
        left = total
        while left > 0:
            k = min(left, CHUNK)
            s.sendall(buf if k == CHUNK else buf[:k])
            left -= k
        s.shutdown(socket.SHUT_WR)
        s.recv(16)
        s.close()

    t = threading.Thread(target=sender)
    t0 = time.perf_counter()
    t.start()
    conn, _ = srv.accept()
    got = 0
    if mode == "recv_into":
        buf = bytearray(CHUNK)
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            got += n
    else:
        while True:
            b = conn.recv(CHUNK)
            if not b:
                break
            got += len(b)
    dt = time.perf_counter() - t0
    conn.close()
    t.join()
    srv.close()
    if family == "unix":
        os.unlink(addr)
        os.rmdir(os.path.dirname(addr))
    return {"seconds": dt, "bytes": got}


def echo_thread(srv):
    """A started thread that echoes one connection of srv (TCP_NODELAY) until EOF."""

    def echo():
        c, _ = srv.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        c.close()

    t = threading.Thread(target=echo)
    t.start()
    return t


def pingpong(count, size):
    srv, addr = listener("tcp")
    t = echo_thread(srv)
    s = connect("tcp", addr)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = b"x" * size
    resp = bytearray(size)
    view = memoryview(resp)
    t0 = time.perf_counter()
    for _ in range(count):
        s.sendall(req)
        got = 0
        while got < size:
            n = s.recv_into(view[got:])
            if n == 0:
                raise RuntimeError("EOF")
            got += n
    dt = time.perf_counter() - t0
    s.close()
    t.join()
    srv.close()
    return {"seconds": dt, "ops": count}


def readline(lines):
    blob = line_blob(lines)
    srv, addr = listener("tcp")

    def writer():
        c, _ = srv.accept()
        for off in range(0, len(blob), CHUNK):
            c.sendall(blob[off:off + CHUNK])
        c.shutdown(socket.SHUT_WR)
        c.recv(16)
        c.close()

    t = threading.Thread(target=writer)
    t.start()
    s = connect("tcp", addr)
    f = s.makefile("rb")
    n = 0
    t0 = time.perf_counter()
    while True:
        line = f.readline()
        if not line:
            break
        n += 1
    dt = time.perf_counter() - t0
    f.close()
    s.close()
    t.join()
    srv.close()
    if n != lines:
        raise RuntimeError("got %d lines, expected %d" % (n, lines))
    return {"seconds": dt, "ops": n}


def tls_client(port, ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    raw = socket.create_connection(("127.0.0.1", port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return ctx, ctx.wrap_socket(raw, server_hostname="localhost")


def tls_recv(port, ca, total):
    t0 = time.perf_counter()
    _, s = tls_client(port, ca)
    buf = bytearray(CHUNK)
    got = 0
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        got += n
    dt = time.perf_counter() - t0
    s.close()
    if got != total:
        raise RuntimeError("got %d of %d" % (got, total))
    return {"seconds": dt, "bytes": got}


def tls_send(port, ca, total):
    _, s = tls_client(port, ca)
    buf = b"a" * CHUNK
    t0 = time.perf_counter()
    left = total
    while left > 0:
        s.sendall(buf)
        left -= CHUNK
    # The peer reads to EOF, then closes: timed until then, as the Deno rows are.
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(16):
            pass
    except (ssl.SSLError, OSError):
        pass
    dt = time.perf_counter() - t0
    s.close()
    return {"seconds": dt, "bytes": total}


def tls_client_hs(port, ca, count):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    t0 = time.perf_counter()
    for _ in range(count):
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        try:
            while s.recv(1024):
                pass
        except (ssl.SSLError, OSError):
            pass
        s.close()
    return {"seconds": time.perf_counter() - t0, "ops": count}


def tls_server_hs(cert, key, count):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    lsock = ctx.wrap_socket(srv, server_side=True)
    print(json.dumps({"port": lsock.getsockname()[1]}), flush=True)
    t0 = time.perf_counter()
    for _ in range(count):
        c, _ = lsock.accept()
        c.close()
    dt = time.perf_counter() - t0
    lsock.close()
    return {"seconds": dt, "ops": count}


def select_echo(conns):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1024)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    print(json.dumps({"port": srv.getsockname()[1]}), flush=True)
    accepted = opened = 0
    while accepted < conns or opened > 0:
        for key, _ in sel.select():
            if key.data is None:
                while True:
                    try:
                        c, _ = srv.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, c)
                    accepted += 1
                    opened += 1
            else:
                c = key.data
                try:
                    data = c.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data:
                    c.send(data)
                else:
                    sel.unregister(c)
                    c.close()
                    opened -= 1
    srv.close()
    return {"ops": accepted}


def longline(mode, total):
    """One unbroken `total`-byte line from a sender thread, read by readline() or recv(total, MSG_WAITALL)."""
    srv, addr = listener("tcp")

    def sender():
        c, _ = srv.accept()
        buf = b"a" * CHUNK
        left = total
        while left > 0:
            k = min(left, CHUNK)
            c.sendall(buf if k == CHUNK else buf[:k])
            left -= k
        c.shutdown(socket.SHUT_WR)
        c.recv(16)
        c.close()

    t = threading.Thread(target=sender)
    t.start()
    s = connect("tcp", addr)
    t0 = time.perf_counter()
    if mode == "readline":
        f = s.makefile("rb")
        got = len(f.readline())
        f.close()
    else:
        got = len(s.recv(total, socket.MSG_WAITALL))
    dt = time.perf_counter() - t0
    s.close()
    t.join()
    srv.close()
    if got != total:
        raise RuntimeError("got %d of %d" % (got, total))
    return {"seconds": dt, "bytes": got}


def select_rw(count, size):
    """A non-blocking client's select([s], [s], []) loop: send when writable and nothing is out, read the echo."""
    srv, addr = listener("tcp")
    t = echo_thread(srv)
    s = connect("tcp", addr)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    req = b"x" * size
    out = False
    done = 0
    t0 = time.perf_counter()
    while done < count:
        r, w, _ = select.select([s], [s], [], 5)
        if r:
            b = s.recv(65536)
            if not b:
                raise RuntimeError("EOF")
            out = False
            done += 1
        if w and not out:
            s.send(req)
            out = True
    dt = time.perf_counter() - t0
    s.close()
    t.join()
    srv.close()
    return {"seconds": dt, "ops": count}


def small_sends(count, size):
    """`count` timed sendall() calls of `size` bytes (settimeout(5)) to a receiver thread; timed until it has all."""
    srv, addr = listener("tcp")
    total = count * size
    res = {}

    def receiver():
        c, _ = srv.accept()
        got = 0
        while got < total:
            d = c.recv(1 << 20)
            if not d:
                break
            got += len(d)
        res["got"] = got
        res["t1"] = time.perf_counter()
        c.close()

    t = threading.Thread(target=receiver)
    t.start()
    s = connect("tcp", addr)
    s.settimeout(5)
    msg = b"m" * size
    t0 = time.perf_counter()
    for _ in range(count):
        s.sendall(msg)
    t.join()
    s.close()
    srv.close()
    if res["got"] != total:
        raise RuntimeError("got %d of %d" % (res["got"], total))
    return {"seconds": res["t1"] - t0, "ops": count}


def main(argv):
    kind = argv[1]
    if kind == "bulk":
        out = bulk(argv[2], argv[3], int(argv[4]))
    elif kind == "pingpong":
        out = pingpong(int(argv[2]), int(argv[3]))
    elif kind == "readline":
        out = readline(int(argv[2]))
    elif kind == "longline":
        out = longline(argv[2], int(argv[3]))
    elif kind == "tls-recv":
        out = tls_recv(int(argv[2]), argv[3], int(argv[4]))
    elif kind == "tls-send":
        out = tls_send(int(argv[2]), argv[3], int(argv[4]))
    elif kind == "tls-client-hs":
        out = tls_client_hs(int(argv[2]), argv[3], int(argv[4]))
    elif kind == "tls-server-hs":
        out = tls_server_hs(argv[2], argv[3], int(argv[4]))
    elif kind == "select-echo":
        out = select_echo(int(argv[2]))
    elif kind == "select-rw":
        out = select_rw(int(argv[2]), int(argv[3]))
    elif kind == "small-sends":
        out = small_sends(int(argv[2]), int(argv[3]))
    else:
        raise SystemExit("unknown kind " + kind)
    out["python"] = sys.version.split()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
