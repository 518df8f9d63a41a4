# A length-prefixed RPC server on selectors with non-blocking sockets, as Foundations ch. 7's async servers and
# the socket HOWTO's "send may send less" describe: each reply is queued and written with send(view) /
# view = view[sent:] on EVENT_WRITE, so a multi-megabyte reply to a client that is slow to read goes out in
# partial sends. Clients pipeline requests (several in one sendall), split a header across writes, and one
# hangs up before reading its 16 MB reply.
import hashlib
import json
import selectors
import socket
import struct
import threading
import time

sel = selectors.DefaultSelector()
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen()
lsock.setblocking(False)
port = lsock.getsockname()[1]
stats = {"partial": 0, "blocked": 0, "served": 0, "gone": []}


def blob(n, seed):
    return bytes((i * seed + 11) % 256 for i in range(256)) * (n // 256)


def answer(req):
    op = req["op"]
    if op == "echo":
        return json.dumps(req["args"]).encode()
    if op == "sum":
        return str(sum(req["args"])).encode()
    if op == "blob":
        return blob(*req["args"])
    return b"error: unknown op " + op.encode()


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.inbuf = b""
        self.out = []  # memoryviews still to send

    def on_read(self):
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:  # a hang-up (FIN or reset) with a reply still queued counts as gone
            if self.out:
                stats["gone"].append(True)
            self.close()
            return
        self.inbuf += data
        while len(self.inbuf) >= 4:
            (n,) = struct.unpack("!I", self.inbuf[:4])
            if len(self.inbuf) < 4 + n:
                break
            req = json.loads(self.inbuf[4:4 + n])
            self.inbuf = self.inbuf[4 + n:]
            reply = answer(req)
            self.out.append(memoryview(struct.pack("!I", len(reply)) + reply))
            stats["served"] += 1
        self.update()

    def on_write(self):
        while self.out:
            view = self.out[0]
            try:
                sent = self.sock.send(view)
            except BlockingIOError:
                stats["blocked"] += 1
                return
            except (BrokenPipeError, ConnectionResetError):
                stats["gone"].append(True)
                self.close()
                return
            if sent < len(view):
                stats["partial"] += 1
                self.out[0] = view[sent:]
                return
            self.out.pop(0)
        self.update()

    def update(self):
        sel.modify(self.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if self.out else 0), self)

    def close(self):
        sel.unregister(self.sock)
        self.sock.close()


def serve(stop):
    sel.register(lsock, selectors.EVENT_READ, None)
    while not stop.is_set():
        for key, mask in sel.select(timeout=0.05):
            if key.data is None:
                conn, _ = lsock.accept()
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, Conn(conn))
                continue
            c = key.data
            if mask & selectors.EVENT_READ:
                c.on_read()
            if mask & selectors.EVENT_WRITE and c.sock.fileno() != -1 and c.out:
                c.on_write()


def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack("!I", len(body)) + body


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    while view:
        k = sock.recv_into(view)
        if not k:
            raise EOFError("short read: %d of %d" % (n - len(view), n))
        view = view[k:]
    return bytes(buf)


def call_reply(sock):
    (n,) = struct.unpack("!I", recv_exact(sock, 4))
    return recv_exact(sock, n)


stop = threading.Event()
server = threading.Thread(target=serve, args=(stop,))
server.start()

c = socket.create_connection(("127.0.0.1", port), timeout=10)
reqs = [{"op": "echo", "args": ["héllo", 1, None]}, {"op": "blob", "args": [2 << 20, 3]},
        {"op": "sum", "args": list(range(1000))}, {"op": "blob", "args": [3 << 20, 5]}, {"op": "nope"}]
c.sendall(b"".join(frame(r) for r in reqs))
time.sleep(0.3)  # let the replies pile up
for r in reqs:
    rep = call_reply(c)
    if r["op"] == "blob":
        print(r["op"], len(rep), hashlib.sha256(rep).hexdigest()[:16], rep == blob(*r["args"]))
    else:
        print(r["op"], rep)
f = frame({"op": "sum", "args": [40, 2]})
for piece in (f[:2], f[2:5], f[5:]):
    c.sendall(piece)
    time.sleep(0.05)
print("split request:", call_reply(c))
c.close()

g = socket.create_connection(("127.0.0.1", port), timeout=10)
g.sendall(frame({"op": "blob", "args": [16 << 20, 7]}))
g.recv(1000)
g.close()  # hang up with most of the reply unsent
deadline = time.monotonic() + 10
while not stats["gone"] and time.monotonic() < deadline:
    time.sleep(0.05)

clients = []
results = {}


def quick(i):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(frame({"op": "sum", "args": [i] * (i + 1)}) + frame({"op": "echo", "args": i}))
        results[i] = (call_reply(s), call_reply(s))


for i in range(6):
    clients.append(threading.Thread(target=quick, args=(i,)))
    clients[-1].start()
for t in clients:
    t.join()
print("quick clients:", [results[i] for i in range(6)])
# The server unregisters each client once it reads the client's EOF: wait for that (bounded) before stopping it.
deadline = time.monotonic() + 10
while len(sel.get_map()) > 1 and time.monotonic() < deadline:
    time.sleep(0.05)
stop.set()
server.join()
lsock.close()
print("served", stats["served"], "partial sends seen:", stats["partial"] > 0, "gone:", stats["gone"],
      "open keys:", len(sel.get_map()))
