# A line-protocol server that reads and writes one makefile('rwb') under conn.settimeout(0.8): commands are read
# with readline(), answered with write() + flush(); readline(limit) cuts a long line; an idle client gets a
# timeout: the server still writes "421 idle" through the same file (a timed-out socket file refuses reads, not
# writes), its next readline() raises OSError, and the client reads the 421 and EOF. A client's file in 'rwb' mode
# too, with its own timeout, sees TimeoutError when the server pauses.
import socket
import threading
import time

log = []


def serve(conn):
    conn.settimeout(0.8)
    f = conn.makefile("rwb")
    f.write(b"220 ready\r\n")
    f.flush()
    try:
        while True:
            line = f.readline(32)
            if not line:
                log.append("server: EOF")
                break
            if not line.endswith(b"\n"):
                log.append("server: long line cut at %d" % len(line))
                rest = f.readline()
                f.write(b"500 line too long (%d more)\r\n" % len(rest))
                f.flush()
                continue
            cmd = line.strip().upper()
            if cmd == b"NOOP":
                f.write(b"250 ok\r\n")
            elif cmd.startswith(b"ECHO "):
                f.write(b"250 " + line.strip()[5:] + b"\r\n")
            elif cmd == b"SLOW":
                time.sleep(1.2)
                f.write(b"250 slow done\r\n")
            elif cmd == b"QUIT":
                f.write(b"221 bye\r\n")
                f.flush()
                break
            else:
                f.write(b"502 unknown\r\n")
            f.flush()
    except TimeoutError as e:
        log.append("server: readline %s: %s" % (type(e).__name__, e))
        f.write(b"421 idle\r\n")
        f.flush()
        log.append("server: 421 written after the timeout")
        try:
            f.readline()
        except OSError as e:
            log.append("server: readline again %s: %s" % (type(e).__name__, e))
    finally:
        f.close()
        conn.close()


def accept_loop(lsock, n):
    threads = []
    for _ in range(n):
        conn, _ = lsock.accept()
        t = threading.Thread(target=serve, args=(conn,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(5)


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    acc = threading.Thread(target=accept_loop, args=(lsock, 2))
    acc.start()

    # client 1: a session, then idle
    c = socket.create_connection(addr, timeout=5)
    f = c.makefile("rwb")
    print("c1:", f.readline())
    for cmd in (b"noop", b"ECHO hello there", b"FOO", b"ECHO " + b"x" * 40):
        f.write(cmd + b"\r\n")
        f.flush()
        print("c1:", cmd[:12], "->", f.readline())
    c.settimeout(0.4)
    f.write(b"SLOW\r\n")
    f.flush()
    try:
        print("c1: slow ->", f.readline())
    except TimeoutError as e:
        print("c1: slow ->", type(e).__name__, e)
    try:
        f.readline()
    except OSError as e:
        print("c1: reading on ->", type(e).__name__, e)
    # the file is done for reading; the socket is not: what is left arrives on it
    c.settimeout(5)
    rest = b""
    while True:
        chunk = c.recv(100)
        if not chunk:
            break
        rest += chunk
    print("c1: the rest on the socket:", rest)
    f.close()
    c.close()

    # client 2: quits properly
    c = socket.create_connection(addr, timeout=5)
    with c, c.makefile("rwb") as f:
        print("c2:", f.readline())
        f.write(b"ECHO  spaced  \r\nQUIT\r\n")
        f.flush()
        print("c2:", f.readline(), f.readline(), f.readline())
    acc.join(10)

for entry in sorted(log):
    print(entry)
