# A chat server on selectors with callbacks in key.data (the selectors docs' pattern) where one client's command
# closes another client's socket: "/kick" arrives in the same select() result as the victim's own message (the
# server pauses so both are ready; epoll reports them in the order they became ready), the victim's callback
# then meets a closed socket (OSError, skipped), the server unregisters after close() (the usual wrong order,
# which selectors tolerates), get_key() of a closed socket, and select.select() of a closed socket (ValueError).
# The victim reads its notice, then EOF (CPython: a reset, as its last word was unread; pysocket seldom resets).
import select
import selectors
import socket
import threading
import time

sel = selectors.DefaultSelector()
lsock = socket.create_server(("127.0.0.1", 0))
lsock.setblocking(False)
port = lsock.getsockname()[1]
nicks = {}
log = []


def broadcast(line, skip=None):
    for s in list(nicks):
        if s is not skip:
            s.sendall(line)


def accept(sock, mask):
    conn, _ = sock.accept()
    conn.setblocking(True)
    conn.settimeout(5)
    sel.register(conn, selectors.EVENT_READ, read)


def read(conn, mask):
    try:
        data = conn.recv(1000)
    except OSError as e:
        log.append("callback on a closed socket: %s fileno %d" % (type(e).__name__, conn.fileno()))
        return
    if not data:
        nick = nicks.pop(conn, "?")
        sel.unregister(conn)
        conn.close()
        broadcast(b"* %s left\n" % nick.encode())
        return
    for line in data.decode().splitlines():
        if line.startswith("NICK "):
            nicks[conn] = line[5:]
            conn.sendall(b"welcome %s\n" % line[5:].encode())
        elif line.startswith("/pause "):
            time.sleep(float(line[7:]))
        elif line.startswith("/kick "):
            victim = [s for s, n in nicks.items() if n == line[6:]]
            for v in victim:
                v.sendall(b"kicked by %s\n" % nicks[conn].encode())
                del nicks[v]
                v.close()
                log.append("get_key of the closed victim: %s" % (sel.get_key(v).data is read))
                sel.unregister(v)
                try:
                    select.select([v], [], [], 0)
                except ValueError as e:
                    log.append("select.select of a closed socket: ValueError: %s" % e)
            broadcast(b"* %s kicked %s\n" % (nicks[conn].encode(), line[6:].encode()))
        else:
            broadcast(b"<%s> %s\n" % (nicks.get(conn, "?").encode(), line.encode()), skip=conn)


sel.register(lsock, selectors.EVENT_READ, accept)
stop = threading.Event()


def serve():
    rounds = []
    while not stop.is_set():
        events = sel.select(timeout=0.05)
        if len(events) > 1:
            rounds.append([nicks.get(k.fileobj, "listener") for k, _ in events])
        for key, mask in events:
            key.data(key.fileobj, mask)
    log.append("rounds with several ready: %s" % rounds)


server = threading.Thread(target=serve)
server.start()


def connect(nick):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    f = s.makefile("rb")
    s.sendall(b"NICK %s\n" % nick)
    print(f.readline())
    return s, f


victim, vf = connect(b"victim")
admin, af = connect(b"admin")
other, of = connect(b"other")
other.sendall(b"hi all\n")
print("victim reads:", vf.readline(), "admin reads:", af.readline())
other.sendall(b"/pause 0.4\n")
time.sleep(0.1)
admin.sendall(b"/kick victim\n")
time.sleep(0.1)
victim.sendall(b"a last word\n")
print("victim reads:", vf.readline())
try:
    end = vf.readline()
except ConnectionResetError:  # closed with its last word unread: Linux resets
    end = b""
print("then the end:", end)
print("admin reads:", af.readline(), "other reads:", of.readline())
victim.close()
vf.close()
other.sendall(b"still here?\n")
print("admin reads:", af.readline())
admin.close()
af.close()
print("other reads:", of.readline())
other.close()
of.close()
time.sleep(0.2)
stop.set()
server.join()
for line in log:
    print(line)
print("still registered:", len(sel.get_map()))
sel.close()
lsock.close()
