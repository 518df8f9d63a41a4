# A Redis-protocol (RESP) server on socketserver.ThreadingTCPServer and a pipelining client: commands are
# arrays of bulk strings read with rfile.readline() and rfile.read(n) (binary-safe: values hold \r\n and NUL),
# replies are simple strings, errors, integers, bulk strings, null bulk and arrays; the client sends a whole
# pipeline in one sendall() and parses the replies from makefile('rb'), then two clients use it at once.
import socket
import socketserver
import threading

db = {}


def bulk(v):
    return b'$-1\r\n' if v is None else b'$%d\r\n%s\r\n' % (len(v), v)


class RESPHandler(socketserver.StreamRequestHandler):
    def read_command(self):
        line = self.rfile.readline()
        if not line:
            return None
        if not line.startswith(b'*'):
            return [line.strip()]  # inline command
        args = []
        for _ in range(int(line[1:])):
            n = int(self.rfile.readline()[1:])
            args.append(self.rfile.read(n + 2)[:-2])
        return args

    def handle(self):
        while True:
            cmd = self.read_command()
            if cmd is None:
                break
            name = cmd[0].upper()
            if name == b'PING':
                out = b'+PONG\r\n' if len(cmd) == 1 else bulk(cmd[1])
            elif name == b'SET' and len(cmd) == 3:
                db[cmd[1]] = cmd[2]
                out = b'+OK\r\n'
            elif name == b'GET' and len(cmd) == 2:
                out = bulk(db.get(cmd[1]))
            elif name == b'INCR' and len(cmd) == 2:
                try:
                    db[cmd[1]] = b'%d' % (int(db.get(cmd[1], b'0')) + 1)
                    out = b':' + db[cmd[1]] + b'\r\n'
                except ValueError:
                    out = b'-ERR value is not an integer or out of range\r\n'
            elif name == b'MGET':
                out = b'*%d\r\n' % (len(cmd) - 1) + b''.join(bulk(db.get(k)) for k in cmd[1:])
            elif name == b'DEL':
                out = b':%d\r\n' % sum(db.pop(k, None) is not None for k in cmd[1:])
            elif name == b'QUIT':
                self.wfile.write(b'+OK\r\n')
                break
            else:
                out = b"-ERR unknown command '%s'\r\n" % cmd[0]
            self.wfile.write(out)


def encode(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    return out


def read_reply(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b'+':
        return rest.decode()
    if kind == b'-':
        return 'error: ' + rest.decode()
    if kind == b':':
        return int(rest)
    if kind == b'$':
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2]
    if kind == b'*':
        return [read_reply(f) for _ in range(int(rest))]
    return 'bad reply %r' % line


def client(port, commands, raw=b''):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(b''.join(encode(*c) for c in commands) + raw)
        f = s.makefile('rb')
        replies = [read_reply(f) for _ in range(len(commands) + raw.count(b'\n'))]
        f.close()
        return replies


server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), RESPHandler)
server.daemon_threads = True
port = server.server_address[1]
t = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
t.start()
value = b'line one\r\nline two\x00\xff' * 50
for r in client(port, [('PING',), ('SET', 'k', value), ('GET', 'k'), ('GET', 'nope'), ('INCR', 'n'), ('INCR', 'n'),
                       ('INCR', 'k'), ('MGET', 'n', 'nope', 'n'), ('PING', 'pong me'), ('FLY',), ('DEL', 'n', 'x')],
                 b'PING\r\n'):
    print(r if not isinstance(r, bytes) or len(r) < 60 else (len(r), r[:24], r == value))
results = {}
workers = [threading.Thread(target=lambda i=i: results.__setitem__(
    i, client(port, [('INCR', 'counter')] * 200 + [('GET', 'counter')]))) for i in range(2)]
for w in workers:
    w.start()
for w in workers:
    w.join(30)
print('counter:', max(r[-1] for r in results.values()), sorted(len(r) for r in results.values()))
print(client(port, [('QUIT',)]))
server.shutdown()
t.join(10)
server.server_close()
