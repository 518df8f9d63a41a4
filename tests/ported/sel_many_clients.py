# The selectors docs' echo server, made to survive load: non-blocking sockets, per-connection outgoing
# buffers, send() that may take only part, EVENT_WRITE only while bytes wait. Twenty client threads connect
# at once, each sends 100 KB in pieces while reading the echo concurrently, then half-closes and reads to EOF.
import hashlib
import selectors
import socket
import threading

sel = selectors.DefaultSelector()
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(100)
listener.setblocking(False)
sel.register(listener, selectors.EVENT_READ, data=None)
served = {"accepted": 0, "closed": 0, "bytes": 0}
stop = threading.Event()


def serve():
    while not stop.is_set():
        for key, mask in sel.select(timeout=0.05):
            if key.data is None:
                conn, addr = key.fileobj.accept()
                conn.setblocking(False)
                served["accepted"] += 1
                sel.register(conn, selectors.EVENT_READ, data=[conn, bytearray(), False])
                continue
            conn, out, eof = key.data
            if mask & selectors.EVENT_READ and not eof:
                try:
                    data = conn.recv(65536)
                except BlockingIOError:
                    data = None
                if data:
                    out += data
                    served["bytes"] += len(data)
                elif data == b"":
                    key.data[2] = eof = True
            if mask & selectors.EVENT_WRITE and out:
                try:
                    n = conn.send(out)
                    del out[:n]
                except BlockingIOError:
                    pass
            if eof and not out:
                sel.unregister(conn)
                served["closed"] += 1
                conn.close()
                continue
            events = (0 if eof else selectors.EVENT_READ) | (selectors.EVENT_WRITE if out else 0)
            if events != key.events:
                sel.modify(conn, events, data=key.data)


results = {}


def client(n):
    payload = bytes((i * n + 1) % 256 for i in range(100_000))
    with socket.create_connection(listener.getsockname(), timeout=20) as s:
        got = bytearray()

        def reader():
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return
                got.extend(chunk)

        r = threading.Thread(target=reader)
        r.start()
        for i in range(0, len(payload), 7000):
            s.sendall(payload[i:i + 7000])
        s.shutdown(socket.SHUT_WR)
        r.join(20)
        results[n] = (len(got), hashlib.md5(got).hexdigest() == hashlib.md5(payload).hexdigest())


t = threading.Thread(target=serve)
t.start()
clients = [threading.Thread(target=client, args=(n,)) for n in range(20)]
for c in clients:
    c.start()
for c in clients:
    c.join(60)
stop.set()
t.join(5)
print("all echoed", all(results[n] == (100_000, True) for n in range(20)), len(results))
print("served", served)
listener.close()
sel.close()
