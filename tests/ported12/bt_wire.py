# BitTorrent's peer wire protocol (BEP 3), both peers on loopback: the 68-byte handshake (pstrlen, "BitTorrent
# protocol", 8 reserved bytes, info_hash, peer_id) checked on both sides (a peer with the wrong info_hash is
# dropped), then length-prefixed messages: bitfield, interested, unchoke, request/piece in 16 KiB blocks with up
# to 5 requests pipelined, have, keep-alive (length 0), and a cancel. The leecher verifies every piece's SHA-1.
# recv_exactly() loops on recv_into() into a memoryview, as long-message readers do.
import hashlib
import socket
import struct
import threading

PIECE = 65536
BLOCK = 16384
DATA = bytes((i * 7 + i // 251) % 256 for i in range(4 * PIECE + 1000))
PIECES = [DATA[i:i + PIECE] for i in range(0, len(DATA), PIECE)]
HASHES = [hashlib.sha1(p).digest() for p in PIECES]
INFO_HASH = hashlib.sha1(b"".join(HASHES)).digest()
PSTR = b"BitTorrent protocol"
NAMES = {0: "choke", 1: "unchoke", 2: "interested", 3: "not interested", 4: "have", 5: "bitfield",
         6: "request", 7: "piece", 8: "cancel"}


def handshake(info_hash, peer_id):
    return bytes([len(PSTR)]) + PSTR + b"\0" * 8 + info_hash + peer_id


def recv_exactly(s, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = s.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError(f"peer closed after {got} of {n} bytes")
        got += k
    return bytes(buf)


def read_msg(s):
    (length,) = struct.unpack(">I", recv_exactly(s, 4))
    if length == 0:
        return None, b""
    body = recv_exactly(s, length)
    return body[0], body[1:]


def send_msg(s, mid=None, payload=b""):
    if mid is None:
        s.sendall(struct.pack(">I", 0))
    else:
        s.sendall(struct.pack(">IB", 1 + len(payload), mid) + payload)


lsock = socket.create_server(("127.0.0.1", 0))
seed_log = []


def seeder(nconns):
    for _ in range(nconns):
        conn, _ = lsock.accept()
        conn.settimeout(5)
        with conn:
            hs = recv_exactly(conn, 68)
            if hs[1:20] != PSTR or hs[28:48] != INFO_HASH:
                seed_log.append("wrong info_hash: dropped")
                continue
            conn.sendall(handshake(INFO_HASH, b"-SD0001-seederseeder"))
            seed_log.append("handshake from " + hs[48:56].decode())
            bits = (1 << 8) - (1 << (8 - len(PIECES)))
            send_msg(conn, 5, bytes([bits]))
            served = cancelled = 0
            while True:
                try:
                    mid, payload = read_msg(conn)
                except EOFError:
                    break
                if mid is None:
                    seed_log.append("keep-alive")
                elif mid == 2:
                    seed_log.append("interested")
                    send_msg(conn, 1)
                elif mid == 6:
                    index, begin, length = struct.unpack(">III", payload)
                    send_msg(conn, 7, struct.pack(">II", index, begin) + PIECES[index][begin:begin + length])
                    served += 1
                elif mid == 8:
                    cancelled += 1
                elif mid == 4:
                    pass
                else:
                    seed_log.append("unexpected " + NAMES.get(mid, str(mid)))
            seed_log.append(f"served {served} blocks, {cancelled} cancel")


t = threading.Thread(target=seeder, args=(2,))
t.start()

bad = socket.create_connection(lsock.getsockname(), timeout=5)
bad.sendall(handshake(b"\x01" * 20, b"-LC0001-badbadbadbad"))
print("wrong torrent:", bad.recv(68))
bad.close()

s = socket.create_connection(lsock.getsockname(), timeout=5)
s.sendall(handshake(INFO_HASH, b"-LC0001-leecherleech"))
hs = recv_exactly(s, 68)
print("handshake:", hs[0], hs[1:20], hs[28:48] == INFO_HASH, hs[48:56])
mid, payload = read_msg(s)
print("got", NAMES[mid], f"{payload[0]:08b}")
have = [bool(payload[0] & (0x80 >> i)) for i in range(len(PIECES))]
send_msg(s)
send_msg(s, 2)
mid, _ = read_msg(s)
print("got", NAMES[mid])
blocks = [(i, b, min(BLOCK, len(PIECES[i]) - b)) for i in range(len(PIECES)) if have[i]
          for b in range(0, len(PIECES[i]), BLOCK)]
print("blocks to fetch:", len(blocks))
got = {}
outstanding = 0
nxt = 0
while len(got) < len(blocks):
    while outstanding < 5 and nxt < len(blocks):
        send_msg(s, 6, struct.pack(">III", *blocks[nxt]))
        nxt += 1
        outstanding += 1
    mid, payload = read_msg(s)
    if mid == 7:
        index, begin = struct.unpack(">II", payload[:8])
        got[(index, begin)] = payload[8:]
        outstanding -= 1
ok = []
for i in range(len(PIECES)):
    piece = b"".join(got[(i, b)] for b in range(0, len(PIECES[i]), BLOCK))
    ok.append(hashlib.sha1(piece).digest() == HASHES[i])
    send_msg(s, 4, struct.pack(">I", i))
print("pieces verified:", ok, "bytes:", sum(len(v) for v in got.values()))
send_msg(s, 8, struct.pack(">III", 0, 0, BLOCK))
s.shutdown(socket.SHUT_WR)
print("after shutdown:", s.recv(10))
s.close()
t.join()
lsock.close()
print("seeder:", seed_log)
