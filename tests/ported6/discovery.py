# Service discovery over loopback unicast UDP (no multicast, no broadcast): a registry on a selectors loop
# keeps services that REGISTER with a TTL and renew it by heartbeat, answers LOOKUP with every live instance
# (round robin), forgets an instance when its TTL passes, and answers bad requests with an ERROR. Services are
# TCP echo servers in threads; a client looks a name up with an unconnected UDP socket (timeout and retries)
# and talks to what it found over TCP. Instance ports are printed by instance name.
import selectors
import socket
import threading
import time

TTL = 2.0

registry = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
registry.bind(('127.0.0.1', 0))
REGISTRY = registry.getsockname()
log = []


def run_registry():
    services = {}  # name -> {(host, port): expiry}
    turn = {}
    sel = selectors.DefaultSelector()
    sel.register(registry, selectors.EVENT_READ)
    running = True
    while running:
        for key, mask in sel.select(timeout=0.1):
            data, addr = registry.recvfrom(1024)
            words = data.decode('utf-8', 'replace').split()
            reply = None
            if words[:1] == ['REGISTER'] and len(words) == 5 and words[3].isdigit():
                name, host, port, ttl = words[1], words[2], int(words[3]), float(words[4])
                fresh = (host, port) not in services.get(name, {})
                services.setdefault(name, {})[(host, port)] = time.monotonic() + ttl
                if fresh:
                    log.append('registered %s' % name)
                reply = 'OK'
            elif words[:1] == ['UNREGISTER'] and len(words) == 4:
                gone = services.get(words[1], {}).pop((words[2], int(words[3])), None)
                log.append('unregistered %s' % words[1])
                reply = 'OK' if gone else 'UNKNOWN'
            elif words[:1] == ['LOOKUP'] and len(words) == 2:
                live = sorted(services.get(words[1], {}))
                if live:
                    k = turn.get(words[1], 0) % len(live)
                    turn[words[1]] = k + 1
                    live = live[k:] + live[:k]
                    reply = 'FOUND ' + ' '.join('%s:%d' % a for a in live)
                else:
                    reply = 'NOTFOUND'
            elif words == ['SHUTDOWN']:
                reply = 'BYE'
                running = False
            else:
                reply = 'ERROR unknown request %r' % data[:20]
            registry.sendto(reply.encode(), addr)
        now = time.monotonic()
        for name, instances in services.items():
            for addr, expiry in sorted(instances.items()):
                if expiry < now:
                    del instances[addr]
                    log.append('expired an instance of %s' % name)
    sel.unregister(registry)
    sel.close()


def ask(request, retries=3, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        for attempt in range(retries):
            s.sendto(request.encode(), REGISTRY)
            try:
                data, addr = s.recvfrom(1024)
            except socket.timeout:
                continue
            if addr == REGISTRY:
                return data.decode()
        return None
    finally:
        s.close()


class EchoService:
    def __init__(self, name, tag):
        self.name, self.tag = name, tag
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.beating = True
        # the accept thread is a daemon: CPython's close() does not wake a thread blocked in accept()
        self.threads = [threading.Thread(target=self.serve, daemon=True), threading.Thread(target=self.heartbeat)]
        for t in self.threads:
            t.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(1024)
                conn.sendall(self.tag.encode() + b': ' + data)

    def heartbeat(self):
        beats = 0
        while self.beating:
            if ask('REGISTER %s 127.0.0.1 %d %s' % (self.name, self.port, TTL)) != 'OK':
                print('registration failed')
            beats += 1
            for _ in range(4):
                if not self.beating:
                    break
                time.sleep(0.05)

    def stop(self, unregister):
        self.beating = False
        self.threads[1].join()
        if unregister:
            print('unregister', self.tag, '->', ask('UNREGISTER %s 127.0.0.1 %d' % (self.name, self.port)))

    def close(self):
        self.sock.close()


names = {}
firsts = []


def lookup(name):
    reply = ask('LOOKUP ' + name)
    if reply is None or not reply.startswith('FOUND '):
        print('lookup', name, '->', reply)
        return []
    found = [(h, int(p)) for h, p in (a.rsplit(':', 1) for a in reply.split()[1:])]
    tags = [names.get(a[1], 'unknown') for a in found]
    print('lookup', name, '->', sorted(tags), 'first changed' if firsts and firsts[-1] != tags[0] else '')
    firsts.append(tags[0])
    return found


reg_thread = threading.Thread(target=run_registry)
reg_thread.start()
a = EchoService('echo', 'echo-a')
b = EchoService('echo', 'echo-b')
t = EchoService('time', 'time-1')
for svc in (a, b, t):
    names[svc.port] = svc.tag
for _ in range(100):  # until each has registered once
    if len(log) >= 3:
        break
    time.sleep(0.05)
print('registered:', sorted(log))
del log[:]
for _ in range(3):
    lookup('echo')
replies = []
for addr in lookup('echo'):
    with socket.create_connection(addr) as c:
        c.sendall(b'ping')
        replies.append(c.recv(1024))
print('  ', sorted(replies))
lookup('time')
lookup('nothing')
print('bad request ->', ask('HELLO there'))
print('bad register ->', ask('REGISTER echo 127.0.0.1 notaport 5'))
b.stop(unregister=False)  # no more heartbeats: expires after the TTL
time.sleep(TTL + 1.0)
lookup('echo')
t.stop(unregister=True)
lookup('time')
print('unregister again ->', ask('UNREGISTER time 127.0.0.1 %d' % t.port))
a.stop(unregister=True)
print('registry log:', log)
print('shutdown ->', ask('SHUTDOWN'))
reg_thread.join()
registry.close()
print('registry gone ->', ask('LOOKUP echo', retries=2, timeout=0.3))
for svc in (a, b, t):
    svc.close()
