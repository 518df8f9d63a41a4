# Several channels over one TCP connection with per-channel flow control, as SSH's connection protocol and HTTP/2
# do it: frames of (channel, type, length) + payload; OPEN, DATA, WINDOW (credit), EOF, CLOSE. The server is a
# non-blocking selectors loop that echoes each channel's data reversed in 1 KiB pieces, never sending a piece on
# a channel without the credit its peer granted (a 4 KiB window, topped up as the client consumes), and switches
# EVENT_WRITE on only while its output buffer is non-empty. The client (blocking, in the main thread) opens four
# channels, interleaves 1 KiB sends (each only with credit for all of it), reads frames, grants credit,
# half-closes each channel with EOF, and checks every channel's bytes. Printed: per-channel totals and checks, frame counts, the most credit ever outstanding.
import hashlib
import selectors
import socket
import struct
import threading

HDR = struct.Struct(">HBI")  # channel, type, length
OPEN, DATA, WINDOW, EOF, CLOSE = range(5)
WIN = 4096
TNAMES = ["OPEN", "DATA", "WINDOW", "EOF", "CLOSE"]


def frame(ch, ty, payload=b""):
    return HDR.pack(ch, ty, len(payload)) + payload


def serve(lsock, stats):
    sel = selectors.DefaultSelector()
    conn, _ = lsock.accept()
    conn.setblocking(False)
    sel.register(conn, selectors.EVENT_READ)
    inb, outb = b"", b""
    chans = {}  # ch -> {"credit": int, "pending": bytes, "eof": bool}
    done = False
    while not done:
        for key, mask in sel.select(timeout=5):
            if mask & selectors.EVENT_READ:
                data = conn.recv(65536)
                if not data:
                    done = True
                    break
                inb += data
                while len(inb) >= HDR.size:
                    ch, ty, n = HDR.unpack_from(inb)
                    if len(inb) < HDR.size + n:
                        break
                    payload, inb = inb[HDR.size:HDR.size + n], inb[HDR.size + n:]
                    stats["in " + TNAMES[ty]] = stats.get("in " + TNAMES[ty], 0) + 1
                    if ty == OPEN:
                        chans[ch] = {"credit": WIN, "pending": b"", "eof": False}
                        outb += frame(ch, WINDOW, struct.pack(">I", WIN))
                    elif ty == DATA:
                        chans[ch]["pending"] += payload[::-1]
                        outb += frame(ch, WINDOW, struct.pack(">I", n))
                    elif ty == WINDOW:
                        chans[ch]["credit"] += struct.unpack(">I", payload)[0]
                        stats["max credit"] = max(stats.get("max credit", 0), chans[ch]["credit"])
                    elif ty == EOF:
                        chans[ch]["eof"] = True
            for ch, c in sorted(chans.items()):
                while c["pending"] and c["credit"] >= min(1024, len(c["pending"])):
                    piece = c["pending"][:1024]
                    c["pending"] = c["pending"][len(piece):]
                    c["credit"] -= len(piece)
                    outb += frame(ch, DATA, piece)
                    stats["out DATA"] = stats.get("out DATA", 0) + 1
                if c["eof"] and not c["pending"]:
                    outb += frame(ch, CLOSE)
                    c["eof"] = None
            if outb:
                try:
                    sent = conn.send(outb)
                    outb = outb[sent:]
                except BlockingIOError:
                    stats["server blocked"] = True
            want = selectors.EVENT_READ | (selectors.EVENT_WRITE if outb else 0)
            if sel.get_key(conn).events != want:
                sel.modify(conn, want)
    sel.close()
    conn.close()


lsock = socket.create_server(("127.0.0.1", 0))
stats = {}
t = threading.Thread(target=serve, args=(lsock, stats))
t.start()
c = socket.create_connection(lsock.getsockname(), timeout=5)
payloads = {ch: bytes((ch * 31 + i * 7) % 251 for i in range(size))
            for ch, size in ((1, 20000), (2, 3000), (3, 1), (4, 50000))}
credit = {}
got = {ch: b"" for ch in payloads}
closed = set()
inb = b""


def pump_in():
    """Read frames that are there (wait for one at least); grant credit for DATA as it is consumed."""
    global inb
    inb += c.recv(65536)
    while len(inb) >= HDR.size:
        ch, ty, n = HDR.unpack_from(inb)
        if len(inb) < HDR.size + n:
            break
        payload, inb = inb[HDR.size:HDR.size + n], inb[HDR.size + n:]
        if ty == WINDOW:
            credit[ch] = credit.get(ch, 0) + struct.unpack(">I", payload)[0]
        elif ty == DATA:
            got[ch] += payload
            c.sendall(frame(ch, WINDOW, struct.pack(">I", n)))
        elif ty == CLOSE:
            closed.add(ch)


for ch in payloads:
    c.sendall(frame(ch, OPEN))
offsets = {ch: 0 for ch in payloads}
while any(offsets[ch] < len(p) for ch, p in payloads.items()):
    progressed = False
    for ch, p in payloads.items():
        n = min(1024, len(p) - offsets[ch])
        if n > 0 and credit.get(ch, 0) >= n:
            c.sendall(frame(ch, DATA, p[offsets[ch]:offsets[ch] + n]))
            offsets[ch] += n
            credit[ch] -= n
            progressed = True
            if offsets[ch] == len(p):
                c.sendall(frame(ch, EOF))
    if not progressed:
        pump_in()
while len(closed) < len(payloads):
    pump_in()
c.close()
t.join()
lsock.close()
for ch, p in payloads.items():
    print(f"channel {ch}: sent {len(p)}, got {len(got[ch])}, reversed-chunks check:",
          hashlib.sha256(got[ch]).hexdigest()[:16], "credit left", credit[ch])
print("server frames in:", {k: v for k, v in sorted(stats.items()) if k.startswith("in ")})
print("server DATA frames out:", stats["out DATA"], "max credit held:", stats["max credit"] <= WIN)
