# A UDP request/response client with request ids, retries and exponential backoff (Foundations ch. 2's
# udp_remote grown up, as DNS and SNMP clients do it) against a server that executes each request at most once:
# it drops the first copy of every third request, answers one request late (its first copy and the retry both
# get the one cached answer: the second is a stale duplicate the client must discard by id), and caches answers
# by (client, id). A connected client socket ignores a stranger's datagram; an unconnected one that gets no
# answer gives up after four attempts.
import socket
import struct
import threading
import time

srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 0))
srv.settimeout(0.05)
executed = []
stop = threading.Event()
BASE = 0.2


def serve():
    cache = {}
    seen = {}
    pending = {}
    while not stop.is_set():
        now = time.monotonic()
        for key in [k for k, (t, _) in pending.items() if t <= now]:
            _, addrs = pending.pop(key)
            for a in addrs:
                srv.sendto(cache[key], a)
        try:
            data, addr = srv.recvfrom(1024)
        except TimeoutError:
            continue
        rid, x = struct.unpack("!IH", data)
        key = (addr, rid)
        seen[key] = seen.get(key, 0) + 1
        if key in pending:
            pending[key][1].append(addr)
            continue
        if key in cache:
            srv.sendto(cache[key], addr)
            continue
        if rid % 3 == 0 and seen[key] == 1:
            continue  # lost on the way
        executed.append(rid)
        cache[key] = struct.pack("!IQ", rid, x * x)
        if rid == 4:
            pending[key] = (time.monotonic() + 2.5 * BASE, [addr])  # a slow answer
        else:
            srv.sendto(cache[key], addr)


t = threading.Thread(target=serve)
t.start()

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.connect(srv.getsockname())
stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stale = 0


def call(sock, rid, x, tries=4):
    global stale
    delay = BASE
    for attempt in range(1, tries + 1):
        sock.send(struct.pack("!IH", rid, x))
        deadline = time.monotonic() + delay
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data = sock.recv(1024)
            except TimeoutError:
                break
            got, value = struct.unpack("!IQ", data)
            if got != rid:
                stale += 1
                continue
            return value, attempt
        delay *= 2
    raise TimeoutError("no answer to request %d after %d attempts" % (rid, tries))


attempts = {}
for rid in range(1, 8):
    if rid == 6:
        stranger.sendto(struct.pack("!IQ", 6, 999), c.getsockname())
    value, attempts[rid] = call(c, rid, rid + 10)
    print("request", rid, "->", value)
print("attempts, dropped ones:", [attempts[r] for r in (3, 6)], "the slow one retried:", attempts[4] > 1)
time.sleep(0.1)
print("stale answers discarded == retries of the slow one:", stale == attempts[4] - 1)
print("executed once each:", sorted(executed))

silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
silent.bind(("127.0.0.1", 0))
silent.settimeout(5)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(silent.getsockname())
BASE = 0.05
start = time.monotonic()
try:
    call(u, 99, 1)
except TimeoutError as e:
    print("gave up:", e, "waited about 0.75 s:", 0.7 <= time.monotonic() - start < 3)
print("the silent socket got", len([silent.recv(100) for _ in range(4)]), "copies")
stop.set()
t.join()
for s in (srv, c, stranger, silent, u):
    s.close()
