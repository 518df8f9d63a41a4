# A memcached text-protocol client in the style of pymemcache's: one socket, a makefile('rwb') for the
# commands and replies (flush after each command), _readline/_readvalue, keys checked on the client side, a
# socket timeout, noreply pipelining, cas races between two clients, a binary and a 200 KB value, a value too
# large for the cache, and the errors a server sends back raised as exceptions.
import socket
import sys


class MemcacheError(Exception):
    pass


class MemcacheClientError(MemcacheError):
    pass


class MemcacheServerError(MemcacheError):
    pass


class MemcacheUnknownCommandError(MemcacheClientError):
    pass


class Client:
    def __init__(self, server, timeout=10):
        self.sock = socket.create_connection(server, timeout=timeout)
        self.file = self.sock.makefile('rwb')

    def _check_key(self, key):
        key = key.encode('ascii') if isinstance(key, str) else key
        if len(key) > 250:
            raise MemcacheClientError('Key is too long: %r...' % key[:10])
        if any(c <= 32 or c == 127 for c in key):
            raise MemcacheClientError('Key contains whitespace or control characters: %r' % key)
        return key

    def _readline(self):
        line = self.file.readline()
        if not line.endswith(b'\r\n'):
            raise MemcacheError('connection closed in the middle of a line: %r' % line)
        line = line[:-2]
        if line == b'ERROR':
            raise MemcacheUnknownCommandError(line)
        if line.startswith(b'CLIENT_ERROR'):
            raise MemcacheClientError(line[13:].decode())
        if line.startswith(b'SERVER_ERROR'):
            raise MemcacheServerError(line[13:].decode())
        return line

    def _send(self, data):
        self.file.write(data)
        self.file.flush()

    def _store(self, cmd, key, value, flags=0, expire=0, noreply=False, cas=None):
        key = self._check_key(key)
        if isinstance(value, str):
            value = value.encode()
        extra = b' %d' % cas if cas is not None else b''
        extra += b' noreply' if noreply else b''
        self._send(b'%s %s %d %d %d%s\r\n%s\r\n' % (cmd, key, flags, expire, len(value), extra, value))
        if noreply:
            return True
        return self._readline()

    def set(self, key, value, **kw):
        return self._store(b'set', key, value, **kw)

    def add(self, key, value, **kw):
        return self._store(b'add', key, value, **kw)

    def replace(self, key, value, **kw):
        return self._store(b'replace', key, value, **kw)

    def append(self, key, value, **kw):
        return self._store(b'append', key, value, **kw)

    def prepend(self, key, value, **kw):
        return self._store(b'prepend', key, value, **kw)

    def cas(self, key, value, cas, **kw):
        return self._store(b'cas', key, value, cas=cas, **kw)

    def _fetch(self, cmd, keys):
        keys = [self._check_key(k) for k in keys]
        self._send(cmd + b' ' + b' '.join(keys) + b'\r\n')
        out = {}
        while True:
            line = self._readline()
            if line == b'END':
                return out
            parts = line.split()
            key, flags, size = parts[1], int(parts[2]), int(parts[3])
            value = self.file.read(size + 2)[:-2]
            out[key.decode()] = (value, flags, int(parts[4])) if cmd == b'gets' else (value, flags)

    def get(self, key):
        return self._fetch(b'get', [key]).get(key if isinstance(key, str) else key.decode())

    def get_many(self, keys):
        return self._fetch(b'get', keys)

    def gets(self, key):
        return self._fetch(b'gets', [key]).get(key)

    def delete(self, key, noreply=False):
        self._send(b'delete %s%s\r\n' % (self._check_key(key), b' noreply' if noreply else b''))
        return True if noreply else self._readline()

    def incr(self, key, delta):
        self._send(b'incr %s %d\r\n' % (self._check_key(key), delta))
        line = self._readline()
        return None if line == b'NOT_FOUND' else int(line)

    def decr(self, key, delta):
        self._send(b'decr %s %d\r\n' % (self._check_key(key), delta))
        line = self._readline()
        return None if line == b'NOT_FOUND' else int(line)

    def touch(self, key, expire=0):
        self._send(b'touch %s %d\r\n' % (self._check_key(key), expire))
        return self._readline()

    def stats(self):
        self._send(b'stats\r\n')
        out = {}
        while True:
            line = self._readline()
            if line == b'END':
                return out
            _, name, value = line.split()
            out[name.decode()] = int(value)

    def version(self):
        self._send(b'version\r\n')
        return self._readline().split()[1]

    def flush_all(self):
        self._send(b'flush_all\r\n')
        return self._readline()

    def raw(self, data):
        self._send(data)
        return self._readline()

    def close(self):
        self._send(b'quit\r\n')
        rest = self.file.read()
        self.file.close()
        self.sock.close()
        return rest


