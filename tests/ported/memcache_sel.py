# A memcached-style text protocol ("set <key> <flags> <exptime> <bytes>\r\n<data>\r\n", "get k1 k2",
# "delete k", "quit") served by a selectors event loop with per-connection input buffers: commands are parsed
# from whatever recv() returned, however the client split them, and replies queue up and go out as the socket
# is writable. Clients: one sending byte by byte, one pipelining everything in a single sendall, one with a
# 200 KB value read back with a recv loop, and one closing without quit.
import selectors
import socket
import threading
import time

store = {}
sel = selectors.DefaultSelector()
listener = socket.create_server(("127.0.0.1", 0))
listener.setblocking(False)
sel.register(listener, selectors.EVENT_READ, None)
stats = {"conns": 0, "closed": 0}


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.inb = b""
        self.outb = b""

    def process(self):
        while True:
            if b"\r\n" not in self.inb:
                return True
            line, rest = self.inb.split(b"\r\n", 1)
            parts = line.split()
            if parts and parts[0] == b"set":
                n = int(parts[4])
                if len(rest) < n + 2:
                    return True
                store[parts[1]] = (int(parts[2]), rest[:n])
                self.inb = rest[n + 2:]
                self.outb += b"STORED\r\n"
            elif parts and parts[0] == b"get":
                self.inb = rest
                for k in parts[1:]:
                    if k in store:
                        flags, data = store[k]
                        self.outb += b"VALUE %s %d %d\r\n%s\r\n" % (k, flags, len(data), data)
                self.outb += b"END\r\n"
            elif parts and parts[0] == b"delete":
                self.inb = rest
                self.outb += b"DELETED\r\n" if store.pop(parts[1], None) else b"NOT_FOUND\r\n"
            elif parts and parts[0] == b"quit":
                return False
            else:
                self.inb = rest
                self.outb += b"ERROR\r\n"


def serve(stop):
    while not stop.is_set():
        for key, mask in sel.select(0.05):
            if key.data is None:
                sock, _ = key.fileobj.accept()
                sock.setblocking(False)
                stats["conns"] += 1
                sel.register(sock, selectors.EVENT_READ, Conn(sock))
                continue
            c = key.data
            keep = True
            if mask & selectors.EVENT_READ:
                data = c.sock.recv(4096)
                if data:
                    c.inb += data
                    keep = c.process()
                else:
                    keep = False
            if keep and mask & selectors.EVENT_WRITE and c.outb:
                sent = c.sock.send(c.outb)
                c.outb = c.outb[sent:]
            if not keep:
                sel.unregister(c.sock)
                c.sock.close()
                stats["closed"] += 1
            else:
                sel.modify(c.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if c.outb else 0), c)


def read_until(sock, end):
    buf = b""
    while not buf.endswith(end):
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


stop = threading.Event()
t = threading.Thread(target=serve, args=(stop,))
t.start()
addr = listener.getsockname()

with socket.create_connection(addr, timeout=10) as c:
    for byte in b"set a 5 0 3\r\nabc\r\nget a b\r\n":
        c.send(bytes([byte]))
    print("byte by byte", read_until(c, b"END\r\n"))
    c.sendall(b"quit\r\n")
    print("after quit", c.recv(10))

with socket.create_connection(addr, timeout=10) as c:
    c.sendall(b"set k1 0 0 2\r\nv1\r\nset k2 1 0 4\r\nv\r\n2\r\nbogus\r\nget k1 k2 a nope\r\n"
              b"delete k1\r\ndelete k1\r\nget k1\r\n")
    print("pipelined", read_until(c, b"NOT_FOUND\r\nEND\r\n"))

with socket.create_connection(addr, timeout=10) as c:
    big = bytes(range(256)) * 800
    c.sendall(b"set big 9 0 %d\r\n" % len(big) + big + b"\r\nget big\r\n")
    got = read_until(c, b"END\r\n")
    stored, value, rest = got.split(b"\r\n", 2)
    print("big", stored, value, rest[:len(big)] == big, rest[len(big):], len(got))

c = socket.create_connection(addr, timeout=10)
c.sendall(b"get a\r\n")
print("then close", read_until(c, b"END\r\n"))
c.close()
time.sleep(0.3)
stop.set()
t.join(5)
print("stats", stats, sorted(store))
listener.close()
sel.close()
