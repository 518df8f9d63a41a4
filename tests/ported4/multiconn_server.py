# Real Python's multiconn-server.py (selectors, non-blocking accept, SimpleNamespace per connection, echo
# through an outgoing buffer), stopping after its clients are done; the log is kept per connection and
# printed at the end in a stable order, because connections interleave differently from run to run.
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen()
print('listening on', lsock.getsockname()[1])
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
done = []


def accept_wrapper(sock):
    conn, addr = sock.accept()
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, inb=b'', outb=b'', total=0)
    sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)


def service_connection(key, mask):
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(1024)
        if recv_data:
            data.outb += recv_data
            data.inb += recv_data
        else:
            sel.unregister(sock)
            sock.close()
            done.append(data.inb)
    if mask & selectors.EVENT_WRITE:
        if data.outb:
            sent = sock.send(data.outb)
            data.total += sent
            data.outb = data.outb[sent:]


try:
    while len(done) < 3:
        events = sel.select(timeout=10)
        if not events:
            print('idle, stopping')
            break
        for key, mask in events:
            if key.data is None:
                accept_wrapper(key.fileobj)
            else:
                service_connection(key, mask)
finally:
    sel.close()
    lsock.close()
for inb in sorted(done):
    print('echoed', inb)
