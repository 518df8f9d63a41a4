# Handing connections between owners by descriptor, as pre-forking and thread-pool servers do within one
# process: the acceptor detach()es each socket and passes the number through a queue; a worker rebuilds it with
# socket.socket(fileno=n) (family, type and timeout as the kernel and the new object say). Also dup(): two
# objects on one connection, closing one leaves the other working, and the peer sees EOF only when the last
# is closed (argv[1] == "dup"); socket.socket(fileno=) on a listener; a detached object's repr-free state (fileno() -1, closed).
import queue
import sys
import socket
import threading

lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
handoff = queue.Queue()
log = []


def acceptor(n):
    for _ in range(n):
        conn, _ = lsock.accept()
        conn.settimeout(7)
        fd = conn.detach()
        log.append(("acceptor: detached, fileno now", conn.fileno(), "closed", conn._closed))
        handoff.put(fd)
    handoff.put(None)


def worker():
    while True:
        fd = handoff.get()
        if fd is None:
            return
        s = socket.socket(fileno=fd)
        with s:
            # The new object's timeout is the default (None) though the descriptor is still non-blocking from
            # settimeout(7): a recv() now could raise BlockingIOError. Set it again, as such servers must.
            before = s.gettimeout()
            s.settimeout(5)
            data = s.recv(1024)
            log.append(("worker: family", s.family.name, "type", s.type.name, "timeout", before, "->",
                        s.gettimeout(), "got", data))
            s.sendall(data.upper())


a = threading.Thread(target=acceptor, args=(2,))
w = threading.Thread(target=worker)
a.start()
w.start()
for word in (b"first", b"second"):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(word)
        print("client got", c.recv(1024))
a.join()
w.join()
for line in log:
    print(*line)

# dup(): the connection lives while any copy is open (argv[1] == "dup").
if sys.argv[1:] == ["dup"]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        conn, _ = lsock.accept()
        copy = conn.dup()
        print("dup: different numbers", copy.fileno() != conn.fileno(), "same peer", copy.getpeername() == conn.getpeername())
        conn.close()
        copy.sendall(b"still here")
        print("after closing the original:", c.recv(100))
        c.settimeout(0.3)
        try:
            print("no EOF yet:", c.recv(100))
        except socket.timeout:
            print("no EOF yet: timed out")
        copy.close()
        c.settimeout(10)
        print("after closing the copy:", c.recv(100))

# A listener rebuilt from its number keeps accepting.
fd = lsock.detach()
l2 = socket.socket(fileno=fd)
print("rebuilt listener on the same port:", l2.getsockname()[1] == port)
with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
    conn, _ = l2.accept()
    with conn:
        c.sendall(b"via rebuilt listener")
        print("accepted:", conn.recv(100))
l2.close()
