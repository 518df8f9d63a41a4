# A "reliable" file transfer over UDP with a Go-Back-N sliding window (window 4, cumulative ACKs, one timer for
# the oldest unacknowledged packet, everything from it resent on a timeout) through a lossy relay that drops
# deterministically by sequence number: data packets 3 and 11 and the ACK of 15, each the first time. The
# receiver delivers in order, discards out-of-order packets and re-sends its last ACK. Prints what arrived and
# the counts (sent, resent, duplicate ACKs, drops), which follow from the drop pattern alone.
import socket
import struct
import threading
import time
import zlib

DATA = bytes((i * 37 + 11) % 256 for i in range(2000))
CHUNK = 100
packets = [DATA[i:i + CHUNK] for i in range(0, len(DATA), CHUNK)]
END = len(packets)
WINDOW = 4
TIMEOUT = 0.3
DROP_DATA = {3, 11}
DROP_ACK = {15}


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


snd, rly, rcv = udp(), udp(), udp()
stop = threading.Event()
drops = []


def relay():
    rly.settimeout(0.05)
    seen = set()
    while not stop.is_set():
        try:
            pkt, addr = rly.recvfrom(2048)
        except TimeoutError:
            continue
        if addr == snd.getsockname():
            seq = struct.unpack("!I", pkt[:4])[0]
            key = ("data", seq)
            if seq in DROP_DATA and key not in seen:
                seen.add(key)
                drops.append(key)
                continue
            rly.sendto(pkt, rcv.getsockname())
        else:
            seq = struct.unpack("!I", pkt[1:5])[0]
            key = ("ack", seq)
            if seq in DROP_ACK and key not in seen:
                seen.add(key)
                drops.append(key)
                continue
            rly.sendto(pkt, snd.getsockname())


got = []
out_of_order = 0


def receiver():
    global out_of_order
    rcv.settimeout(5)
    expected = 0
    while True:
        pkt, addr = rcv.recvfrom(2048)
        seq = struct.unpack("!I", pkt[:4])[0]
        if seq == expected:
            if seq == END:
                rcv.sendto(b"A" + struct.pack("!I", seq), addr)
                return
            got.append(pkt[4:])
            expected += 1
        else:
            out_of_order += 1
        if expected:
            rcv.sendto(b"A" + struct.pack("!I", expected - 1), addr)


threads = [threading.Thread(target=relay), threading.Thread(target=receiver)]
for t in threads:
    t.start()

base = nxt = 0
sent = resent = dup_acks = 0
timer = None
deadline = time.monotonic() + 15
total = END + 1


def send(seq):
    payload = packets[seq] if seq < END else b""
    snd.sendto(struct.pack("!I", seq) + payload, rly.getsockname())


while base < total and time.monotonic() < deadline:
    while nxt < base + WINDOW and nxt < total:
        send(nxt)
        sent += 1
        if base == nxt:
            timer = time.monotonic()
        nxt += 1
    snd.settimeout(max(0.001, timer + TIMEOUT - time.monotonic()))
    try:
        pkt, _ = snd.recvfrom(64)
    except TimeoutError:
        for seq in range(base, nxt):
            send(seq)
            resent += 1
        timer = time.monotonic()
        continue
    ack = struct.unpack("!I", pkt[1:5])[0]
    if ack < base:
        dup_acks += 1
        continue
    base = ack + 1
    if base < nxt:
        timer = time.monotonic()

stop.set()
for t in threads:
    t.join()
for s in (snd, rly, rcv):
    s.close()
data = b"".join(got)
print("delivered", len(data), "bytes in", len(got), "packets; intact:", data == DATA, hex(zlib.crc32(data)))
print("sent", sent, "resent", resent, "duplicate acks", dup_acks, "out of order at the receiver", out_of_order)
print("drops", drops)
