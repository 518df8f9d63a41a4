# A UDP heartbeat monitor (watchdog): workers send "beat <name> <n>" every 0.1 s; the monitor waits with
# settimeout() so it can check who has been silent for a second even when nothing arrives, reports a worker
# dead once and alive again when it returns, ignores malformed datagrams, and at the end drains what is left
# with a non-blocking socket until BlockingIOError. Workers are threads; events are printed as they happen
# (only the monitor prints), and timings have wide margins.
import socket
import threading
import time

INTERVAL = 0.1
DEAD_AFTER = 1.0

monitor = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
monitor.bind(('127.0.0.1', 0))
address = monitor.getsockname()
stop = threading.Event()


def worker(name, beats, pause_after=None, pause=0.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for n in range(beats):
        if stop.is_set():
            break
        if n == pause_after:
            time.sleep(pause)
        s.sendto(('beat %s %d' % (name, n)).encode(), address)
        time.sleep(INTERVAL)
    s.close()


junk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
junk.sendto(b'\xff\xfe not a heartbeat', address)
junk.close()
threads = [threading.Thread(target=worker, args=('alpha', 50)),
           threading.Thread(target=worker, args=('beta', 8)),  # stops early: declared dead
           threading.Thread(target=worker, args=('gamma', 30, 15, 1.6))]  # pauses: dead, then back
for t in threads:
    t.start()
monitor.settimeout(0.25)
last = {}
dead = set()
beats = {}
start = time.monotonic()
while time.monotonic() - start < 4.5:
    try:
        data, addr = monitor.recvfrom(512)
    except socket.timeout:
        print('nothing for 0.25 s')  # never while alpha beats
    else:
        words = data.split()
        if len(words) != 3 or words[0] != b'beat':
            print('ignoring a malformed datagram of', len(data), 'bytes')
            continue
        name = words[1].decode()
        beats[name] = beats.get(name, 0) + 1
        last[name] = time.monotonic()
        if name in dead:
            dead.discard(name)
            print(name, 'is alive again')
    now = time.monotonic()
    for name, seen in sorted(last.items()):
        if name not in dead and now - seen > DEAD_AFTER:
            dead.add(name)
            print(name, 'is dead')
stop.set()
for t in threads:
    t.join()
monitor.setblocking(False)
drained = 0
while True:
    try:
        monitor.recv(512)
        drained += 1
    except BlockingIOError as e:
        print('drained; then', type(e).__name__, e.errno == 11, e)
        break
print('gettimeout() after setblocking(False):', monitor.gettimeout())
monitor.settimeout(0.3)
try:
    monitor.recvfrom(512)
except socket.timeout as e:
    print('all quiet:', type(e).__name__, e)
print('workers seen:', sorted(beats))
print('dead at the end:', sorted(dead))
print('beta beats:', beats.get('beta'))
monitor.close()
