# A STUN (RFC 5389) Binding request/response over UDP on loopback, as NAT-discovery scripts (pystun and its
# kin) do it: a 20-byte header (type, length, magic cookie 0x2112A442, 96-bit transaction id), the server
# answering with XOR-MAPPED-ADDRESS (port and address XORed with the cookie) and SOFTWARE; the client retries
# with a doubling timeout (settimeout, socket.timeout), checks the transaction id, and ignores a stray datagram
# from another port. Also: recvfrom_into a bytearray, MSG_PEEK then recvfrom, a datagram truncated by a small
# buffer (the rest is lost), a connected UDP socket, and IPv6.
import os
import socket
import struct
import threading

MAGIC = 0x2112A442
BINDING_REQUEST, BINDING_RESPONSE = 0x0001, 0x0101
XOR_MAPPED_ADDRESS, SOFTWARE = 0x0020, 0x8022


def xor_address(family, host, port, tid):
    xport = port ^ (MAGIC >> 16)
    if family == socket.AF_INET:
        raw = socket.inet_pton(socket.AF_INET, host)
        xaddr = bytes(a ^ b for a, b in zip(raw, struct.pack(">I", MAGIC)))
        return struct.pack(">BBH", 0, 1, xport) + xaddr
    raw = socket.inet_pton(socket.AF_INET6, host)
    key = struct.pack(">I", MAGIC) + tid
    return struct.pack(">BBH", 0, 2, xport) + bytes(a ^ b for a, b in zip(raw, key))


def attr(t, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack(">HH", t, len(value)) + value + b"\0" * pad


dropped = []


def server(sock, drop_first, count):
    seen = 0
    while seen < count:
        data, addr = sock.recvfrom(2048)
        if data == b"stop":
            break
        seen += 1
        if seen == 1 and drop_first:
            dropped.append(addr[:2] == sock.getsockname()[:2])  # printed after join()
            continue
        mtype, length, magic = struct.unpack(">HHI", data[:8])
        tid = data[8:20]
        if mtype != BINDING_REQUEST or magic != MAGIC:
            print("server: not a binding request, ignored")
            continue
        body = attr(XOR_MAPPED_ADDRESS, xor_address(sock.family, addr[0], addr[1], tid)) + attr(SOFTWARE, b"loopback-stun")
        sock.sendto(struct.pack(">HHI", BINDING_RESPONSE, len(body), MAGIC) + tid + body, addr)


def parse(data, tid):
    mtype, length, magic = struct.unpack(">HHI", data[:8])
    if mtype != BINDING_RESPONSE or data[8:20] != tid:
        return None
    out = {}
    pos = 20
    while pos < 20 + length:
        t, n = struct.unpack(">HH", data[pos:pos + 4])
        v = data[pos + 4:pos + 4 + n]
        if t == XOR_MAPPED_ADDRESS:
            fam, xport = v[1], struct.unpack(">H", v[2:4])[0] ^ (MAGIC >> 16)
            key = struct.pack(">I", MAGIC) + (tid if fam == 2 else b"")
            raw = bytes(a ^ b for a, b in zip(v[4:], key))
            out["mapped"] = (socket.inet_ntop(socket.AF_INET if fam == 1 else socket.AF_INET6, raw), xport)
        elif t == SOFTWARE:
            out["software"] = v.decode()
        pos += 4 + n + (4 - n % 4) % 4
    return out


def stun_request(sock, server_addr, stray=None):
    tid = os.urandom(12)
    req = struct.pack(">HHI", BINDING_REQUEST, 0, MAGIC) + tid
    timeout = 0.2
    for attempt in range(5):
        sock.sendto(req, server_addr)
        if stray is not None and attempt == 0:
            stray.sendto(b"not stun at all", sock.getsockname()[:2])
        sock.settimeout(timeout)
        try:
            while True:
                data, addr = sock.recvfrom(2048)
                if addr[:2] != server_addr[:2]:
                    print("client: ignoring a datagram from another port:", data)
                    continue
                res = parse(data, tid)
                if res is not None:
                    return attempt, res
        except socket.timeout:
            print("client: timed out after %.1f s, retrying" % timeout)
            timeout *= 2
    return None, None


for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    srv = socket.socket(family, socket.SOCK_DGRAM)
    srv.bind((host, 0))
    t = threading.Thread(target=server, args=(srv, family == socket.AF_INET, 10))
    t.start()
    cli = socket.socket(family, socket.SOCK_DGRAM)
    cli.bind((host, 0))
    stray = socket.socket(family, socket.SOCK_DGRAM)
    attempt, res = stun_request(cli, srv.getsockname(), stray if family == socket.AF_INET else None)
    print(family.name, "attempt", attempt, "software", res["software"],
          "mapped is our address:", res["mapped"] == cli.getsockname()[:2])
    # recvfrom_into, MSG_PEEK, truncation, a connected socket
    cli.settimeout(5)
    stray.sendto(b"0123456789", cli.getsockname()[:2])
    peeked, _ = cli.recvfrom(4, socket.MSG_PEEK)
    buf = bytearray(16)
    n, addr = cli.recvfrom_into(buf)
    print(family.name, "peek", peeked, "into", n, bytes(buf[:n]), "from the stray's port:",
          addr[1] == stray.getsockname()[1], "the stray's auto-bound name:", stray.getsockname()[0])
    stray.sendto(b"abcdefghijklmnop", cli.getsockname()[:2])
    stray.sendto(b"next", cli.getsockname()[:2])
    print(family.name, "truncated", cli.recv(5), "then", cli.recv(100))
    cli.connect(srv.getsockname())
    stray.sendto(b"filtered out by connect()", cli.getsockname()[:2])
    tid = b"T" * 12
    cli.send(struct.pack(">HHI", BINDING_REQUEST, 0, MAGIC) + tid)
    print(family.name, "connected:", parse(cli.recv(2048), tid)["software"], "peer is the server:",
          cli.getpeername()[:2] == srv.getsockname()[:2])
    stray.sendto(b"stop", srv.getsockname())
    t.join()
    print(family.name, "server dropped", len(dropped), "request(s)")
    dropped.clear()
    for s in (srv, cli, stray):
        s.close()
