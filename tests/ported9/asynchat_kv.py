# An asynchat.async_chat server in the style of the asynchat documentation's http_request_handler (Python 3.11
# Library Reference, "asynchat Example"): set_terminator(b"\r\n") for command lines, then a numeric terminator
# for a body of a given length, push() for replies, close_when_done() after QUIT. A small key-value protocol
# (SET key n / GET key / QUIT) on loopback; the clients are blocking threads: one pipelining every command in a
# single sendall(), one sending a byte at a time (the terminator's prefix at the end of a read), one with a 200 KB
# body, and one that hangs up mid-body. argv[1] == "poll": asyncore.loop(use_poll=True).
import warnings
warnings.simplefilter("ignore", DeprecationWarning)
import asynchat
import asyncore
import socket
import sys
import threading

use_poll = len(sys.argv) > 1 and sys.argv[1] == "poll"
store = {}


class KVHandler(asynchat.async_chat):
    def __init__(self, sock, name):
        asynchat.async_chat.__init__(self, sock=sock)
        self.name = name
        self.ibuffer = []
        self.key = None
        self.set_terminator(b"\r\n")

    def collect_incoming_data(self, data):
        self.ibuffer.append(data)

    def found_terminator(self):
        data = b"".join(self.ibuffer)
        self.ibuffer = []
        if self.key is not None:
            store[self.key] = data
            print(self.name, "stored", self.key, len(data), "bytes")
            self.key = None
            self.set_terminator(b"\r\n")
            self.push(b"STORED\r\n")
            return
        words = data.split()
        print(self.name, "command", words[:2])
        if not words:
            self.push(b"ERROR empty\r\n")
        elif words[0] == b"SET":
            self.key = words[1].decode()
            self.set_terminator(int(words[2]))
            if int(words[2]) == 0:
                self.found_terminator()
        elif words[0] == b"GET":
            v = store.get(words[1].decode())
            if v is None:
                self.push(b"NOT_FOUND\r\n")
            else:
                self.push(b"VALUE %d\r\n" % len(v) + v)
        elif words[0] == b"QUIT":
            self.push(b"BYE\r\n")
            self.close_when_done()
        else:
            self.push(b"ERROR\r\n")

    def handle_error(self):
        t, v = sys.exc_info()[:2]
        print(self.name, "error:", t.__name__, v)
        self.handle_close()

    def handle_close(self):
        print(self.name, "closed, pending body:", self.key, "terminator:", self.get_terminator())
        self.close()


class KVServer(asyncore.dispatcher):
    def __init__(self):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.bind(("127.0.0.1", 0))
        self.listen(5)
        self.n = 0

    def handle_accepted(self, sock, addr):
        self.n += 1
        KVHandler(sock, "h%d" % self.n)


results = []


def read_replies(f):
    out = []
    while True:
        line = f.readline()
        if not line:
            out.append("EOF")
            return out
        if line.startswith(b"VALUE"):
            body = f.read(int(line.split()[1]))
            out.append((line, len(body), body[:12]))
        else:
            out.append(line)


def pipelined(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"SET a 5\r\nhelloSET b 0\r\nGET a\r\nGET b\r\nGET c\r\nNOPE\r\nQUIT\r\n")
        with s.makefile("rb") as f:
            results.append(("pipelined", read_replies(f)))


def bytewise(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for c in b"SET k 6\r\nab\r\ncdGET k\r\nQUIT\r\n":
            s.sendall(bytes([c]))
        with s.makefile("rb") as f:
            results.append(("bytewise", read_replies(f)))


def big(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        body = bytes(range(256)) * 800
        s.sendall(b"SET big %d\r\n" % len(body) + body + b"\r\nSET bad x\r\nGET big\r\nQUIT\r\n")
        with s.makefile("rb") as f:
            results.append(("big", read_replies(f)))


def hangup(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"SET gone 100\r\nonly part")
        s.shutdown(socket.SHUT_WR)
        with s.makefile("rb") as f:
            results.append(("hangup", read_replies(f)))


server = KVServer()
port = server.socket.getsockname()[1]
for fn in (pipelined, bytewise, big, hangup):
    t = threading.Thread(target=fn, args=(port,))
    t.start()
    for _ in range(600):
        if len(asyncore.socket_map) == 1 and not t.is_alive():
            break
        asyncore.loop(timeout=0.05, use_poll=use_poll, count=1)
    else:
        print("loop limit reached")
    t.join()
server.close()
for name, replies in results:
    print(name, replies)
print("keys:", sorted(store), "map empty:", asyncore.socket_map == {})
