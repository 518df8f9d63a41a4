# A BitTorrent UDP tracker (BEP 15) and its clients, packed with struct: connect (the protocol's magic connection
# id, a transaction id, a connection id back), announce (98 bytes: info_hash, peer_id, downloaded/left/uploaded
# as 64-bit counts, event, key, num_want, port; the reply lists peers as 6-byte IPv4+port entries), scrape
# (seeders, completed, leechers per hash) and error replies (action 3). The tracker drops the first copy of the
# first announce and answers one scrape with a stale transaction id first: the client retries under
# settimeout(0.3) and ignores replies whose transaction id is not its own. A connection id the tracker never gave
# and a packet too short get errors.
import socket
import struct
import threading

MAGIC = 0x41727101980
HASH_A = bytes(range(20))
HASH_B = bytes(range(100, 120))
log = []


class Tracker:
    def __init__(self, sock):
        self.sock = sock
        self.conn_ids = set()
        self.next_cid = 0x1122334455667700
        self.swarms = {}  # info_hash -> {peer_id: (ip, port, left)}
        self.completed = {}
        self.announces = 0
        self.scrapes = 0

    def error(self, tid, text, addr):
        self.sock.sendto(struct.pack(">II", 3, tid) + text, addr)

    def run(self):
        self.sock.settimeout(5)
        while True:
            data, addr = self.sock.recvfrom(2048)
            if data == b"stop":
                return
            if len(data) < 16:
                log.append("tracker: %d-byte packet" % len(data))
                self.sock.sendto(struct.pack(">II", 3, 0) + b"packet too short", addr)
                continue
            cid, action, tid = struct.unpack(">QII", data[:16])
            if action == 0:
                if cid != MAGIC:
                    self.error(tid, b"bad protocol id", addr)
                    continue
                self.next_cid += 1
                self.conn_ids.add(self.next_cid)
                self.sock.sendto(struct.pack(">IIQ", 0, tid, self.next_cid), addr)
            elif cid not in self.conn_ids:
                log.append("tracker: unknown connection id %#x" % cid)
                self.error(tid, b"connection id mismatch", addr)
            elif action == 1:
                self.announces += 1
                if self.announces == 1:
                    log.append("tracker: dropped the first announce")
                    continue
                (info_hash, peer_id, downloaded, left, uploaded, event, ip, key, num_want,
                 port) = struct.unpack(">20s20sQQQIIIiH", data[16:98])
                swarm = self.swarms.setdefault(info_hash, {})
                if event == 1:  # completed
                    self.completed[info_hash] = self.completed.get(info_hash, 0) + 1
                if event == 3:  # stopped
                    swarm.pop(peer_id, None)
                else:
                    swarm[peer_id] = (addr[0], port, left)
                others = [p for pid, p in sorted(swarm.items()) if pid != peer_id]
                if num_want >= 0:
                    others = others[:num_want]
                seeders = sum(1 for p in swarm.values() if p[2] == 0)
                reply = struct.pack(">IIIII", 1, tid, 1800, len(swarm) - seeders, seeders)
                reply += b"".join(socket.inet_aton(ip_) + struct.pack(">H", port_) for ip_, port_, _ in others)
                self.sock.sendto(reply, addr)
            elif action == 2:
                self.scrapes += 1
                hashes = [data[i:i + 20] for i in range(16, len(data), 20)]
                reply = struct.pack(">II", 2, tid)
                for h in hashes:
                    swarm = self.swarms.get(h, {})
                    seeders = sum(1 for p in swarm.values() if p[2] == 0)
                    reply += struct.pack(">III", seeders, self.completed.get(h, 0), len(swarm) - seeders)
                if self.scrapes == 1:
                    self.sock.sendto(struct.pack(">II", 2, tid ^ 0xFFFF) + reply[8:], addr)
                self.sock.sendto(reply, addr)
            else:
                self.error(tid, b"unknown action", addr)


class Client:
    def __init__(self, addr, name):
        self.addr = addr
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(0.3)
        self.tid = int.from_bytes(name.encode()[:4].ljust(4, b"."), "big")
        self.cid = None

    def request(self, action, body, cid=None):
        self.tid = (self.tid + 1) & 0xFFFFFFFF
        tid = self.tid
        packet = struct.pack(">QII", MAGIC if cid is None else cid, action, tid) + body
        for attempt in range(4):
            self.sock.sendto(packet, self.addr)
            try:
                while True:
                    data, _ = self.sock.recvfrom(2048)
                    raction, rtid = struct.unpack(">II", data[:8])
                    if rtid == tid:
                        return raction, data[8:], attempt
                    print("  %s: ignored a reply with transaction id %#x" % (self.name, rtid))
            except TimeoutError:
                print("  %s: no reply to action %d, attempt %d" % (self.name, action, attempt))
        raise TimeoutError("tracker does not answer")

    def connect(self):
        action, body, _ = self.request(0, b"")
        self.cid = struct.unpack(">Q", body)[0]
        print("%s: connected, connection id %#x" % (self.name, self.cid))

    def announce(self, info_hash, left, event, port, num_want=-1):
        body = struct.pack(">20s20sQQQIIIiH", info_hash, self.name.encode().ljust(20, b"-"), 0, left, 0, event,
                           0, 0x1234, num_want, port)
        action, reply, attempt = self.request(1, body, self.cid)
        interval, leechers, seeders = struct.unpack(">III", reply[:12])
        peers = [(socket.inet_ntoa(reply[i:i + 4]), struct.unpack(">H", reply[i + 4:i + 6])[0])
                 for i in range(12, len(reply), 6)]
        print("%s: announce event %d (attempt %d): interval %d, %d leechers, %d seeders, peers %s" %
              (self.name, event, attempt, interval, leechers, seeders, peers))

    def scrape(self, *hashes):
        action, reply, _ = self.request(2, b"".join(hashes), self.cid)
        rows = [struct.unpack(">III", reply[i:i + 12]) for i in range(0, len(reply), 12)]
        print("%s: scrape %s" % (self.name, rows))


tsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tsock.bind(("127.0.0.1", 0))
taddr = tsock.getsockname()
tracker = Tracker(tsock)
tt = threading.Thread(target=tracker.run)
tt.start()

alice, bob, carol = Client(taddr, "alice"), Client(taddr, "bob"), Client(taddr, "carol")
for c in (alice, bob, carol):
    c.connect()
alice.announce(HASH_A, 0, 2, 6881)
bob.announce(HASH_A, 5000, 2, 6882)
carol.announce(HASH_A, 9000, 2, 6883, num_want=1)
carol.announce(HASH_B, 0, 2, 7000)
bob.announce(HASH_A, 0, 1, 6882)
alice.scrape(HASH_A, HASH_B, bytes(20))
carol.announce(HASH_A, 9000, 3, 6883)
alice.scrape(HASH_A)

# a connection id the tracker never gave, an unknown action, a packet too short
mallory = Client(taddr, "mallory")
action, body, _ = mallory.request(1, bytes(82), cid=0xDEADBEEF)
print("mallory: forged connection id -> action %d %r" % (action, body))
mallory.connect()
action, body, _ = mallory.request(9, b"", mallory.cid)
print("mallory: action 9 -> action %d %r" % (action, body))
mallory.sock.sendto(b"\x00" * 10, taddr)
print("mallory: 10 bytes ->", mallory.sock.recvfrom(100)[0])

alice.sock.sendto(b"stop", taddr)
tt.join(5)
for c in (alice, bob, carol, mallory):
    c.sock.close()
tsock.close()
for line in log:
    print(line)
