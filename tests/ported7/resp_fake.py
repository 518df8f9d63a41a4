# A tiny Redis stand-in for resp_client (RESP2 on socketserver.ThreadingTCPServer): PING, ECHO, SET (with EX
# accepted and ignored), GET, DEL, INCR, LPUSH, LRANGE, MGET, SUBSCRIBE/UNSUBSCRIBE/PUBLISH with pushed
# messages, QUIT, and SHUTDOWN ending the server; wrong types and unknown commands get "-ERR"/"-WRONGTYPE"
# errors. Only the CPython server runs (the client is what is ported); the first line names its port.
import socketserver
import sys
import threading

store = {}
lock = threading.Lock()
channels = {}  # channel -> set of handlers


def bulk(b):
    return b'$-1\r\n' if b is None else b'$%d\r\n%s\r\n' % (len(b), b)


def array(items):
    return b'*%d\r\n' % len(items) + b''.join(items)


class Handler(socketserver.StreamRequestHandler):
    def read_command(self):
        line = self.rfile.readline()
        if not line:
            return None
        n = int(line[1:])
        args = []
        for _ in range(n):
            size = int(self.rfile.readline()[1:])
            args.append(self.rfile.read(size + 2)[:-2])
        return args

    def send(self, data):
        with lock:
            self.wfile.write(data)

    def handle(self):
        self.subs = set()
        try:
            self.loop()
        finally:
            with lock:
                for ch in self.subs:
                    channels[ch].discard(self)

    def loop(self):
        while True:
            args = self.read_command()
            if args is None:
                return
            cmd = args[0].upper()
            with lock:
                reply = self.run(cmd, args[1:])
            if reply is not None:
                self.send(reply)
            if cmd == b'QUIT':
                return
            if cmd == b'SHUTDOWN':
                threading.Thread(target=self.server.shutdown).start()
                return

    def run(self, cmd, a):
        if cmd == b'PING':
            return b'+PONG\r\n' if not a else bulk(a[0])
        if cmd == b'ECHO':
            return bulk(a[0])
        if cmd == b'SET':
            store[a[0]] = a[1]
            return b'+OK\r\n'
        if cmd == b'GET':
            v = store.get(a[0])
            if isinstance(v, list):
                return b'-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'
            return bulk(v)
        if cmd == b'MGET':
            return array([bulk(store.get(k) if not isinstance(store.get(k), list) else None) for k in a])
        if cmd == b'DEL':
            n = sum(1 for k in a if store.pop(k, None) is not None)
            return b':%d\r\n' % n
        if cmd == b'INCR':
            try:
                v = int(store.get(a[0], b'0')) + 1
            except ValueError:
                return b'-ERR value is not an integer or out of range\r\n'
            store[a[0]] = str(v).encode()
            return b':%d\r\n' % v
        if cmd == b'LPUSH':
            lst = store.setdefault(a[0], [])
            if not isinstance(lst, list):
                return b'-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'
            for v in a[1:]:
                lst.insert(0, v)
            return b':%d\r\n' % len(lst)
        if cmd == b'LRANGE':
            lst = store.get(a[0], [])
            start, stop = int(a[1]), int(a[2])
            stop = len(lst) if stop == -1 else stop + 1
            return array([bulk(v) for v in lst[start:stop]])
        if cmd == b'SUBSCRIBE':
            out = b''
            for ch in a:
                channels.setdefault(ch, set()).add(self)
                self.subs.add(ch)
                out += array([bulk(b'subscribe'), bulk(ch), b':%d\r\n' % len(self.subs)])
            return out
        if cmd == b'UNSUBSCRIBE':
            out = b''
            for ch in a:
                channels.get(ch, set()).discard(self)
                self.subs.discard(ch)
                out += array([bulk(b'unsubscribe'), bulk(ch), b':%d\r\n' % len(self.subs)])
            return out
        if cmd == b'PUBLISH':
            subs = list(channels.get(a[0], ()))
            for h in subs:
                h.wfile.write(array([bulk(b'message'), bulk(a[0]), bulk(a[1])]))
            return b':%d\r\n' % len(subs)
        if cmd in (b'QUIT', b'SHUTDOWN'):
            return b'+OK\r\n'
        return b"-ERR unknown command '%s'\r\n" % cmd.lower()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(('127.0.0.1', int(sys.argv[1])), Handler)
print('fake redis on port', server.server_address[1], flush=True)
server.serve_forever()
server.server_close()
print('server stopped')
