# Reliable transfer over UDP, the networking course's "rdt 3.0" assignment: a stop-and-wait sender with
# sequence numbers (struct '!IB'), ACKs and a retransmission timeout; a lossy relay thread in between that
# drops every 4th datagram and duplicates every 5th, in both directions; a receiver that delivers each
# sequence number once and re-ACKs duplicates. The file arrives whole, once; counts are printed.
import hashlib
import socket
import struct
import threading

DATA = bytes((i * 7 + 3) % 251 for i in range(60000))
CHUNK = 1000
HDR = struct.Struct("!IB")  # sequence number, 1 = last

receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
relay.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.bind(("127.0.0.1", 0))
stats = {"relayed": 0, "dropped": 0, "duplicated": 0, "retransmits": 0, "dup_data": 0}


def run_relay():
    relay.settimeout(2)
    n = 0
    while True:
        try:
            data, addr = relay.recvfrom(2048)
        except socket.timeout:
            return
        if data == b"STOP":
            return
        n += 1
        dest = receiver.getsockname() if addr == sender.getsockname() else sender.getsockname()
        if n % 4 == 0:
            stats["dropped"] += 1
            continue
        relay.sendto(data, dest)
        stats["relayed"] += 1
        if n % 5 == 0:
            relay.sendto(data, dest)
            stats["duplicated"] += 1


got = []


def run_receiver():
    expected = 0
    receiver.settimeout(5)
    while True:
        pkt, addr = receiver.recvfrom(2048)
        seq, last = HDR.unpack(pkt[:HDR.size])
        if seq == expected:
            got.append(pkt[HDR.size:])
            expected += 1
        else:
            stats["dup_data"] += 1
        receiver.sendto(HDR.pack(seq, last), relay.getsockname())
        if last and seq == expected - 1:
            # linger a little for a retransmitted last packet whose ACK was lost
            receiver.settimeout(0.5)
            try:
                while True:
                    pkt, _ = receiver.recvfrom(2048)
                    s, l = HDR.unpack(pkt[:HDR.size])
                    receiver.sendto(HDR.pack(s, l), relay.getsockname())
            except socket.timeout:
                return


threads = [threading.Thread(target=run_relay), threading.Thread(target=run_receiver)]
for t in threads:
    t.start()
sender.settimeout(0.1)
chunks = [DATA[i:i + CHUNK] for i in range(0, len(DATA), CHUNK)]
for seq, chunk in enumerate(chunks):
    last = 1 if seq == len(chunks) - 1 else 0
    pkt = HDR.pack(seq, last) + chunk
    while True:
        sender.sendto(pkt, relay.getsockname())
        try:
            while True:
                ack, _ = sender.recvfrom(2048)
                if HDR.unpack(ack)[0] == seq:
                    break
            break
        except socket.timeout:
            stats["retransmits"] += 1
threads[1].join(10)
sender.sendto(b"STOP", relay.getsockname())
threads[0].join(10)
whole = b"".join(got)
print("chunks", len(chunks), "delivered", len(got), "same", whole == DATA, hashlib.sha256(whole).hexdigest()[:16])
print("relay dropped some", stats["dropped"] > 0, "duplicated some", stats["duplicated"] > 0)
print("sender retransmitted", stats["retransmits"] > 0, "receiver saw duplicates", stats["dup_data"] > 0)
for s in (sender, relay, receiver):
    s.close()
