# A statsd-style aggregator: metrics arrive as UDP datagrams ("name:value|type[|@rate]", several per datagram
# separated by newlines) on a socket served by recvfrom() under settimeout(); counters (scaled by the sample rate),
# gauges (set, or +/- deltas), timers (count, lower, upper, mean, sum, 90th percentile) and sets (unique values);
# a "flush" datagram makes it send the aggregates to a Graphite plaintext receiver over TCP ("path value
# timestamp\n", one create_connection() per flush, served by socketserver.TCPServer.handle_request() with a
# StreamRequestHandler reading rfile line by line) and answer the sender with sendto(); malformed lines are
# counted, and "quit" ends it. The sender is a connected UDP socket using send()/recv().
import math
import socket
import socketserver
import threading

FLUSH_SECONDS = 10
received = []


class GraphiteHandler(socketserver.StreamRequestHandler):
    def handle(self):
        lines = [line.decode().rstrip("\n") for line in self.rfile]
        received.append(lines)


def fmt(v):
    return "%.2f" % v


class Statsd:
    def __init__(self, sock, graphite_addr):
        self.sock = sock
        self.graphite_addr = graphite_addr
        self.bad = 0
        self.flushes = 0
        self.reset()
        self.gauges = {}

    def reset(self):
        self.counters, self.timers, self.sets = {}, {}, {}

    def line(self, text):
        try:
            name, _, rest = text.partition(":")
            fields = rest.split("|")
            value, kind = fields[0], fields[1]
            rate = float(fields[2][1:]) if len(fields) > 2 and fields[2].startswith("@") else 1.0
            if not name or kind not in ("c", "g", "ms", "s"):
                raise ValueError(text)
            if kind == "c":
                self.counters[name] = self.counters.get(name, 0) + float(value) / rate
            elif kind == "g":
                if value[0] in "+-":
                    self.gauges[name] = self.gauges.get(name, 0) + float(value)
                else:
                    self.gauges[name] = float(value)
            elif kind == "ms":
                self.timers.setdefault(name, []).append(float(value))
            else:
                self.sets.setdefault(name, set()).add(value)
        except (ValueError, IndexError):
            self.bad += 1

    def flush(self):
        self.flushes += 1
        ts = 1700000000 + self.flushes * FLUSH_SECONDS
        out = []
        for name, v in self.counters.items():
            out.append("stats.%s.count %s %d" % (name, fmt(v), ts))
            out.append("stats.%s.rate %s %d" % (name, fmt(v / FLUSH_SECONDS), ts))
        for name, v in self.gauges.items():
            out.append("stats.gauges.%s %s %d" % (name, fmt(v), ts))
        for name, vs in self.timers.items():
            vs = sorted(vs)
            p90 = vs[max(0, math.ceil(0.9 * len(vs)) - 1)]
            for key, v in (("count", len(vs)), ("lower", vs[0]), ("upper", vs[-1]),
                           ("mean", sum(vs) / len(vs)), ("sum", sum(vs)), ("upper_90", p90)):
                out.append("stats.timers.%s.%s %s %d" % (name, key, fmt(v), ts))
        for name, vs in self.sets.items():
            out.append("stats.sets.%s.count %d %d" % (name, len(vs), ts))
        out.append("stats.statsd.bad_lines %d %d" % (self.bad, ts))
        with socket.create_connection(self.graphite_addr, timeout=5) as g:
            g.sendall("".join(line + "\n" for line in out).encode())
        self.reset()
        self.bad = 0
        return len(out)

    def run(self):
        self.sock.settimeout(5)
        while True:
            data, addr = self.sock.recvfrom(2048)
            text = data.decode()
            if text == "flush":
                self.sock.sendto(b"flushed %d" % self.flush(), addr)
            elif text == "quit":
                self.sock.sendto(b"bye", addr)
                return
            else:
                for line in text.split("\n"):
                    if line:
                        self.line(line)


with socketserver.TCPServer(("127.0.0.1", 0), GraphiteHandler) as graphite, \
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as usock:
    graphite.timeout = 5
    usock.bind(("127.0.0.1", 0))
    statsd = Statsd(usock, graphite.server_address)
    st = threading.Thread(target=statsd.run)
    st.start()

    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(5)
    client.connect(usock.getsockname())
    batches = [
        ["api.hits:1|c", "api.hits:1|c", "api.hits:3|c"],
        ["api.hits:1|c|@0.1", "db.query:12|ms", "db.query:30|ms", "db.query:7|ms"],
        ["queue.depth:40|g", "queue.depth:-5|g", "queue.depth:+12|g"],
        ["users:alice|s", "users:bob|s", "users:alice|s"],
        ["nonsense", "x:1|q", ":5|c", "api.errors:abc|c", "db.query:21.5|ms"],
    ] + [["db.query:%d|ms" % (100 + 13 * i)] for i in range(6)]
    for batch in batches:
        client.send("\n".join(batch).encode())
    for rnd in range(2):
        gt = threading.Thread(target=graphite.handle_request)
        gt.start()
        client.send(b"flush")
        print("flush %d:" % rnd, client.recv(100))
        gt.join(5)
        for line in sorted(received.pop()):
            print("  " + line)
        client.send(b"api.hits:2|c\nqueue.depth:-7|g\ndb.query:5|ms")
    client.send(b"quit")
    print("quit:", client.recv(100))
    client.close()
    st.join(5)
