# A UDP request/response client that retries under settimeout() and receives with recvfrom_into() into one
# preallocated buffer, as allocation-averse clients do: the server drops the first copy of every third request,
# the client resends after 0.6 s, a reply longer than nbytes is cut silently (the rest of that datagram is gone,
# the next one is whole), recv_into() on a connected socket, recvfrom_into()'s ValueError for nbytes past the
# buffer, and a reply from a stranger ignored by address.
import socket
import struct
import threading

seen = {}
stale = []
log = []


def server(sock, stop):
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(2048)
        except TimeoutError:
            continue
        if data == b"STOP":
            break
        seq, = struct.unpack("!H", data[:2])
        seen[seq] = seen.get(seq, 0) + 1
        if seq % 3 == 0 and seen[seq] == 1:
            log.append("server: dropped first copy of %d" % seq)
            continue
        body = data[2:]
        if body == b"BIG":
            body = bytes(range(65, 91)) * 4
        sock.sendto(struct.pack("!H", seq) + body.upper(), addr)


srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 0))
srv.settimeout(0.2)
stop = threading.Event()
t = threading.Thread(target=server, args=(srv, stop))
t.start()
addr = srv.getsockname()

cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cli.bind(("127.0.0.1", 0))
cli.settimeout(0.6)
buf = bytearray(256)
mv = memoryview(buf)


def call(seq, body, nbytes=0, tries=6):
    req = struct.pack("!H", seq) + body
    for attempt in range(1, tries + 1):
        cli.sendto(req, addr)
        while True:
            try:
                n, frm = cli.recvfrom_into(mv, nbytes)
            except TimeoutError:
                break
            if frm != addr:
                log.append("client: ignored a datagram from a stranger")
                continue
            got, = struct.unpack("!H", mv[:2])
            if got != seq:
                stale.append(got)  # a late reply to a resent request (a loaded machine): not printed
                continue
            return attempt, bytes(mv[2:n])
    return tries, None


try:
    for seq, body in enumerate([b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta", b"eta"]):
        attempt, reply = call(seq, body)
        print("req", seq, body, "-> attempt", attempt, reply)
    attempt, reply = call(7, b"BIG")
    print("BIG whole:", len(reply), reply[:8], reply[-4:])
    attempt, reply = call(8, b"BIG", nbytes=20)
    print("BIG cut at nbytes=20:", len(reply), reply)
    attempt, reply = call(10, b"after")
    print("next datagram whole:", attempt, reply)
    # a stranger writes to our port first
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.sendto(b"\x00\x0bSPOOF", cli.getsockname())
    attempt, reply = call(11, b"real")
    print("after a stranger:", attempt, reply)
    try:
        cli.recvfrom_into(buf, 257)
    except ValueError as e:
        print("nbytes past the buffer:", type(e).__name__, e)
    # connected: recv_into()
    cli.connect(addr)
    cli.send(struct.pack("!H", 13) + b"connected")
    n = cli.recv_into(buf)
    print("recv_into:", n, bytes(buf[2:n]))
    cli.send(struct.pack("!H", 14) + b"slice")
    n = cli.recv_into(mv[10:], 0)
    print("recv_into nbytes=0 (whole slice):", n, bytes(mv[12:10 + n]))
finally:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"STOP", addr)
    stop.set()
    t.join(5)
    cli.close()
    srv.close()

for entry in log:
    print(entry)