def show(label, call, *args, **kw):
    try:
        print(label, '->', call(*args, **kw))
    except MemcacheError as e:
        print(label, '->', type(e).__name__, e)


server = ('127.0.0.1', int(sys.argv[1]))
mc = Client(server)
print('version', mc.version())
show('set greeting', mc.set, 'greeting', 'hello world', flags=5)
show('get greeting', mc.get, 'greeting')
show('get missing', mc.get, 'missing')
show('add greeting', mc.add, 'greeting', 'again')
show('add fresh', mc.add, 'fresh', b'new')
show('replace nothing', mc.replace, 'nothing', 'x')
show('replace fresh', mc.replace, 'fresh', 'newer')
show('append', mc.append, 'greeting', '!!')
show('prepend', mc.prepend, 'greeting', '>> ')
show('get_many', mc.get_many, ['greeting', 'fresh', 'missing'])
binary = bytes(range(256)) + b'\r\nEND\r\n'
show('set binary', mc.set, 'bin', binary)
show('binary back', lambda: mc.get('bin')[0] == binary)
big = b''.join(b'%06d,' % i for i in range(30000))
show('set 210 KB', mc.set, 'big', big)
show('big back', lambda: (len(mc.get('big')[0]), mc.get('big')[0] == big))
show('too large', mc.set, 'huge', b'x' * (1024 * 1024 + 1))
show('expired at once', mc.set, 'gone', 'x', expire=-1)
show('get gone', mc.get, 'gone')
show('counter', mc.set, 'n', '10')
show('incr 5', mc.incr, 'n', 5)
show('decr 100', mc.decr, 'n', 100)
show('incr wraps', mc.incr, 'n', 2 ** 64 - 1)
show('incr missing', mc.incr, 'nope', 1)
show('incr text', mc.incr, 'greeting', 1)
value, flags, unique = mc.gets('fresh')
other = Client(server)
show('cas by the other client', other.cas, 'fresh', 'theirs', unique)
show('cas with a stale id', mc.cas, 'fresh', 'mine', unique)
show('gets again', lambda: mc.gets('fresh')[:2])
show('cas missing', mc.cas, 'absent', 'x', 1)
for i in range(50):
    mc.set('k%02d' % i, 'v%d' % i, noreply=True)
mc.delete('k07', noreply=True)
show('after 50 noreply sets', lambda: sorted(mc.get_many(['k00', 'k07', 'k49']).items()))
show('delete', mc.delete, 'k00')
show('delete again', mc.delete, 'k00')
show('touch', mc.touch, 'k01', 100)
show('touch missing', mc.touch, 'k00')
show('long key', mc.set, 'k' * 251, 'x')
show('key with a space', mc.get, 'two words')
show('unknown command', mc.raw, b'frobnicate\r\n')
show('bad format', mc.raw, b'set k abc 0 1\r\nx\r\n')
show('stats', lambda: sorted(mc.stats().items()))
show('flush_all', mc.flush_all)
show('greeting after flush', mc.get, 'greeting')
print('other quits:', other.close())
show('bad chunk', mc.raw, b'set k 0 0 3\r\nabcdef\r\n')
print('after bad chunk:', mc.file.read())
mc.file.close()
mc.sock.close()
last = Client(server)
show('shutdown', last.raw, b'shutdown\r\n')
print('after shutdown:', last.file.read())
last.file.close()
last.sock.close()
