# One thread, one selector, every socket non-blocking: a client connects with connect_ex() (EINPROGRESS, then
# EVENT_WRITE and SO_ERROR), fills its send buffer until BlockingIOError, then pumps 6 MiB through an echo server
# that transforms each byte (x ^ 0x5A) and queues its replies, sending only what send() takes (partial sends kept
# in per-connection buffers, EVENT_WRITE only while something waits). The client half-closes once all is sent;
# the server finishes its queue and closes; the client checks every byte. A second connect_ex() goes to a
# closed port and its refusal is read from SO_ERROR.
import errno
import hashlib
import selectors
import socket

TOTAL = 6 * 1024 * 1024
payload = bytes((i * 7 + (i >> 10)) & 0xFF for i in range(65536)) * (TOTAL // 65536)
expect = hashlib.sha256(bytes(b ^ 0x5A for b in payload[:65536]) * (TOTAL // 65536)).hexdigest()

sel = selectors.DefaultSelector()
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen()
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, "listener")

# a closed port: bound, never listening, closed
tmp = socket.socket()
tmp.bind(("127.0.0.1", 0))
closed_port = tmp.getsockname()[1]
tmp.close()

refused = socket.socket()
refused.setblocking(False)
rc = refused.connect_ex(("127.0.0.1", closed_port))
print("closed port connect_ex in progress or refused:", rc in (errno.EINPROGRESS, errno.ECONNREFUSED))
sel.register(refused, selectors.EVENT_WRITE, "refused")

client = socket.socket()
client.setblocking(False)
rc = client.connect_ex(lsock.getsockname())
print("connect_ex:", errno.errorcode.get(rc, rc) if rc else 0)
sel.register(client, selectors.EVENT_WRITE, "connecting")

conns = {}  # server side: sock -> {"buf": queued replies, "eof": read EOF}
XOR = bytes(b ^ 0x5A for b in range(256))
c_out = memoryview(payload)
c_in = hashlib.sha256()
c_got = 0
state = {"half_closed": False, "done": False}
events_seen = set()

for _ in range(200000):
    if state["done"] and not conns:
        break
    for key, mask in sel.select(timeout=5):
        tag = key.data
        sock = key.fileobj
        if tag == "listener":
            conn, _ = lsock.accept()
            conn.setblocking(False)
            conns[conn] = {"buf": bytearray(), "eof": False}
            sel.register(conn, selectors.EVENT_READ, "server")
            events_seen.add("accept")
        elif tag == "refused":
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            print("closed port SO_ERROR:", errno.errorcode.get(err, err) if err else 0)
            sel.unregister(sock)
            sock.close()
        elif tag == "connecting":
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            print("connected, SO_ERROR:", err)
            n = 0
            try:
                for _ in range(10000):
                    n += sock.send(c_out[n:n + 65536])
            except BlockingIOError as e:
                print("send buffer full:", type(e).__name__, errno.errorcode[e.errno])
            c_out = c_out[n:]
            sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, "client")
        elif tag == "client":
            if mask & selectors.EVENT_WRITE:
                if len(c_out):
                    n = sock.send(c_out[:262144])
                    c_out = c_out[n:]
                if not len(c_out) and not state["half_closed"]:
                    sock.shutdown(socket.SHUT_WR)
                    state["half_closed"] = True
                    sel.modify(sock, selectors.EVENT_READ, "client")
            if mask & selectors.EVENT_READ:
                data = sock.recv(65536)
                if data:
                    c_in.update(data)
                    c_got += len(data)
                else:
                    print("client read EOF after", c_got, "bytes")
                    sel.unregister(sock)
                    sock.close()
                    state["done"] = True
        elif tag == "server":
            st = conns[sock]
            if mask & selectors.EVENT_READ:
                data = sock.recv(100000)
                if data:
                    st["buf"] += data.translate(XOR)
                else:
                    st["eof"] = True
                    events_seen.add("server EOF")
            if mask & selectors.EVENT_WRITE and st["buf"]:
                n = sock.send(st["buf"])
                del st["buf"][:n]
            if st["eof"] and not st["buf"]:
                sel.unregister(sock)
                sock.close()
                del conns[sock]
                continue
            want = 0 if st["eof"] or len(st["buf"]) > 1 << 20 else selectors.EVENT_READ
            if st["buf"]:
                want |= selectors.EVENT_WRITE
            if want != key.events:
                sel.modify(sock, want, "server")

print("echo intact:", c_in.hexdigest() == expect, c_got == TOTAL)
print("seen:", sorted(events_seen))
sel.unregister(lsock)
lsock.close()
sel.close()
