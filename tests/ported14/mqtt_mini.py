# A miniature MQTT 3.1.1 broker and its clients, the way small IoT test rigs are written: the broker is one
# selectors loop over non-blocking sockets with an input buffer per connection, packets cut by the fixed header's
# variable-length "remaining length" (1 to 3 bytes here: payloads of 5, 300 and 20000 bytes), output queued and
# written under EVENT_WRITE (modify() back to EVENT_READ when drained). Clients speak blocking sockets and read
# whole packets with recv_into() on a memoryview: CONNECT/CONNACK, SUBSCRIBE/SUBACK with '+' and '#' filters,
# PUBLISH fan-out, PINGREQ/PINGRESP, DISCONNECT; a malformed packet closes its connection.
import selectors
import socket
import struct
import threading

log = []


def enc_len(n):
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def dec_len(buf, pos):
    mult, value = 1, 0
    for i in range(4):
        if pos + i >= len(buf):
            return None, None
        b = buf[pos + i]
        value += (b & 0x7F) * mult
        if not b & 0x80:
            return value, pos + i + 1
        mult *= 128
    raise ValueError("malformed remaining length")


def mqtt_str(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def packet(first, body):
    return bytes([first]) + enc_len(len(body)) + body


def topic_match(filt, topic):
    f, t = filt.split("/"), topic.split("/")
    for i, part in enumerate(f):
        if part == "#":
            return True
        if i >= len(t) or (part != "+" and part != t[i]):
            return False
    return len(f) == len(t)


class Broker:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.lsock.setblocking(False)
        self.sel.register(self.lsock, selectors.EVENT_READ, None)
        self.conns = {}
        self.running = True

    def send(self, conn, data):
        st = self.conns[conn]
        st["out"] += data
        self.sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, st)

    def drop(self, conn, why):
        st = self.conns.pop(conn)
        log.append("broker: closed %s (%s)" % (st["id"] or "?", why))
        self.sel.unregister(conn)
        conn.close()

    def handle(self, conn, first, body):
        st = self.conns[conn]
        kind = first >> 4
        if kind == 1:  # CONNECT
            n, = struct.unpack("!H", body[10:12])
            st["id"] = body[12:12 + n].decode()
            log.append("broker: CONNECT %s" % st["id"])
            self.send(conn, packet(0x20, b"\x00\x00"))
        elif kind == 8:  # SUBSCRIBE
            pid = body[:2]
            pos, granted = 2, b""
            while pos < len(body):
                n, = struct.unpack("!H", body[pos:pos + 2])
                st["subs"].append(body[pos + 2:pos + 2 + n].decode())
                pos += 2 + n + 1
                granted += b"\x00"
            log.append("broker: %s subscribes %s" % (st["id"], st["subs"]))
            self.send(conn, packet(0x90, pid + granted))
        elif kind == 3:  # PUBLISH, QoS 0
            n, = struct.unpack("!H", body[:2])
            topic = body[2:2 + n].decode()
            for other, ost in list(self.conns.items()):
                if any(topic_match(f, topic) for f in ost["subs"]):
                    self.send(other, packet(0x30, body))
        elif kind == 12:  # PINGREQ
            self.send(conn, packet(0xD0, b""))
        elif kind == 14:  # DISCONNECT
            self.drop(conn, "DISCONNECT")
            if not self.conns:
                self.running = False
        else:
            self.drop(conn, "bad packet type %d" % kind)

    def readable(self, conn):
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        if not data:
            self.drop(conn, "EOF")
            return
        st = self.conns[conn]
        st["in"] += data
        while conn in self.conns:
            buf = st["in"]
            if len(buf) < 2:
                break
            try:
                n, pos = dec_len(buf, 1)
            except ValueError as e:
                self.drop(conn, str(e))
                return
            if n is None or len(buf) < pos + n:
                break
            first, body = buf[0], bytes(buf[pos:pos + n])
            del buf[:pos + n]
            self.handle(conn, first, body)

    def writable(self, conn):
        st = self.conns[conn]
        try:
            sent = conn.send(st["out"])
        except BlockingIOError:
            return
        del st["out"][:sent]
        if not st["out"]:
            self.sel.modify(conn, selectors.EVENT_READ, st)

    def serve(self):
        for _ in range(10000):
            if not self.running:
                break
            for key, mask in self.sel.select(timeout=5):
                if key.data is None:
                    try:
                        conn, _ = self.lsock.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    st = {"id": None, "in": bytearray(), "out": bytearray(), "subs": []}
                    self.conns[conn] = st
                    self.sel.register(conn, selectors.EVENT_READ, st)
                    continue
                if mask & selectors.EVENT_READ and key.fileobj in self.conns:
                    self.readable(key.fileobj)
                if mask & selectors.EVENT_WRITE and key.fileobj in self.conns:
                    self.writable(key.fileobj)
        self.sel.close()
        self.lsock.close()


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if not k:
            raise ConnectionError("broker closed")
        got += k
    return bytes(buf)


def read_packet(sock):
    first = recv_exact(sock, 1)[0]
    mult, n = 1, 0
    while True:
        b = recv_exact(sock, 1)[0]
        n += (b & 0x7F) * mult
        if not b & 0x80:
            break
        mult *= 128
    return first, recv_exact(sock, n)


def client(addr, cid):
    s = socket.create_connection(addr, timeout=5)
    body = mqtt_str("MQTT") + b"\x04\x02\x00\x3c" + mqtt_str(cid)
    s.sendall(packet(0x10, body))
    first, rest = read_packet(s)
    print(cid, "CONNACK", hex(first), rest)
    return s


def subscribe(s, cid, pid, *filters):
    body = struct.pack("!H", pid) + b"".join(mqtt_str(f) + b"\x00" for f in filters)
    s.sendall(packet(0x82, body))
    first, rest = read_packet(s)
    print(cid, "SUBACK", hex(first), rest)


def publish(s, topic, payload):
    s.sendall(packet(0x30, mqtt_str(topic) + payload))


def show_publish(cid, s):
    first, body = read_packet(s)
    n, = struct.unpack("!H", body[:2])
    payload = body[2 + n:]
    print(cid, "got", body[2:2 + n].decode(), len(payload), payload[:12])


broker = Broker()
addr = broker.lsock.getsockname()
t = threading.Thread(target=broker.serve)
t.start()

print("remaining length encodings:", [enc_len(n).hex() for n in (0, 127, 128, 16383, 16384, 2097151)])
a = client(addr, "sensor-a")
b = client(addr, "dash-b")
c = client(addr, "logger-c")
subscribe(b, "dash-b", 1, "home/+/temp")
subscribe(c, "logger-c", 2, "home/#", "alerts")
publish(a, "home/kitchen/temp", b"21.5C")
show_publish("dash-b", b)
show_publish("logger-c", c)
publish(a, "home/kitchen/humidity", b"x" * 300)
show_publish("logger-c", c)
publish(a, "alerts", bytes(range(256)) * 78 + b"tail")
show_publish("logger-c", c)
a.sendall(packet(0xC0, b""))
print("sensor-a PINGRESP", read_packet(a))
# a malformed remaining length: five continuation bytes
bad = socket.create_connection(addr, timeout=5)
bad.sendall(b"\x30\xff\xff\xff\xff\x01")
print("malformed: broker closed:", bad.recv(10) == b"")
bad.close()
for s in (a, b, c):
    s.sendall(packet(0xE0, b""))
    print("after DISCONNECT:", s.recv(10))
    s.close()
t.join(10)
for entry in log:
    print(entry)
