# A non-blocking client that polls connect_ex() until it says 0 or EISCONN (the classic loop from before
# selectors): the first call says EINPROGRESS, later ones EALREADY while the handshake is in flight, then 0 once
# (or EISCONN); a call after that says EISCONN, and connect() raises it. To a closed port the loop ends on
# ECONNREFUSED, and the call after that starts over. Then the connected socket speaks a tiny protocol
# with BlockingIOError retries.
import errno
import socket
import threading
import time

PENDING = (errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK)


def name(code):
    return errno.errorcode.get(code, str(code)) if code else "0"


def poll_connect(s, addr, limit=400):
    seen = []
    for _ in range(limit):
        err = s.connect_ex(addr)
        if not seen or seen[-1] != name(err):
            seen.append(name(err))
        if err in (0, errno.EISCONN):
            return "connected", seen
        if err in PENDING:
            time.sleep(0.005)
            continue
        return "failed", seen
    return "gave up", seen


def server(lsock):
    conn, _ = lsock.accept()
    with conn:
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = conn.recv(100)
            if not chunk:
                break
            buf += chunk
        conn.sendall(b"ECHO " + buf.upper())


with socket.socket() as lsock:
    lsock.bind(("127.0.0.1", 0))
    lsock.listen()
    addr = lsock.getsockname()
    t = threading.Thread(target=server, args=(lsock,))
    t.start()

    s = socket.socket()
    s.setblocking(False)
    first = s.connect_ex(addr)
    print("first call:", name(first))
    state, seen = poll_connect(s, addr)
    # The in-flight codes depend on timing: only the end is printed.
    print("loop:", state, "ends with", seen[-1], "- pending codes only before it:",
          all(c in [name(p) for p in PENDING] for c in seen[:-1]))
    print("again:", name(s.connect_ex(addr)))
    try:
        s.connect(addr)
    except OSError as e:
        print("connect():", type(e).__name__, e.errno == errno.EISCONN, e)
    print("SO_ERROR:", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    print("peer is listener:", s.getpeername() == addr)
    msg = memoryview(b"hello over a polled connect\n")
    sent = 0
    for _ in range(1000):
        if sent == len(msg):
            break
        try:
            sent += s.send(msg[sent:])
        except BlockingIOError:
            time.sleep(0.005)
    reply = b""
    for _ in range(1000):
        try:
            chunk = s.recv(100)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        if not chunk:
            break
        reply += chunk
    print("reply:", reply)
    s.close()
    t.join(5)

    # a port nobody listens on: bind a socket to get a free port, and close it
    with socket.socket() as tmp:
        tmp.bind(("127.0.0.1", 0))
        dead = tmp.getsockname()
    s = socket.socket()
    s.setblocking(False)
    state, seen = poll_connect(s, dead)
    print("closed port:", state, "ends with", seen[-1])
    print("SO_ERROR after:", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    try:
        s.getpeername()
    except OSError as e:
        print("getpeername():", type(e).__name__, e)
    s.close()

    # settimeout(0) is the same non-blocking mode
    s = socket.socket()
    s.settimeout(0)
    print("settimeout(0):", s.gettimeout(), s.getblocking(), name(s.connect_ex(dead)))
    state, seen = poll_connect(s, dead)
    print("closed port again:", state, "ends with", seen[-1])
    s.close()
