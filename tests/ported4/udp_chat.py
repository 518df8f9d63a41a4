# A two-person UDP chat without broadcast or multicast (a course exercise): each peer binds its own port, reads
# "typed" lines from a queue (stdin in the original) and sends them to the other peer, and a select() loop
# with a timeout prints what arrives, answers /ping with /pong, and ends on /quit from either side.
import queue
import select
import socket
import threading

alice = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
alice.bind(('127.0.0.1', 0))
bob = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bob.bind(('127.0.0.1', 0))
log = []
lock = threading.Lock()


def peer(name, sock, other, typed):
    idle = 0
    while True:
        try:
            line = typed.get_nowait()
            if line == '/quit':
                with lock:
                    log.append('%s leaves' % name)
            sock.sendto(line.encode('utf-8'), other)
            if line == '/quit':
                return
        except queue.Empty:
            pass
        r, _, _ = select.select([sock], [], [], 0.05)
        if not r:
            idle += 1
            if idle > 200:
                with lock:
                    log.append('%s: idle too long' % name)
                return
            continue
        data, addr = sock.recvfrom(1500)
        text = data.decode('utf-8')
        with lock:
            log.append('%s got %r from %s' % (name, text, 'peer' if addr == other else addr))
        if text == '/ping':
            sock.sendto(b'/pong', addr)
        elif text == '/quit':
            with lock:
                log.append('%s: peer left' % name)
            return


a_typed, b_typed = queue.Queue(), queue.Queue()
ta = threading.Thread(target=peer, args=('alice', alice, bob.getsockname(), a_typed))
tb = threading.Thread(target=peer, args=('bob', bob, alice.getsockname(), b_typed))
ta.start()
tb.start()
script = [(a_typed, 'hi bob'), (b_typed, 'hi alice — ça va?'), (a_typed, '/ping'), (b_typed, 'x' * 1400),
          (a_typed, ''), (b_typed, '/ping'), (a_typed, '/quit')]
for q, line in script:
    q.put(line)
    threading.Event().wait(0.2)
ta.join(10)
tb.join(10)
for entry in log:
    print(entry if len(entry) < 80 else entry[:40] + '...' + entry[-20:])
alice.close()
bob.close()
