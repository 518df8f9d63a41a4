# A Redis-style RESP server on select.poll() with non-blocking sockets and a client that pipelines: 40 commands in
# one sendall() (arrays of bulk strings: SET, GET, INCR, INCRBY, DEL, EXISTS, LPUSH, LRANGE, an unknown command, a
# wrong-type INCR), then a 200 KB SET value sent in one piece, parsed incrementally by the server from whatever
# recv() gave, replies queued and written under POLLOUT. The client parses the replies (simple, error, integer,
# bulk, nil, array) as they come in 7-byte recv() pieces.
import select
import socket
import threading

store = {}


def parse(buf):
    """One command from buf: (args, consumed) or (None, 0) if incomplete."""
    if not buf.startswith(b"*"):
        return None, 0
    nl = buf.find(b"\r\n")
    if nl < 0:
        return None, 0
    n = int(buf[1:nl])
    pos = nl + 2
    args = []
    for _ in range(n):
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            return None, 0
        ln = int(buf[pos + 1:nl])
        if len(buf) < nl + 2 + ln + 2:
            return None, 0
        args.append(buf[nl + 2:nl + 2 + ln])
        pos = nl + 2 + ln + 2
    return args, pos


def bulk(v):
    return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)


def execute(args):
    cmd = args[0].upper()
    if cmd == b"SET":
        store[args[1]] = args[2]
        return b"+OK\r\n"
    if cmd == b"GET":
        v = store.get(args[1])
        if isinstance(v, list):
            return b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        return bulk(v if v is None or len(v) < 100 else b"<%d bytes>" % len(v))
    if cmd in (b"INCR", b"INCRBY"):
        v = store.get(args[1], b"0")
        if isinstance(v, list) or not v.lstrip(b"-").isdigit():
            return b"-ERR value is not an integer or out of range\r\n"
        n = int(v) + (int(args[2]) if cmd == b"INCRBY" else 1)
        store[args[1]] = b"%d" % n
        return b":%d\r\n" % n
    if cmd == b"DEL":
        return b":%d\r\n" % sum(store.pop(k, None) is not None for k in args[1:])
    if cmd == b"EXISTS":
        return b":%d\r\n" % sum(k in store for k in args[1:])
    if cmd == b"LPUSH":
        lst = store.setdefault(args[1], [])
        for v in args[2:]:
            lst.insert(0, v)
        return b":%d\r\n" % len(lst)
    if cmd == b"LRANGE":
        lst = store.get(args[1], [])
        a, b = int(args[2]), int(args[3])
        items = lst[a:(None if b == -1 else b + 1)]
        return b"*%d\r\n" % len(items) + b"".join(bulk(x) for x in items)
    return b"-ERR unknown command '%s'\r\n" % args[0]


def serve(lsock):
    lsock.setblocking(False)
    p = select.poll()
    p.register(lsock, select.POLLIN)
    conns = {}
    served = 0
    for _ in range(100000):
        if served and not conns:
            break
        for fd, ev in p.poll(5000):
            if fd == lsock.fileno():
                c, _ = lsock.accept()
                c.setblocking(False)
                conns[c.fileno()] = [c, b"", b""]
                p.register(c, select.POLLIN)
                served += 1
                continue
            st = conns[fd]
            c = st[0]
            if ev & (select.POLLIN | select.POLLHUP):
                data = c.recv(4096)
                if not data:
                    p.unregister(c)
                    c.close()
                    del conns[fd]
                    continue
                st[1] += data
                while True:
                    args, used = parse(st[1])
                    if args is None:
                        break
                    st[1] = st[1][used:]
                    st[2] += execute(args)
            if ev & select.POLLOUT and st[2]:
                n = c.send(st[2])
                st[2] = st[2][n:]
            p.modify(c, select.POLLIN | (select.POLLOUT if st[2] else 0))
    lsock.close()


def cmd(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(7)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(7)
        out, self.buf = self.buf[:n], self.buf[n + 2:]
        return out

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return "(error) " + rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if rest == b"-1" else self.exact(int(rest))
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise ValueError(line)


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=serve, args=(lsock,))
t.start()
c = socket.create_connection(lsock.getsockname(), timeout=5)
cmds = [cmd(b"SET", b"k%d" % i, b"v%d" % i) for i in range(10)]
cmds += [cmd(b"GET", b"k3"), cmd(b"GET", b"nope"), cmd(b"INCR", b"n"), cmd(b"INCRBY", b"n", b"41"),
         cmd(b"INCR", b"k1"), cmd(b"DEL", b"k0", b"k1", b"zz"), cmd(b"EXISTS", b"k0", b"k2", b"k3"),
         cmd(b"LPUSH", b"l", b"a", b"b", b"c"), cmd(b"LRANGE", b"l", b"0", b"-1"), cmd(b"LRANGE", b"l", b"1", b"1"),
         cmd(b"GET", b"l"), cmd(b"INCR", b"l"), cmd(b"FLY", b"away"), cmd(b"SET", b"bin", b"a\r\nb\x00c"),
         cmd(b"GET", b"bin")]
cmds += [cmd(b"INCR", b"counter") for _ in range(15)]
c.sendall(b"".join(cmds))
r = Reader(c)
for i in range(len(cmds)):
    print(i, r.reply())
c.sendall(cmd(b"SET", b"big", bytes(range(256)) * 800) + cmd(b"GET", b"big") + cmd(b"EXISTS", b"big"))
print("big:", r.reply(), r.reply(), r.reply())
c.shutdown(socket.SHUT_WR)
try:
    r.reply()
except EOFError:
    print("EOF after shutdown")
c.close()
t.join()
