# A fake memcached (text protocol) for the memcached client: ThreadingTCPServer + StreamRequestHandler, storage
# commands (set/add/replace/append/prepend/cas, noreply), get/gets, delete, incr/decr, touch, flush_all,
# version, stats, the protocol's errors, and `shutdown` ending the server. Exptime < 0 expires at once; nothing
# else expires. Only the CPython server runs (the client is what is ported); the first line names its port.
import socketserver
import sys
import threading

store = {}  # key -> [flags, value, cas]
lock = threading.Lock()
next_cas = [100]
stats = {'cmd_get': 0, 'cmd_set': 0, 'get_hits': 0, 'get_misses': 0}


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line + b'\r\n')

    def handle(self):
        while True:
            line = self.rfile.readline(2048)
            if not line:
                return
            if not line.endswith(b'\r\n'):
                self.reply(b'CLIENT_ERROR line is too long' if len(line) >= 2048 else b'ERROR')
                return
            words = line.split()
            if not words:
                self.reply(b'ERROR')
                continue
            cmd, args = words[0], words[1:]
            with lock:
                if not self.command(cmd, args):
                    return

    def command(self, cmd, args):
        if cmd in (b'set', b'add', b'replace', b'append', b'prepend', b'cas'):
            n = 5 if cmd == b'cas' else 4
            if len(args) not in (n, n + 1):
                self.reply(b'ERROR')
                return True
            try:
                key, flags, exptime, nbytes = args[0], int(args[1]), int(args[2]), int(args[3])
                unique = int(args[4]) if cmd == b'cas' else None
            except ValueError:
                if args[3].isdigit():  # as memcached, swallow the data block
                    self.rfile.read(int(args[3]) + 2)
                self.reply(b'CLIENT_ERROR bad command line format')
                return True
            noreply = len(args) == n + 1 and args[n] == b'noreply'
            data = self.rfile.read(nbytes + 2)
            if not data.endswith(b'\r\n') or len(data) != nbytes + 2:
                self.reply(b'CLIENT_ERROR bad data chunk')
                return False
            value = data[:-2]
            stats['cmd_set'] += 1
            if nbytes > 1024 * 1024:
                out = b'SERVER_ERROR object too large for cache'
            elif cmd == b'set' or (cmd == b'add' and key not in store) or (cmd == b'replace' and key in store):
                out = b'STORED'
            elif cmd in (b'append', b'prepend') and key in store:
                old = store[key]
                value = old[1] + value if cmd == b'append' else value + old[1]
                flags = old[0]
                out = b'STORED'
            elif cmd == b'cas':
                out = b'NOT_FOUND' if key not in store else b'STORED' if store[key][2] == unique else b'EXISTS'
            else:
                out = b'NOT_STORED'
            if out == b'STORED':
                if exptime < 0:
                    store.pop(key, None)
                else:
                    next_cas[0] += 1
                    store[key] = [flags, value, next_cas[0]]
            if not noreply:
                self.reply(out)
        elif cmd in (b'get', b'gets'):
            if not args:
                self.reply(b'ERROR')
                return True
            for key in args:
                stats['cmd_get'] += 1
                if key in store:
                    stats['get_hits'] += 1
                    flags, value, unique = store[key]
                    head = b'VALUE %s %d %d' % (key, flags, len(value))
                    if cmd == b'gets':
                        head += b' %d' % unique
                    self.wfile.write(head + b'\r\n' + value + b'\r\n')
                else:
                    stats['get_misses'] += 1
            self.reply(b'END')
        elif cmd == b'delete':
            if args and args[0] in store:
                del store[args[0]]
                out = b'DELETED'
            else:
                out = b'NOT_FOUND'
            if args[-1:] != [b'noreply']:
                self.reply(out)
        elif cmd in (b'incr', b'decr'):
            key = args[0]
            try:
                delta = int(args[1])
            except (ValueError, IndexError):
                self.reply(b'CLIENT_ERROR invalid numeric delta argument')
                return True
            if key not in store:
                self.reply(b'NOT_FOUND')
            elif not store[key][1].isdigit():
                self.reply(b'CLIENT_ERROR cannot increment or decrement non-numeric value')
            else:
                n = int(store[key][1])
                n = (n + delta) % 2 ** 64 if cmd == b'incr' else max(0, n - delta)
                next_cas[0] += 1
                store[key][1:] = [b'%d' % n, next_cas[0]]
                self.reply(b'%d' % n)
        elif cmd == b'touch':
            self.reply(b'TOUCHED' if args and args[0] in store else b'NOT_FOUND')
        elif cmd == b'flush_all':
            store.clear()
            self.reply(b'OK')
        elif cmd == b'version':
            self.reply(b'VERSION 1.6.21-fake')
        elif cmd == b'stats':
            for name, value in stats.items():
                self.reply(b'STAT %s %d' % (name.encode(), value))
            self.reply(b'STAT curr_items %d' % len(store))
            self.reply(b'END')
        elif cmd == b'quit':
            return False
        elif cmd == b'shutdown':
            self.reply(b'OK')
            threading.Thread(target=self.server.shutdown).start()
            return False
        else:
            self.reply(b'ERROR')
        return True


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server(('127.0.0.1', int(sys.argv[1])), Handler) as server:
    print('fake memcached on port', server.server_address[1])
    server.serve_forever()
print('items left:', sorted(store))
