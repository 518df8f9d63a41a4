# A tiny syslog-style daemon on an AF_UNIX datagram socket (as /dev/log works): a selectors loop reads
# "<PRI>message" datagrams from clients that send with sendto() without binding (unnamed senders) and from one
# bound client that gets an acknowledgement back; facility and severity are decoded from PRI; a datagram larger
# than the receive size is cut; the daemon stops on a STOP datagram.
import os
import selectors
import socket
import sys
import tempfile
import threading

SEVERITY = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']
d = tempfile.mkdtemp()
log_path = os.path.join(d, 'log')
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(log_path)
sel = selectors.DefaultSelector()
sel.register(server, selectors.EVENT_READ)
lines = []


def daemon():
    while True:
        events = sel.select(timeout=5)
        if not events:
            lines.append('idle, stopping')
            return
        for key, _ in events:
            data, addr = key.fileobj.recvfrom(256)
            if data == b'STOP':
                return
            sender = 'unnamed' if not addr else os.path.basename(addr)
            if data.startswith(b'<') and b'>' in data[:5]:
                pri = int(data[1:data.index(b'>')])
                msg = data[data.index(b'>') + 1:]
                lines.append('%s.%s from %s: %r (%d bytes)' % (pri >> 3, SEVERITY[pri & 7], sender, msg[:40], len(data)))
            else:
                lines.append('malformed from %s: %r' % (sender, data[:20]))
            if addr:
                key.fileobj.sendto(b'ack %d' % len(lines), addr)


t = threading.Thread(target=daemon)
t.start()
for msg in [b'<13>user notice', b'<3>daemon error: disk full', b'no priority', b'<191>' + b'x' * 400]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
        c.sendto(msg, log_path)
named_path = os.path.join(d, 'client')
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
    c.bind(named_path)
    c.settimeout(5)
    c.sendto(b'<86>authpriv info', log_path)
    reply, frm = c.recvfrom(100)
    print('named client got', reply, 'from the log socket:', frm == log_path)
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
    c.connect(log_path)
    c.send(b'<0>kernel panic')
    c.send(b'STOP')
t.join(10)
for line in lines:
    print(line)
sel.close()
server.close()
print('socket file left:', os.path.exists(log_path))
os.remove(log_path)
os.remove(named_path)
os.rmdir(d)
