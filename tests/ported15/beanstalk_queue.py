# A beanstalkd-style work queue: a server on one selectors loop (a buffer per connection, commands cut at CRLF,
# put's body read by its byte count, jobs ordered by priority then id, a reserve that waits for the next put,
# reserved jobs back in the queue when their client quits) and clients on makefile('rwb') with readline() and
# read(n + 2): a worker blocked in reserve until a producer puts, pipelined puts with a wrong byte count and a job
# too big, release to a lower priority, delete twice, reserve-with-timeout 0 on an empty queue.
import selectors
import socket
import threading

MAX_JOB = 64
log = []


class Server:
    def __init__(self, lsock, nconns):
        self.lsock = lsock
        self.sel = selectors.DefaultSelector()
        self.sel.register(lsock, selectors.EVENT_READ, None)
        self.nconns = nconns
        self.accepted = 0
        self.open = 0
        self.next_id = 1
        self.ready = []  # (pri, id, body)
        self.reserved = {}  # id -> (conn, pri, body)
        self.waiters = []  # connections blocked in reserve
        self.names = {}

    def give(self, conn, job):
        pri, jid, body = job
        self.reserved[jid] = (conn, pri, body)
        conn.sendall(b"RESERVED %d %d\r\n%s\r\n" % (jid, len(body), body))

    def push(self, job):
        if self.waiters:
            self.give(self.waiters.pop(0), job)
        else:
            self.ready.append(job)
            self.ready.sort()

    def command(self, conn, buf):
        """Handle one command at the start of buf; return what is left, or None if it is incomplete."""
        line, sep, rest = buf.partition(b"\r\n")
        if not sep:
            return None
        args = line.split()
        cmd = args[0].decode() if args else ""
        if cmd == "put":
            n = int(args[4])
            if n > MAX_JOB:
                conn.sendall(b"JOB_TOO_BIG\r\n")
                # beanstalkd reads and drops the body
                if len(rest) < n + 2:
                    return None
                return rest[n + 2:]
            if len(rest) < n + 2:
                return None
            body, tail = rest[:n], rest[n:n + 2]
            if tail != b"\r\n":
                conn.sendall(b"EXPECTED_CRLF\r\n")
                return rest[n:].partition(b"\r\n")[2]
            jid = self.next_id
            self.next_id += 1
            conn.sendall(b"INSERTED %d\r\n" % jid)
            self.push((int(args[1]), jid, body))
            return rest[n + 2:]
        if cmd == "reserve":
            if self.ready:
                self.give(conn, self.ready.pop(0))
            else:
                self.waiters.append(conn)
        elif cmd == "reserve-with-timeout":
            if self.ready:
                self.give(conn, self.ready.pop(0))
            else:
                conn.sendall(b"TIMED_OUT\r\n")
        elif cmd == "delete":
            jid = int(args[1])
            job = self.reserved.get(jid)
            if job and job[0] is conn:
                del self.reserved[jid]
                conn.sendall(b"DELETED\r\n")
            else:
                conn.sendall(b"NOT_FOUND\r\n")
        elif cmd == "release":
            jid, pri = int(args[1]), int(args[2])
            job = self.reserved.get(jid)
            if job and job[0] is conn:
                del self.reserved[jid]
                conn.sendall(b"RELEASED\r\n")
                self.push((pri, jid, job[2]))
            else:
                conn.sendall(b"NOT_FOUND\r\n")
        elif cmd == "quit":
            self.drop(conn)
            return b""
        else:
            conn.sendall(b"UNKNOWN_COMMAND\r\n")
        return rest

    def drop(self, conn):
        back = sorted(jid for jid, job in self.reserved.items() if job[0] is conn)
        for jid in back:
            _, pri, body = self.reserved.pop(jid)
            self.push((pri, jid, body))
        if conn in self.waiters:
            self.waiters.remove(conn)
        log.append("server: %s left, jobs back in the queue: %s" % (self.names[conn], back))
        self.sel.unregister(conn)
        conn.close()
        self.open -= 1

    def run(self):
        while self.accepted < self.nconns or self.open:
            for key, _ in self.sel.select(timeout=5):
                if key.fileobj is self.lsock:
                    conn, _ = self.lsock.accept()
                    self.accepted += 1
                    self.open += 1
                    self.names[conn] = "conn %d" % self.accepted
                    self.sel.register(conn, selectors.EVENT_READ, b"")
                    continue
                conn = key.fileobj
                data = conn.recv(4096)
                if not data:
                    self.drop(conn)
                    continue
                buf = key.data + data
                while buf:
                    rest = self.command(conn, buf)
                    if rest is None:
                        break
                    buf = rest
                if conn.fileno() >= 0:
                    self.sel.modify(conn, selectors.EVENT_READ, buf)
        self.sel.close()
        log.append("server: ready jobs left: %s" % [(p, j) for p, j, _ in self.ready])


