# An upload service on makefile("rwb") at both ends. The client writes a header block and a body with
# writelines(), flushes, and half-closes (shutdown(SHUT_WR)) so the server can read to EOF; then it reads the reply
# with readline() and read(). The server reads headers with readline(limit) (an over-long one truncated and
# reported), the body with read(n) and readinto() a bytearray, peeks at what follows, sees EOF as b"" from read()
# and readline(), answers, then closes gracefully: shutdown(SHUT_WR) and a bounded drain until EOF. Three uploads:
# an exact one, one whose body is shorter than its Content-Length, one with a trailing extra line.
import socket
import threading
import zlib

slog = []


def serve(lsock, n):
    for _ in range(n):
        conn, _ = lsock.accept()
        conn.settimeout(5)
        f = conn.makefile("rwb")
        headers = {}
        first = f.readline(64)
        notes = ["first=%r" % first]
        for _ in range(20):
            line = f.readline(32)
            if not line.endswith(b"\n"):
                notes.append("long header cut at %d" % len(line))
                line += f.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        head = f.read(min(length, 10))
        rest = bytearray(max(length - len(head), 0))
        got = f.readinto(rest)
        body = head + bytes(rest[:got])
        notes.append("body %d/%d crc=%08x" % (len(body), length, zlib.crc32(body)))
        extra = f.peek(1)[:1]
        notes.append("peek after body=%r" % extra)
        notes.append("then readline=%r read=%r" % (f.readline(), f.read()))
        f.write(b"HTTP/1.0 200 OK\r\n")
        f.write(b"X-Notes: %d\r\n\r\n" % len(notes))
        for note in notes:
            f.write(note.encode() + b"\n")
        f.flush()
        f.close()
        conn.shutdown(socket.SHUT_WR)
        drained = 0
        for _ in range(100):
            data = conn.recv(4096)
            if not data:
                break
            drained += len(data)
        conn.close()
        slog.append("server closed gracefully, drained %d" % drained)


def upload(addr, headers, body, trailer=b""):
    with socket.create_connection(addr, timeout=5) as c:
        f = c.makefile("rwb")
        f.writelines([b"PUT /up HTTP/1.0\r\n"] + [h.encode() + b"\r\n" for h in headers] + [b"\r\n", body, trailer])
        f.flush()
        c.shutdown(socket.SHUT_WR)
        status = f.readline()
        hdr = f.readline()
        blank = f.readline()
        rest = f.read()
        more = f.read(10)
        f.close()
    print(status, hdr, blank)
    for line in rest.splitlines():
        print("  ", line.decode())
    print("   after EOF:", more)


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=serve, args=(lsock, 3))
t.start()
addr = lsock.getsockname()
body = bytes(range(256)) * 40
upload(addr, ["Content-Length: %d" % len(body), "X-Note: " + "n" * 50], body)
upload(addr, ["Content-Length: 5000"], b"short body")
upload(addr, ["Content-Length: 4"], b"abcd", b"trailing line\nand more")
t.join()
lsock.close()
for line in slog:
    print(line)
