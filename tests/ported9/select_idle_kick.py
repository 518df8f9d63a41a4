# A select() line server that disconnects idle clients (the classic "kick idle users" loop of MUD and chat
# servers: each client's last-activity time, the select() timeout computed as the time until the next client
# goes idle, a goodbye line, then close). Clients: an active one that keeps talking past the idle limit, an
# idle one (settimeout on recv: it sees the goodbye and then EOF), one that half-closes (shutdown(SHUT_WR))
# and still reads its answer, and one that vanishes (close()). With argv[1] == "rst" the last one closes with
# the server's reply unread: Linux sends a reset, the server's recv() raises ConnectionResetError. The server stops once all four are gone.
import select
import socket
import threading
import sys
import time

IDLE = 1.0
rst = sys.argv[1:] == ["rst"]
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen(5)
port = lsock.getsockname()[1]
out = []  # what the clients saw, printed at the end in a fixed order
lock = threading.Lock()


def server():
    last = {}
    names = {}
    gone = 0
    selects = 0
    while gone < 4 and selects < 500:
        now = time.monotonic()
        timeout = min([last[s] + IDLE - now for s in last], default=5)
        r, _, _ = select.select([lsock] + list(last), [], [], max(timeout, 0))
        selects += 1
        now = time.monotonic()
        for s in r:
            if s is lsock:
                conn, _ = lsock.accept()
                last[conn] = now
                names[conn] = None
                continue
            try:
                data = s.recv(1024)
            except ConnectionResetError as e:
                print("server:", names[s], "reset:", e)
                data = b""
            if not data:
                print("server: EOF from", names[s])
                del last[s]
                s.close()
                gone += 1
                continue
            last[s] = now
            for line in data.decode().splitlines():
                if line.startswith("NAME "):
                    names[s] = line[5:]
                    print("server: hello", names[s])
                s.sendall(("ok " + line + "\n").encode())
        for s in [s for s in last if now - last[s] >= IDLE]:
            print("server: kicking", names[s])
            s.sendall(b"idle too long, bye\n")
            del last[s]
            s.close()
            gone += 1
    lsock.close()
    print("server: done, select() calls bounded:", selects < 500)


def active():
    with socket.create_connection(("127.0.0.1", port)) as s:
        f = s.makefile("r")
        s.sendall(b"NAME active\n")
        got = [f.readline()]
        for i in range(5):
            time.sleep(IDLE / 5)
            s.sendall(b"ping %d\n" % i)
            got.append(f.readline())
        s.sendall(b"quit\n")
        got.append(f.readline())
        f.close()
    with lock:
        out.append(("active", got))


def idle():
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(10)
        s.sendall(b"NAME idle\n")
        got = []
        while True:
            data = s.recv(1024)
            got.append(data)
            if not data:
                break
    with lock:
        out.append(("idle", b"".join(got[:-1]).decode().splitlines() + [got[-1]]))


def halfclose():
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"NAME half\nlast words\n")
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        got = b""
        while True:
            data = s.recv(1024)
            if not data:
                break
            got += data
    with lock:
        out.append(("half", got.decode().splitlines()))


def vanish():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"NAME vanish\n")
    if not rst:
        s.recv(1024)
    time.sleep(0.1)
    s.close()


st = threading.Thread(target=server)
st.start()
for fn in (active, idle, halfclose, vanish):
    t = threading.Thread(target=fn)
    t.start()
    t.join()
st.join()
for name, got in out:
    print(name, got)
