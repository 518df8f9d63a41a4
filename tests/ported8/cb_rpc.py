# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.8: implementing remote procedure calls. The
# recipe's RPCHandler (register_function, handle_connection in a thread per client) and RPCProxy (__getattr__
# makes do_rpc), with the JSON encoding the recipe's discussion gives in place of pickle (the result, or
# str(e) of the error, as JSON). The recipe runs on multiprocessing.connection; here a small Connection with
# its wire format (send()/recv() of one message: a 4-byte big-endian length, then the bytes; recv() raises
# EOFError at the end) over a plain socket, once over AF_UNIX and once over TCP. The book's session: add(2, 3),
# sub(2, 3), sub([1, 2], 4) (the server's TypeError text), plus keyword arguments, an unknown function and a
# large list.
import json
import os
import socket
import struct
import tempfile
import threading


class Connection:
    def __init__(self, sock):
        self._sock = sock

    def _recvall(self, n):
        data = b''
        while len(data) < n:
            more = self._sock.recv(n - len(data))
            if not more:
                raise EOFError
            data += more
        return data

    def send(self, text):
        data = text.encode('utf-8')
        self._sock.sendall(struct.pack('!i', len(data)) + data)

    def recv(self):
        size, = struct.unpack('!i', self._recvall(4))
        return self._recvall(size).decode('utf-8')

    def close(self):
        self._sock.close()


class RPCHandler:
    def __init__(self):
        self._functions = {}

    def register_function(self, func):
        self._functions[func.__name__] = func

    def handle_connection(self, connection):
        try:
            while True:
                # Receive a message
                func_name, args, kwargs = json.loads(connection.recv())
                # Run the RPC and send a response
                try:
                    r = self._functions[func_name](*args, **kwargs)
                    connection.send(json.dumps(r))
                except Exception as e:
                    connection.send(json.dumps(str(e)))
        except EOFError:
            pass
        connection.close()
        print('server: connection closed')


class RPCProxy:
    def __init__(self, connection):
        self._connection = connection

    def __getattr__(self, name):
        def do_rpc(*args, **kwargs):
            self._connection.send(json.dumps((name, args, kwargs)))
            result = json.loads(self._connection.recv())
            return result
        return do_rpc


# Some remote functions
def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def greet(name, greeting='Hello'):
    return '%s, %s!' % (greeting, name)


handler = RPCHandler()
handler.register_function(add)
handler.register_function(sub)
handler.register_function(greet)


def rpc_server(handler, sock, count):
    for _ in range(count):
        client, _ = sock.accept()
        t = threading.Thread(target=handler.handle_connection, args=(Connection(client),))
        t.daemon = True
        t.start()
        threads.append(t)


threads = []
path = os.path.join(tempfile.mkdtemp(), 'rpc.sock')
for family, address in [(socket.AF_UNIX, path), (socket.AF_INET, ('127.0.0.1', 0))]:
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(5)
    server = threading.Thread(target=rpc_server, args=(handler, listener, 1))
    server.start()
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect(listener.getsockname())
    proxy = RPCProxy(Connection(c))
    print(proxy.add(2, 3))
    print(proxy.sub(2, 3))
    print(proxy.sub([1, 2], 4))
    print(proxy.add([1, 2], [3]))
    print(proxy.add('spam', 'eggs'))
    print(proxy.greet('world'))
    print(proxy.greet(name='Guido', greeting='Hi'))
    print(proxy.mul(2, 3))
    big = proxy.add(list(range(50000)), list(range(3)))
    print(len(big), big[-4:])
    c.close()
    server.join()
    threads[-1].join()
    listener.close()
