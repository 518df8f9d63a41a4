# Port knocking: a daemon selects over three UDP "knock" ports, a guarded TCP listener and its accepted
# connections in one select() loop with a timeout. A source address that knocks the ports in order, each knock
# within KNOCK_WINDOW of the last, may connect for OPEN_FOR seconds (a banner, then an echo service); any
# other connection is told "denied" and closed. Clients knock from 127.0.0.2 and 127.0.0.3 (bind() before
# sendto() and before connect()): in order, out of order, too slowly, and after the window closed. Each knock
# is acknowledged with an empty datagram, and the client waits for it before the next knock: datagrams to
# different sockets that are ready at once would be read in select()'s list order, not in the order sent.
import select
import socket
import threading
import time

KNOCK_WINDOW = 1.0
OPEN_FOR = 2.0

knocks = []
for _ in range(3):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(('127.0.0.1', 0))
    knocks.append(u)
KNOCK_PORTS = [u.getsockname()[1] for u in knocks]
guarded = socket.socket()
guarded.bind(('127.0.0.1', 0))
guarded.listen(5)
GUARDED = guarded.getsockname()
log = []


def daemon():
    progress = {}  # ip -> (next knock index, time of the last knock)
    allowed = {}  # ip -> until
    conns = []
    running = True
    while running:
        readable, _, _ = select.select(knocks + [guarded] + conns, [], [], 0.1)
        now = time.monotonic()
        for s in readable:
            if s in knocks:
                data, (ip, port) = s.recvfrom(100)
                if data == b'STOP':
                    running = False
                    continue
                s.sendto(b'', (ip, port))
                i = knocks.index(s)
                step, last = progress.get(ip, (0, now))
                if step and now - last > KNOCK_WINDOW:
                    log.append('%s: too slow' % ip)
                    step = 0
                if i == step:
                    step += 1
                    if step == len(knocks):
                        log.append('%s: open' % ip)
                        allowed[ip] = now + OPEN_FOR
                        step = 0
                else:
                    log.append('%s: knock %d out of order' % (ip, i))
                    step = 1 if i == 0 else 0
                progress[ip] = (step, now)
            elif s is guarded:
                conn, (ip, port) = guarded.accept()
                if allowed.get(ip, 0) > now:
                    conn.sendall(b'welcome ' + ip.encode() + b'\n')
                    conns.append(conn)
                else:
                    log.append('%s: denied' % ip)
                    conn.sendall(b'denied\n')
                    conn.close()
            else:
                data = s.recv(1024)
                if data:
                    s.sendall(data.upper())
                else:
                    conns.remove(s)
                    s.close()
    for c in conns:
        c.close()


def knock(src, order, gap=0.0):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((src, 0))
    u.settimeout(5)
    for n, i in enumerate(order):
        if n and gap:
            time.sleep(gap)
        u.sendto(b'knock', ('127.0.0.1', KNOCK_PORTS[i]))
        u.recvfrom(10)  # the acknowledgement
    u.close()


def visit(src, say=None):
    c = socket.socket()
    c.bind((src, 0))
    c.connect(GUARDED)
    c.settimeout(5)
    f = c.makefile('rb')
    out = [f.readline()]
    if say and out[0].startswith(b'welcome'):
        c.sendall(say)
        out.append(c.recv(1024))
        c.shutdown(socket.SHUT_WR)
    out.append(f.read())
    f.close()
    c.close()
    return out


t = threading.Thread(target=daemon)
t.start()
print('no knock:', visit('127.0.0.2'))
knock('127.0.0.2', [0, 1, 2])
print('knocked in order:', visit('127.0.0.2', b'hello guarded service'))
print('another address:', visit('127.0.0.3'))
knock('127.0.0.3', [0, 2, 1])
print('out of order:', visit('127.0.0.3'))
knock('127.0.0.3', [0, 1, 2], gap=KNOCK_WINDOW + 0.5)
print('too slowly:', visit('127.0.0.3'))
knock('127.0.0.3', [1, 0, 1, 2])
print('a stray knock first:', visit('127.0.0.3', b'again'))
time.sleep(OPEN_FOR + 0.5)
print('after the window:', visit('127.0.0.2'))
stop = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stop.sendto(b'STOP', ('127.0.0.1', KNOCK_PORTS[0]))
stop.close()
t.join()
for s in knocks + [guarded]:
    s.close()
print('daemon log:')
for line in log:
    print('  ', line)
