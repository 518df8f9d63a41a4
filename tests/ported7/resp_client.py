# A Redis client in redis-py's manner (Connection.pack_command, a parser reading RESP2 replies from
# makefile('rb'): simple strings, errors raised as ResponseError, integers, bulk strings with binary values,
# nil, nested arrays), a pipeline of commands sent in one sendall() and read back in order, and pub/sub: a
# subscriber connection reading pushed messages while a second connection publishes. Runs against
# resp_fake.py. argv: the server's port.
import socket
import sys

port = int(sys.argv[1])


class ResponseError(Exception):
    pass


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.file = self.sock.makefile('rb')

    @staticmethod
    def pack_command(*args):
        out = [b'*%d\r\n' % len(args)]
        for arg in args:
            if isinstance(arg, int):
                arg = str(arg).encode()
            elif isinstance(arg, str):
                arg = arg.encode()
            out.append(b'$%d\r\n%s\r\n' % (len(arg), arg))
        return b''.join(out)

    def send_command(self, *args):
        self.sock.sendall(self.pack_command(*args))

    def read_response(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError('Connection closed by server.')
        kind, rest = line[:1], line[1:-2]
        if kind == b'+':
            return rest
        if kind == b'-':
            return ResponseError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            if n == -1:
                return None
            data = self.file.read(n + 2)
            return data[:-2]
        if kind == b'*':
            n = int(rest)
            return None if n == -1 else [self.read_response() for _ in range(n)]
        raise ConnectionError('Protocol error: {!r}'.format(line))

    def execute(self, *args):
        self.send_command(*args)
        reply = self.read_response()
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    def pipeline(self, commands):
        self.sock.sendall(b''.join(self.pack_command(*c) for c in commands))
        return [self.read_response() for _ in commands]

    def close(self):
        self.file.close()
        self.sock.close()


r = Connection(port)
print('PING', r.execute('PING'))
print('ECHO', r.execute('ECHO', 'hello'))
print('SET', r.execute('SET', 'greeting', 'hi there', 'EX', 60))
print('GET', r.execute('GET', 'greeting'))
print('GET missing', r.execute('GET', 'nothing'))
binary = bytes(range(256)) + b'\r\n$5\r\n'
print('SET binary', r.execute('SET', b'bin', binary))
print('GET binary ok', r.execute('GET', b'bin') == binary)
print('INCR', [r.execute('INCR', 'counter') for _ in range(3)])
print('LPUSH', r.execute('LPUSH', 'list', 'a', 'b', 'c'))
print('LRANGE', r.execute('LRANGE', 'list', 0, -1))
print('MGET', r.execute('MGET', 'greeting', 'nothing', 'list', 'counter'))
for bad in [('GET', 'list'), ('INCR', 'greeting'), ('FLY', 'away')]:
    try:
        r.execute(*bad)
    except ResponseError as e:
        print('error', bad[0], e)
big = b'x' * 300000
print('big value', r.execute('SET', 'big', big), len(r.execute('GET', 'big')))
replies = r.pipeline([('INCR', 'counter'), ('GET', 'counter'), ('GET', 'list'), ('DEL', 'counter', 'big', 'x'),
                      ('PING', 'p')])
print('pipeline', [str(x) if isinstance(x, ResponseError) else x for x in replies])

sub = Connection(port)
sub.send_command('SUBSCRIBE', 'news', 'sport')
print('subscribed', [sub.read_response() for _ in range(2)])
print('PUBLISH', r.execute('PUBLISH', 'news', 'first'), r.execute('PUBLISH', 'weather', 'nobody'))
print('message', sub.read_response())
print('PUBLISH', r.execute('PUBLISH', 'sport', b'2-1\r\n'))
print('message', sub.read_response())
sub.send_command('UNSUBSCRIBE', 'news')
print('unsubscribed', sub.read_response())
print('PUBLISH', r.execute('PUBLISH', 'news', 'second'))
sub.send_command('QUIT')
print('quit', sub.read_response())
print('then EOF', sub.file.read() == b'')
sub.close()
print('SHUTDOWN', r.execute('SHUTDOWN'))
r.close()
