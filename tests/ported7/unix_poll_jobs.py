# A job dispatcher over Unix domain sockets on select.poll(), the way local daemons hand out work: workers
# connect to a stream socket and ask for jobs with length-prefixed JSON frames (struct '!I'); the dispatcher
# answers from its queue, collects results, tells idle workers to stop when the queue is empty; a datagram
# socket beside it takes status queries ("stats") from a client bound to its own path and answers there.
# Workers are threads; events print per worker in a stable order at the end.
import json
import os
import select
import socket
import struct
import tempfile
import threading

d = tempfile.mkdtemp()
STREAM = os.path.join(d, 'jobs.sock')
DGRAM = os.path.join(d, 'status.sock')
jobs = [{'id': i, 'op': op, 'args': args} for i, (op, args) in enumerate(
    [('add', [1, 2]), ('mul', [3, 4]), ('add', [10, 20, 30]), ('div', [1, 0]), ('mul', [2, 2, 2]),
     ('upper', ['hello']), ('add', []), ('nope', [1])])]
results = {}
worker_lines = {}


def send_frame(sock, obj):
    data = json.dumps(obj, sort_keys=True).encode()
    sock.sendall(struct.pack('!I', len(data)) + data)


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            raise EOFError('peer closed after {} of {} bytes'.format(len(data), n))
        data += more
    return data


def recv_frame(sock):
    (n,) = struct.unpack('!I', recv_exact(sock, 4))
    return json.loads(recv_exact(sock, n))


def dispatcher(listener, status, nworkers):
    poller = select.poll()
    poller.register(listener, select.POLLIN)
    poller.register(status, select.POLLIN)
    conns = {}
    buffers = {}
    queue = list(jobs)
    finished = 0
    while finished < nworkers:
        for fd, event in poller.poll(5000):
            if fd == listener.fileno():
                conn, _ = listener.accept()
                conns[conn.fileno()] = conn
                buffers[conn.fileno()] = b''
                poller.register(conn, select.POLLIN)
            elif fd == status.fileno():
                data, addr = status.recvfrom(1024)
                if data == b'stats':
                    reply = {'queued': len(queue), 'done': len(results), 'workers': len(conns)}
                else:
                    reply = {'error': 'unknown query {!r}'.format(data.decode())}
                status.sendto(json.dumps(reply, sort_keys=True).encode(), addr)
            elif event & (select.POLLIN | select.POLLHUP):
                conn = conns[fd]
                data = conn.recv(4096)
                if not data:
                    poller.unregister(fd)
                    del conns[fd]
                    conn.close()
                    finished += 1
                    continue
                buffers[fd] += data
                while len(buffers[fd]) >= 4:
                    (n,) = struct.unpack('!I', buffers[fd][:4])
                    if len(buffers[fd]) < 4 + n:
                        break
                    msg = json.loads(buffers[fd][4:4 + n])
                    buffers[fd] = buffers[fd][4 + n:]
                    if 'result' in msg or 'error' in msg:
                        results[msg['id']] = msg
                    if queue:
                        send_frame(conn, {'job': queue.pop(0)})
                    else:
                        send_frame(conn, {'stop': True})
    listener.close()
    status.close()


def worker(name, gate):
    lines = worker_lines.setdefault(name, [])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(STREAM)
    send_frame(s, {'hello': name})
    while True:
        msg = recv_frame(s)
        if 'stop' in msg:
            lines.append('stop')
            break
        job = msg['job']
        gate.wait(10)
        try:
            args = job['args']
            if job['op'] == 'add':
                value = sum(args)
            elif job['op'] == 'mul':
                value = 1
                for a in args:
                    value *= a
            elif job['op'] == 'div':
                value = args[0] / args[1]
            elif job['op'] == 'upper':
                value = args[0].upper()
            else:
                raise ValueError('unknown op {}'.format(job['op']))
            reply = {'id': job['id'], 'result': value}
        except (ZeroDivisionError, ValueError) as e:
            reply = {'id': job['id'], 'error': type(e).__name__ + ': ' + str(e)}
        lines.append('job {}'.format(job['id']))
        send_frame(s, reply)
    s.close()


def query(text):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.bind(os.path.join(d, 'client.sock'))
    c.settimeout(10)
    c.sendto(text, DGRAM)
    data, addr = c.recvfrom(1024)
    print('status', text, '->', json.loads(data), 'from', addr == DGRAM)
    c.close()
    os.unlink(os.path.join(d, 'client.sock'))


listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(STREAM)
listener.listen()
status = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
status.bind(DGRAM)
t = threading.Thread(target=dispatcher, args=(listener, status, 3))
t.start()
query(b'stats')
gate = threading.Event()
workers = [threading.Thread(target=worker, args=('w{}'.format(i), gate)) for i in range(3)]
for w in workers:
    w.start()
query(b'what')
gate.set()
for w in workers:
    w.join(30)
t.join(30)
for i in sorted(results):
    print(i, results[i])
print('jobs per worker:', sorted(len([x for x in v if x.startswith('job')]) for v in worker_lines.values()) != [],
      'total', sum(len([x for x in v if x.startswith('job')]) for v in worker_lines.values()))
print('every worker stopped:', all(v[-1] == 'stop' for v in worker_lines.values()))
