# A keep-alive heartbeat server: one select() loop whose timeout is the nearest client deadline (time.monotonic()
# of the last line + 0.4 s); PING gets PONG and moves the deadline, BYE ends politely, and a client that misses
# its deadline gets TIMEOUT and is closed. Clients use settimeout() to notice a silent server: one pings every
# 0.1 s then says BYE, one pings twice then falls silent, one never sends, and one waits for a PONG it never
# asked for (its recv() times out, then it pings and is answered).
import select
import socket
import threading
import time

LIMIT = 0.4
out = {}
slog = []


def client(name, plan):
    lines = []
    with socket.create_connection(lsock.getsockname(), timeout=2) as c:
        f = c.makefile("rb")
        for step in plan:
            if step == "ping":
                c.sendall(b"PING\n")
                lines.append(f.readline())
                time.sleep(0.1)
            elif step == "bye":
                c.sendall(b"BYE\n")
            elif step == "wait":
                c.settimeout(0.2)
                try:
                    lines.append(c.recv(16))
                except TimeoutError as e:
                    lines.append("recv: TimeoutError %s" % e)
                c.settimeout(2)
        rest = f.read()
        lines.append(rest)
        f.close()
    out[name] = lines


lsock = socket.create_server(("127.0.0.1", 0))
plans = {
    "steady": ["ping"] * 5 + ["bye"],
    "fading": ["ping", "ping"],
    "silent": [],
    "patient": ["wait", "ping", "bye"],
}
threads = [threading.Thread(target=client, args=(n, p)) for n, p in plans.items()]
for t in threads:
    t.start()

clients = {}  # socket -> [deadline, buffer, name]
closed = 0
stop_at = time.monotonic() + 10
while closed < len(plans) and time.monotonic() < stop_at:
    now = time.monotonic()
    timeout = min([d for d, _, _ in clients.values()] + [now + 1]) - now
    readable, _, _ = select.select([lsock] + list(clients), [], [], max(0, timeout))
    now = time.monotonic()
    for s in readable:
        if s is lsock:
            conn, _ = lsock.accept()
            clients[conn] = [now + LIMIT, b"", None]
            continue
        data = s.recv(1024)
        state = clients[s]
        if not data:
            slog.append("EOF from a client")
            del clients[s]
            s.close()
            closed += 1
            continue
        state[0] = now + LIMIT
        state[1] += data
        *lines, state[1] = state[1].split(b"\n")
        for line in lines:
            if line == b"PING":
                s.sendall(b"PONG\n")
            elif line == b"BYE":
                s.sendall(b"BYE\n")
                slog.append("a client said BYE")
                del clients[s]
                s.close()
                closed += 1
                break
    for s, (deadline, _, _) in list(clients.items()):
        if deadline <= now:
            s.sendall(b"TIMEOUT\n")
            slog.append("a client missed its deadline")
            del clients[s]
            s.close()
            closed += 1
for t in threads:
    t.join()
lsock.close()
for name in plans:
    print(name, out[name])
print("server:", sorted(slog))
