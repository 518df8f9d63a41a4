# A "tail -f" log server (thread per subscriber, makefile("wb") flushed per line, a threading.Condition to wait
# for new lines): "TAIL n" sends the last n lines then follows the log. One subscriber reads three new lines and
# hangs up (the server's writes then fail: BrokenPipeError or ConnectionResetError), one shuts down its reading
# side (recv() returns b'' at once), one reads to the END. With argv[1] == "late", the one that shut its reading
# side reads again at the end: Linux still delivers what the server wrote after the SHUT_RD.
import socket
import sys
import threading
import time

log_lines = [b"boot line %d\n" % i for i in range(10)]
cond = threading.Condition()
finished = False
events = []


def subscriber_handler(conn):
    f = conn.makefile("rb")
    w = conn.makefile("wb")
    n = int(f.readline().split()[1])
    with cond:
        pos = len(log_lines)
        backlog = log_lines[-n:] if n else []
    try:
        for line in backlog:
            w.write(line)
        w.write(b"--- following ---\n")
        w.flush()
        while True:
            with cond:
                cond.wait_for(lambda: len(log_lines) > pos or finished, timeout=5)
                new = log_lines[pos:]
                done = finished
            for line in new:
                w.write(line)
                w.flush()
            pos += len(new)
            if done:
                w.write(b"END\n")
                w.flush()
                events.append("sent END")
                break
    except (BrokenPipeError, ConnectionResetError):
        events.append("subscriber gone")
    try:
        w.close()
    except OSError:
        pass
    f.close()
    conn.close()


lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]


def acceptor(k):
    ts = []
    for _ in range(k):
        conn, _ = lsock.accept()
        ts.append(threading.Thread(target=subscriber_handler, args=(conn,)))
        ts[-1].start()
    for t in ts:
        t.join()


acc = threading.Thread(target=acceptor, args=(3,))
acc.start()


def subscribe(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    s.sendall(b"TAIL %d\n" % n)
    lines = []
    while True:
        line = f.readline()
        lines.append(line)
        if line == b"--- following ---\n":
            return s, f, lines


a, af, alines = subscribe(2)
b, bf, blines = subscribe(0)
c, cf, clines = subscribe(20)
print("backlogs:", alines, len(blines), len(clines))
b.shutdown(socket.SHUT_RD)
print("b after SHUT_RD:", b.recv(100))


def produce():
    global finished
    for i in range(30):
        with cond:
            log_lines.append(b"event %d\n" % i)
            cond.notify_all()
        time.sleep(0.01)
    with cond:
        finished = True
        cond.notify_all()


p = threading.Thread(target=produce)
p.start()
print("a follows:", [af.readline() for _ in range(3)])
af.close()
a.close()
rest = cf.read()
print("c got", len(rest.splitlines()), "lines, last", rest.splitlines()[-2:])
p.join()
acc.join()
after = b""
while len(sys.argv) > 1 and sys.argv[1] == "late":
    chunk = b.recv(4096)
    if not chunk:
        break
    after += chunk
if after:
    print("b still received after SHUT_RD:", len(after.splitlines()), "lines, ends with END:", after.endswith(b"END\n"))
bf.close()
b.close()
cf.close()
c.close()
lsock.close()
print("server events:", sorted(events))
