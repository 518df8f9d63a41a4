# A pub/sub broker on selectors with churn, and the registration mistakes such brokers meet: each client's key
# data is its state object; EVENT_WRITE is switched on with modify() when a message is queued and off when the
# queue drains (modify() returns the new key, get_key() gives it back; modify() to the same events keeps the key);
# a client kicked by unregister() then close(); and the mistakes: close() then unregister() (allowed: the
# selector finds the closed socket by object), get_key() of a closed socket, register() of a closed socket
# (ValueError), registering twice and modify() of an unregistered socket (KeyError), events 0 (ValueError),
# get_map() lookups by socket and by number, and a closed selector (get_map() None, RuntimeError).
# The broker runs in the main thread; the clients are plain blocking sockets driven in between.
import selectors
import socket

sel = selectors.DefaultSelector()
lsock = socket.create_server(("127.0.0.1", 0))
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, None)
topics = {}
stats = {"modify_on": 0, "modify_off": 0, "same_key": 0}


class Client:
    def __init__(self, conn, n):
        self.conn, self.name, self.inb, self.outb = conn, f"c{n}", b"", b""


def want_write(c, on):
    key = sel.get_key(c.conn)
    events = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
    if key.events != events:
        new = sel.modify(c.conn, events, c)
        stats["modify_on" if on else "modify_off"] += 1
        stats["same_key"] += new is sel.get_key(c.conn)


def drop(c, why):
    print("drop", c.name, why)
    sel.unregister(c.conn)
    c.conn.close()
    for subs in topics.values():
        subs.discard(c)


accepted = []


def pump(until, limit=400):
    for _ in range(limit):
        if until():
            return True
        for key, mask in sel.select(timeout=0.05):
            if key.data is None:
                conn, _ = lsock.accept()
                conn.setblocking(False)
                c = Client(conn, len(accepted))
                accepted.append(c)
                sel.register(conn, selectors.EVENT_READ, c)
                continue
            c = key.data
            if mask & selectors.EVENT_READ:
                data = c.conn.recv(4096)
                if not data:
                    drop(c, "EOF")
                    continue
                c.inb += data
                while b"\n" in c.inb:
                    line, c.inb = c.inb.split(b"\n", 1)
                    verb, _, rest = line.decode().partition(" ")
                    if verb == "SUB":
                        topics.setdefault(rest, set()).add(c)
                    elif verb == "UNSUB":
                        topics.get(rest, set()).discard(c)
                    elif verb == "PUB":
                        topic, _, msg = rest.partition(" ")
                        for sub in sorted(topics.get(topic, ()), key=lambda x: x.name):
                            sub.outb += f"{topic}: {msg}\n".encode()
                            want_write(sub, True)
                    elif verb == "KICK":
                        victim = next(x for x in accepted if x.name == rest)
                        drop(victim, "kicked")
            if mask & selectors.EVENT_WRITE and c.outb:
                n = c.conn.send(c.outb)
                c.outb = c.outb[n:]
                if not c.outb:
                    want_write(c, False)
    return until()


clients = []
for i in range(3):
    s = socket.create_connection(lsock.getsockname(), timeout=5)
    clients.append(s)
    pump(lambda: len(accepted) == i + 1)
print("registered:", len(sel.get_map()), "accepted:", [c.name for c in accepted])


def say(i, line):
    clients[i].sendall(line.encode() + b"\n")


def heard(i, n):
    buf = b""
    while buf.count(b"\n") < n:
        pump(lambda: False, 2)
        clients[i].settimeout(0.05)
        try:
            buf += clients[i].recv(4096)
        except TimeoutError:
            pass
    return buf.decode().splitlines()


say(0, "SUB news")
say(1, "SUB news")
say(2, "SUB sport")
pump(lambda: sum(len(v) for v in topics.values()) == 3)
for round_ in range(20):
    say(2, f"PUB news item{round_}")
    assert heard(0, 1) == [f"news: item{round_}"]
    assert heard(1, 1) == [f"news: item{round_}"]
print("20 rounds:", stats)
say(1, "UNSUB news")
say(0, "PUB sport goal")
print("c2 heard:", heard(2, 1))
say(0, "PUB news solo")
print("c0 heard:", heard(0, 1))
say(0, "KICK c1")
pump(lambda: len(sel.get_map()) == 3)
print("c1 reads:", clients[1].recv(100))

# The mistakes.
victim = accepted[2]
victim.conn.close()
key = sel.get_key(victim.conn)
print("get_key of a closed socket:", key.data is victim, key.fd > 0, victim.conn.fileno())
sel.unregister(victim.conn)
print("unregister after close: ok, registered", len(sel.get_map()))
try:
    sel.register(victim.conn, selectors.EVENT_READ)
except ValueError as e:
    print("register a closed socket:", type(e).__name__, e)
c0 = accepted[0].conn
try:
    sel.register(c0, selectors.EVENT_READ)
except KeyError as e:
    print("register twice:", type(e).__name__)
spare = socket.socket()
try:
    sel.modify(spare, selectors.EVENT_READ)
except KeyError as e:
    print("modify an unregistered socket:", type(e).__name__)
try:
    sel.unregister(spare)
except KeyError as e:
    print("unregister an unregistered socket:", type(e).__name__)
try:
    sel.register(spare, 0)
except ValueError as e:
    print("events 0:", type(e).__name__, e)
m = sel.get_map()
print("map by socket:", m[c0].data.name, "by number:", m[c0.fileno()].data.name, "in:", c0 in m, spare in m)
print("select(0) with nothing ready:", sel.select(0))
spare.close()
sel.close()
print("closed selector map:", sel.get_map())
try:
    sel.get_key(c0)
except RuntimeError as e:
    print("get_key on a closed selector:", type(e).__name__, e)
for c in accepted:
    c.conn.close()
for s in clients:
    s.close()
lsock.close()
