# A UDP request/retry client through a lossy relay, all on 127.0.0.1: the relay drops every third datagram it
# forwards toward the server and every seventh reply, and sends every fifth reply twice. The client numbers its requests, retries with
# settimeout(0.15) up to 6 times, and throws away replies whose id is stale (duplicates and late answers). The
# server keeps a reply cache by (client, id), so a retried request is answered without being applied twice.
import socket
import struct
import threading

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 0))
relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
relay.bind(("127.0.0.1", 0))
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.bind(("127.0.0.1", 0))
stats = {"applied": 0, "cached": 0, "dropped": 0, "duplicated": 0}
total = [0]
stop = threading.Event()


def run_server():
    server.settimeout(0.1)
    cache = {}
    while not stop.is_set():
        try:
            data, addr = server.recvfrom(1024)
        except socket.timeout:
            continue
        if data == b"QUIT":
            break
        rid, amount = struct.unpack(">IH", data[:6])
        key = (addr, rid)
        if key in cache:
            stats["cached"] += 1
        else:
            total[0] += amount
            stats["applied"] += 1
            cache[key] = struct.pack(">IQ", rid, total[0])
        server.sendto(cache[key], addr)


def run_relay():
    relay.settimeout(0.1)
    fwd = 0
    back = 0
    while not stop.is_set():
        try:
            data, addr = relay.recvfrom(1024)
        except socket.timeout:
            continue
        if addr == client.getsockname():
            fwd += 1
            if fwd % 3 == 0:
                stats["dropped"] += 1
                continue
            relay.sendto(data, server.getsockname())
        else:
            back += 1
            if back % 7 == 0:
                stats["dropped"] += 1
                continue
            relay.sendto(data, client.getsockname())
            if back % 5 == 0:
                stats["duplicated"] += 1
                relay.sendto(data, client.getsockname())


threads = [threading.Thread(target=run_server), threading.Thread(target=run_relay)]
for t in threads:
    t.start()
client.settimeout(0.15)
stale = 0
for rid in range(1, 16):
    req = struct.pack(">IH", rid, rid * 10)
    for attempt in range(1, 7):
        client.sendto(req, relay.getsockname())
        try:
            while True:
                data, _ = client.recvfrom(1024)
                got_id, tot = struct.unpack(">IQ", data)
                if got_id == rid:
                    break
                stale += 1
        except socket.timeout:
            print("request", rid, "attempt", attempt, "timed out")
            continue
        print("request", rid, "total", tot, "after", attempt, "attempt(s)")
        break
server.sendto(b"QUIT", server.getsockname())
stop.set()
for t in threads:
    t.join()
print("stale replies discarded:", stale)
print("server:", stats)
for s in (server, relay, client):
    s.close()