class Client:
    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=5)
        self.f = self.sock.makefile("rwb")

    def send(self, data):
        self.f.write(data)
        self.f.flush()

    def reply(self):
        line = self.f.readline()
        if line.startswith(b"RESERVED"):
            _, jid, n = line.split()
            body = self.f.read(int(n) + 2)[:-2]
            return "RESERVED %s %r" % (jid.decode(), body)
        return line.rstrip(b"\r\n").decode()

    def call(self, data):
        self.send(data)
        return self.reply()

    def quit(self):
        self.send(b"quit\r\n")
        print("  after quit:", self.f.read())
        self.f.close()
        self.sock.close()


def put(body, pri=100):
    return b"put %d 0 60 %d\r\n%s\r\n" % (pri, len(body), body)


def worker(addr, out, connected):
    w = Client(addr)
    connected.set()
    out.append("worker: reserve -> " + w.call(b"reserve\r\n"))
    out.append("worker: delete 1 -> " + w.call(b"delete 1\r\n"))
    w.send(b"quit\r\n")
    out.append("worker: after quit %r" % w.f.read())
    w.f.close()
    w.sock.close()


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    server = Server(lsock, 4)
    st = threading.Thread(target=server.run)
    st.start()

    wlog = []
    connected = threading.Event()
    wt = threading.Thread(target=worker, args=(addr, wlog, connected))
    wt.start()
    connected.wait(5)  # the worker is the server's first connection
    p = Client(addr)
    print("producer: put -> ", p.call(put(b"resize img1.png")))
    wt.join(5)
    for line in wlog:
        print(line)

    print("producer: pipelined puts")
    p.send(put(b"thumbnail", 10) + put(b"urgent", 5) + b"put 100 0 60 3\r\nabcdef\r\n" +
           put(b"x" * 100) + put(b"urgent too", 5) + b"bury 1\r\n")
    for _ in range(6):
        print("  ", p.reply())

    c = Client(addr)
    print("consumer:")
    for cmd in (b"reserve\r\n", b"reserve\r\n", b"release 4 1 0\r\n", b"reserve\r\n", b"delete 4\r\n",
                b"delete 4\r\n", b"delete 3\r\n", b"release 99 1 0\r\n", b"reserve-with-timeout 0\r\n"):
        print("  %s -> %s" % (cmd.strip().decode(), c.call(cmd)))

    q = Client(addr)
    print("quitter: put ->", q.call(put(b"last job")))
    print("quitter: reserve ->", q.call(b"reserve-with-timeout 0\r\n"))
    q.quit()
    print("consumer after the quitter left:")
    for cmd in (b"reserve-with-timeout 0\r\n", b"delete 5\r\n", b"reserve-with-timeout 0\r\n"):
        print("  %s -> %s" % (cmd.strip().decode(), c.call(cmd)))
    c.quit()
    p.quit()
    st.join(10)

for line in log:
    print(line)
