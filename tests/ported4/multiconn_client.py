# Real Python's multiconn-client.py: non-blocking connect_ex() (EINPROGRESS), registration for
# EVENT_READ | EVENT_WRITE with a SimpleNamespace, messages sent from a queue through an outgoing buffer,
# closing once every byte came back; plus a connection to a closed port, whose failure shows in SO_ERROR.
# The log is kept per connection and printed at the end (connections interleave differently each run).
import errno
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()
messages = [b'Message 1 from client.', b'Message 2 from client.']
logs = {}

closed = socket.socket()
closed.bind(('127.0.0.1', 0))
closed_port = closed.getsockname()[1]
closed.close()


def start_connections(host, port, num_conns):
    server_addr = (host, port)
    for i in range(0, num_conns):
        connid = i + 1
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex(server_addr)
        logs[connid] = ['connect_ex: %s' % errno.errorcode.get(err, err)]
        events = selectors.EVENT_READ | selectors.EVENT_WRITE
        data = types.SimpleNamespace(connid=connid, msg_total=sum(len(m) for m in messages) * connid,
                                     recv_total=0, messages=messages * connid, outb=b'', inb=b'', first=None)
        sel.register(sock, events, data=data)


def service_connection(key, mask):
    sock = key.fileobj
    data = key.data
    log = logs[data.connid]
    if data.first is None:
        data.first = mask
        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        log.append('first events: %s, SO_ERROR %s' % ('READ|WRITE' if mask == 3 else 'WRITE' if mask == 2 else 'READ',
                                                      errno.errorcode.get(err, err)))
        if err:
            log.append('closing after %s' % errno.errorcode[err])
            sel.unregister(sock)
            sock.close()
            return
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(1024)
        if recv_data:
            data.recv_total += len(recv_data)
            data.inb += recv_data
        if not recv_data or data.recv_total == data.msg_total:
            log.append('received %d bytes: %r' % (data.recv_total, data.inb[-30:]))
            sel.unregister(sock)
            sock.close()
            return
    if mask & selectors.EVENT_WRITE:
        if not data.outb and data.messages:
            data.outb = data.messages.pop(0)
        if data.outb:
            sent = sock.send(data.outb)
            data.outb = data.outb[sent:]


start_connections('127.0.0.1', int(sys.argv[1]), 3)
sock = socket.socket()
sock.setblocking(False)
err = sock.connect_ex(('127.0.0.1', closed_port))
logs[0] = ['connect_ex: %s' % errno.errorcode.get(err, err)]
sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
             data=types.SimpleNamespace(connid=0, msg_total=0, recv_total=0, messages=[], outb=b'', inb=b'', first=None))
try:
    for _ in range(200000):  # busy on EVENT_WRITE while echoes are on their way (bounded)
        events = sel.select(timeout=10)
        if not events:
            print('timed out')
            break
        for key, mask in events:
            service_connection(key, mask)
        if not sel.get_map():
            break
finally:
    sel.close()
for connid in sorted(logs):
    print(connid, logs[connid])
