# A UDP port forwarder with a session table, as NAT boxes and "udp proxy" scripts keep one: a front socket
# receives from clients; each new client address gets its own upstream socket connect()ed to the backend (so the
# backend sees one source port per client), replies are sent back to the client from the front socket; sessions
# idle past a deadline are closed, and a client that comes back gets a new upstream. One select() loop serves
# the front socket and every upstream, timed by the nearest idle deadline. Empty and 2000-byte datagrams pass.
# argv[1] == "refused": the backend is gone: the connected upstream's recv() raises ConnectionRefusedError
# (Linux reports the ICMP port unreachable), and the session is dropped.
import select
import socket
import sys
import threading
import time

refused_case = sys.argv[1:] == ["refused"]
IDLE = 0.4

backend = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
backend.bind(("127.0.0.1", 0))
backend.settimeout(5)
BACKEND = backend.getsockname()
if refused_case:
    backend.close()
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", 0))
FRONT = front.getsockname()
sources = []  # backend's view: upstream addresses in order of first appearance
flog = []
expired = []  # which sessions expired (their order depends on the loop's ticks: printed sorted)


def backend_loop():
    while True:
        data, addr = backend.recvfrom(4096)
        if data == b"STOP":
            return
        if addr not in sources:
            sources.append(addr)
        n = sources.index(addr)
        reply = b"empty" if not data else b"len %d" % len(data) if len(data) > 100 else data.upper()
        backend.sendto(reply + b" via upstream %d" % n, addr)


sessions = {}  # client addr -> [upstream socket, last use]
by_up = {}
stop = threading.Event()


def forwarder():
    while not stop.is_set():
        now = time.monotonic()
        for caddr, (up, last) in list(sessions.items()):
            if now - last > IDLE:
                expired.append(clients_by_addr[caddr])
                del sessions[caddr]
                del by_up[up]
                up.close()
        deadline = min([last + IDLE for _, last in sessions.values()], default=now + 0.05)
        timeout = max(0.0, min(deadline - now, 0.05))
        r, _, _ = select.select([front, *by_up], [], [], timeout)
        for s in r:
            if s is front:
                data, caddr = front.recvfrom(65535)
                if caddr not in sessions:
                    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    up.bind(("127.0.0.1", 0))
                    up.connect(BACKEND)
                    sessions[caddr] = [up, time.monotonic()]
                    by_up[up] = caddr
                    flog.append(f"new session for client {clients_by_addr[caddr]}")
                sessions[caddr][1] = time.monotonic()
                sessions[caddr][0].send(data)
            else:
                caddr = by_up[s]
                try:
                    data = s.recv(65535)
                except ConnectionRefusedError as e:
                    flog.append(f"client {clients_by_addr[caddr]}: backend {type(e).__name__}, session dropped")
                    del sessions[caddr]
                    del by_up[s]
                    s.close()
                    continue
                sessions[caddr][1] = time.monotonic()
                front.sendto(data, caddr)
    for up in by_up:
        up.close()


clients = []
clients_by_addr = {}
for i in range(3):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1", 0))
    c.settimeout(0.5 if refused_case else 5)
    clients.append(c)
    clients_by_addr[c.getsockname()] = i

tb = threading.Thread(target=backend_loop)
if not refused_case:
    tb.start()
tf = threading.Thread(target=forwarder)
tf.start()


def ask(i, data):
    clients[i].sendto(data, FRONT)
    try:
        reply, addr = clients[i].recvfrom(4096)
        print(f"client {i} sent {len(data)} bytes, got {reply!r} from the front: {addr == FRONT}")
    except TimeoutError:
        print(f"client {i} sent {len(data)} bytes, no reply")


if refused_case:
    ask(0, b"hello")
    time.sleep(0.1)
    print("sessions:", len(sessions))
else:
    ask(0, b"hello")
    ask(1, b"hi")
    ask(0, b"again")
    ask(2, b"")
    ask(1, b"x" * 2000)
    time.sleep(IDLE + 0.3)
    print("sessions after idling:", len(sessions))
    ask(0, b"back")
    ask(2, b"back too")
    print("sessions:", len(sessions))
stop.set()
tf.join()
if not refused_case:
    backend.sendto(b"STOP", BACKEND)
    tb.join()
    backend.close()
    print("backend saw", len(sources), "upstream sources")
for x in flog:
    print("forwarder:", x)
print("expired sessions of clients", sorted(expired))
for c in clients:
    c.close()
front.close()
