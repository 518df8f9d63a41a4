"""CPython side of the pysocket bench: the same work with the blocking socket
module, the peer in a thread. Prints one JSON object on stdout.

usage: python3 bench/peer.py bulk tcp|unix recv_into|recv TOTAL_BYTES
       python3 bench/peer.py pingpong COUNT SIZE
       python3 bench/peer.py readline LINES
"""

import json
import os
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


def pingpong(count, size):
    srv, addr = listener("tcp")

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


def main(argv):
    kind = argv[1]
    if kind == "bulk":
        out = bulk(argv[2], argv[3], int(argv[4]))
    elif kind == "pingpong":
        out = pingpong(int(argv[2]), int(argv[3]))
    elif kind == "readline":
        out = readline(int(argv[2]))
    else:
        raise SystemExit("unknown kind " + kind)
    out["python"] = sys.version.split()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
