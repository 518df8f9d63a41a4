# Socket timeouts as the Python Network Programming Cookbook (ch. 1, "setting and getting the default socket
# timeout") and the socket HOWTO use them, each printed: setdefaulttimeout() and new sockets, accept() timing
# out, recv() timing out and then reading what came later (nothing lost), sendall() to a peer that does not read
# timing out (some bytes sent, how many is the kernel's), a connect() to a listener whose backlog is full timing
# out (Linux drops the SYN; the listener never accepts), and a socket file's read after a timeout
# ("cannot read from timed out object", argv "file"), and the full backlog only with argv "backlog".
import socket
import sys
import time

print("default timeout", socket.getdefaulttimeout())
socket.setdefaulttimeout(2.5)
s = socket.socket()
print("new socket after setdefaulttimeout(2.5):", s.gettimeout())
s.close()
socket.setdefaulttimeout(None)

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
lsock.settimeout(0.3)
try:
    lsock.accept()
except socket.timeout as e:
    print("accept:", type(e).__name__, e)

c = socket.create_connection(("127.0.0.1", port), timeout=10)
conn, _ = lsock.accept()
conn.settimeout(0.3)
try:
    conn.recv(10)
except TimeoutError as e:
    print("recv:", e)
c.sendall(b"late data")
conn.settimeout(5)
print("then recv:", conn.recv(100))

# sendall() into a peer that never reads.
conn.settimeout(0.5)
big = b"x" * (64 * 1024 * 1024)
t0 = time.monotonic()
try:
    conn.sendall(big)
    print("sendall finished?!")
except socket.timeout as e:
    print("sendall:", e, "within 10 s:", time.monotonic() - t0 < 10)
# The sender has given up: what it sent is buffered already, so a short pause ends the read.
c.settimeout(0.5)
got = 0
try:
    while True:
        data = c.recv(1 << 20)
        if not data:
            break
        got += len(data)
except socket.timeout:
    pass
print("the peer could read some but not all:", 0 < got < len(big))

# A socket file after a timeout.
f = c.makefile("rb")
c.settimeout(0.3)
try:
    f.readline()
except TimeoutError as e:
    print("readline:", e)
conn.sendall(b"a line\n")
if "file" in sys.argv[1:]:
    try:
        print("readline again:", f.readline())
    except OSError as e:
        print("readline again:", type(e).__name__, e)
f.close()
c.close()
conn.close()
lsock.close()

# A listener that never accepts, its backlog full.
if "backlog" not in sys.argv[1:]:
    sys.exit(0)
full = socket.socket()
full.bind(("127.0.0.1", 0))
full.listen(0)
fport = full.getsockname()[1]
held = []
result = None
for i in range(8):
    s = socket.socket()
    s.settimeout(1.0)
    try:
        s.connect(("127.0.0.1", fport))
        held.append(s)
    except socket.timeout as e:
        result = "connect %d timed out: %s" % (i, e)
        s.close()
        break
print(result or "no connect timed out", "after", len(held), "queued")
for s in held:
    s.close()
full.close()
