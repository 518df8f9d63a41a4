# A non-blocking listener drained in a loop after select() says it is readable, as event-loop servers accept:
# ten clients connect first (the kernel queues them), the server accepts until BlockingIOError, in connect order;
# accepted sockets are blocking whatever the listener's mode; a timed accept() on an empty queue raises
# TimeoutError; clients that sent and closed while still queued are accepted, in order, each giving its bytes,
# then b''.
import select
import socket

lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(16)
lsock.setblocking(False)
addr = lsock.getsockname()

clients = []
for i in range(10):
    c = socket.create_connection(addr, timeout=5)
    c.sendall(b"client %d\n" % i)
    clients.append(c)

r, _, _ = select.select([lsock], [], [], 5)
print("listener readable:", r == [lsock])
accepted = []
while True:
    try:
        conn, peer = lsock.accept()
    except BlockingIOError as e:
        print("drained:", type(e).__name__, e.errno)
        break
    accepted.append((conn, peer))
print("accepted", len(accepted))
print("accepted from a non-blocking listener: blocking", accepted[1][0].getblocking(),
      "timeout", accepted[1][0].gettimeout())
order = []
for conn, peer in accepted:
    conn.settimeout(5)
    line = conn.recv(100)
    order.append(int(line.split()[1]))
print("in connect order:", order == sorted(order), order)
print("peers match clients:", [p for _, p in accepted] == [c.getsockname() for c in clients])
r, _, _ = select.select([lsock], [], [], 0)
print("readable after draining:", r)
for conn, _ in accepted:
    conn.close()
for c in clients:
    c.close()

lsock.settimeout(0.2)
try:
    lsock.accept()
except TimeoutError as e:
    print("timed accept on an empty queue:", type(e).__name__, e)

# queued, then closed
for word in ("first", "second"):
    c = socket.create_connection(addr, timeout=5)
    c.sendall(b"goodbye from the %s" % word.encode())
    c.close()
lsock.settimeout(5)
for label in ("closed while queued", "and the next"):
    conn, _ = lsock.accept()
    conn.settimeout(5)
    got = []
    try:
        for _ in range(5):
            data = conn.recv(100)
            got.append(data)
            if not data:
                break
        print(label + ":", got)
    except OSError as e:
        print(label + ":", got, type(e).__name__, e)
    conn.close()
lsock.close()
