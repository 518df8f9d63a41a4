# An HTTP/1.1 keep-alive file server answering Range requests with socket.sendfile(file, offset, count) from a temp
# file: 206 with Content-Range for "bytes=a-b", "bytes=a-" and the suffix "bytes=-n", 416 past the end, 200 for the
# whole file; the file's position after each sendfile() (offset + bytes sent) is printed. The client sends all five
# requests pipelined in one sendall() and reads each response with readline() and read(Content-Length). Also
# sendfile() on a non-blocking socket (ValueError) and with offset past the end (0 bytes).
import os
import re
import socket
import tempfile
import threading

data = bytes((i * 31 + 7) & 0xFF for i in range(100000))
fd, path = tempfile.mkstemp()
os.write(fd, data)
os.close(fd)
slog = []


def serve(lsock):
    conn, _ = lsock.accept()
    conn.settimeout(5)
    rf = conn.makefile("rb")
    with open(path, "rb") as f:
        for _ in range(10):
            req = rf.readline()
            if not req:
                break
            headers = {}
            while True:
                h = rf.readline().decode()
                if h in ("\r\n", ""):
                    break
                k, v = h.split(":", 1)
                headers[k.lower()] = v.strip()
            size = len(data)
            rng = headers.get("range")
            if rng is None:
                start, end, status = 0, size - 1, "200 OK"
            else:
                a, b = re.fullmatch(r"bytes=(\d*)-(\d*)", rng).groups()
                if a == "":
                    start, end = size - int(b), size - 1
                else:
                    start, end = int(a), min(int(b), size - 1) if b else size - 1
                status = "206 Partial Content"
                if start >= size:
                    conn.sendall(b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%d\r\n"
                                 b"Content-Length: 0\r\n\r\n" % size)
                    slog.append("416 for %s" % rng)
                    continue
            n = end - start + 1
            head = "HTTP/1.1 %s\r\nContent-Length: %d\r\n" % (status, n)
            if rng:
                head += "Content-Range: bytes %d-%d/%d\r\n" % (start, end, size)
            conn.sendall(head.encode() + b"\r\n")
            sent = conn.sendfile(f, start, n)
            slog.append("%s sent %d, file at %d" % (rng, sent, f.tell()))
        slog.append("offset past end sent %d" % conn.sendfile(f, size + 10, 5))
        conn.setblocking(False)
        try:
            conn.sendfile(f)
        except ValueError as e:
            slog.append("non-blocking sendfile: ValueError: %s" % e)
        conn.setblocking(True)
        conn.sendall(b"END\r\n")
    rf.close()
    conn.close()


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=serve, args=(lsock,))
t.start()
c = socket.create_connection(lsock.getsockname(), timeout=5)
ranges = [None, "bytes=0-9", "bytes=99990-", "bytes=-5", "bytes=100000-100010", "bytes=50000-50003"]
reqs = b""
for r in ranges:
    reqs += b"GET /f HTTP/1.1\r\nHost: x\r\n" + (b"Range: %s\r\n" % r.encode() if r else b"") + b"\r\n"
c.sendall(reqs)
c.shutdown(socket.SHUT_WR)
f = c.makefile("rb")
for r in ranges:
    status = f.readline().decode().strip()
    hdrs = {}
    while True:
        h = f.readline().decode()
        if h == "\r\n":
            break
        k, v = h.split(":", 1)
        hdrs[k] = v.strip()
    body = f.read(int(hdrs["Content-Length"]))
    print(r, "->", status, hdrs.get("Content-Range"), len(body), body[:6], body == data if r is None else "")
print("trailer:", f.read())
f.close()
c.close()
t.join()
lsock.close()
os.unlink(path)
for line in slog:
    print(line)
