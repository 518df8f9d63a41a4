# socket.sendfile() of a temp file, as a static file server does it: a 5 MB file to a slow reader under a
# timeout (it keeps up), a tail slice whose count runs past EOF, an offset past EOF, an empty file, count=0 (ValueError) and
# a negative offset (EINVAL), a UDP socket (ValueError), then a reader that stops reading: sendfile() times
# out, and the file position says exactly how much the reader will get (a 20 MB file there: more than the kernel's
# buffers on both ends can take, however far they grew).
import hashlib
import os
import socket
import tempfile
import threading
import time

SIZE = 5_000_000
data = bytes(range(256)) * (SIZE // 256) + b"END" * ((SIZE % 256) // 3) + b"!" * ((SIZE % 256) % 3)
assert len(data) == SIZE
fd, path = tempfile.mkstemp()
os.write(fd, data)
os.close(fd)
fd, empty = tempfile.mkstemp()
os.close(fd)
big = data * 4
fd, bigpath = tempfile.mkstemp()
os.write(fd, big)
os.close(fd)

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
got = {}


def reader(name, slow, stop_after=None):
    conn, _ = lsock.accept()
    conn.settimeout(20)
    h = hashlib.sha256()
    n = 0
    with conn:
        while True:
            if stop_after is not None and n >= stop_after:
                stop_after = None
                time.sleep(1.5)  # stop reading: the sender's buffers fill
            chunk = conn.recv(65536)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
            if slow and n % 8 == 0:
                time.sleep(0.001)
    got[name] = (n, h.hexdigest()[:16])


t = threading.Thread(target=reader, args=("slow", True))
t.start()
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
with open(path, "rb") as f:
    print("whole file:", s.sendfile(f), "position", f.tell())
    print("tail past EOF:", s.sendfile(f, SIZE - 1000, 5000), "position", f.tell())
    print("offset past EOF:", s.sendfile(f, SIZE + 10), "position", f.tell())
    for args in ((0, 0), (-1, None)):
        try:
            s.sendfile(f, *args)
        except (ValueError, OSError) as e:
            print(type(e).__name__ + ":", e)
with open(empty, "rb") as f:
    print("empty file:", s.sendfile(f), "position", f.tell())
s.close()
t.join()
print("reader got", got["slow"], "want", (SIZE + 1000, hashlib.sha256(data + data[-1000:]).hexdigest()[:16]))

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
with open(path, "rb") as f:
    try:
        u.sendfile(f)
    except ValueError as e:
        print("UDP ValueError:", e)
u.close()

t = threading.Thread(target=reader, args=("stalled", False, 200_000))
t.start()
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(0.5)
with open(bigpath, "rb") as f:
    f.seek(100)
    try:
        s.sendfile(f, 100)
        print("no timeout?")
    except TimeoutError as e:
        print("stalled reader:", type(e).__name__, e)
    pos = f.tell()
    print("position moved:", 100 < pos < len(big))
s.close()
t.join()
print("reader got what the position says:", got["stalled"][0] == pos - 100,
      got["stalled"][1] == hashlib.sha256(big[100:pos]).hexdigest()[:16])
lsock.close()
os.unlink(path)
os.unlink(empty)
os.unlink(bigpath)
