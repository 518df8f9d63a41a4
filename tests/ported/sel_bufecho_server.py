# selectors echo server with per-connection outgoing buffers: EVENT_READ while the buffer is empty,
# modify() to EVENT_READ | EVENT_WRITE while it holds bytes; serves two clients, then stops.
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen()
print('listening on', lsock.getsockname())
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
served = 0
write_events = 0


def accept_wrapper(sock):
    conn, addr = sock.accept()
    print('accepted connection from', addr)
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, inb=0, outb=b'', eof=False)
    sel.register(conn, selectors.EVENT_READ, data=data)


def close(sock, data):
    global served
    print('closing connection to', data.addr, 'echoed', data.inb)
    sel.unregister(sock)
    sock.close()
    served += 1


def service_connection(key, mask):
    global write_events
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(65536)
        if recv_data:
            data.inb += len(recv_data)
            was_empty = not data.outb
            data.outb += recv_data
            if was_empty:
                sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)
        else:
            data.eof = True
            if not data.outb:
                close(sock, data)
                return
            sel.modify(sock, selectors.EVENT_WRITE, data=data)
    if mask & selectors.EVENT_WRITE:
        write_events += 1
        if data.outb:
            try:
                sent = sock.send(data.outb)
            except BlockingIOError:
                sent = 0
            data.outb = data.outb[sent:]
        if not data.outb:
            if data.eof:
                close(sock, data)
            else:
                sel.modify(sock, selectors.EVENT_READ, data=data)


for _ in range(100000):
    if served == 2:
        break
    events = sel.select(timeout=10)
    if not events:
        print('idle for 10 s: giving up')
        break
    for key, mask in events:
        if key.data is None:
            accept_wrapper(key.fileobj)
        else:
            service_connection(key, mask)
print('served', served, 'clients; write events seen:', write_events > 0)
print('map after:', [k.fileobj is lsock for k in sel.get_map().values()])
sel.unregister(lsock)
lsock.close()
sel.close()
