# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.12: understanding event-driven I/O. The recipe's
# EventHandler classes and event_loop() (select() over handler objects, which select() takes through their
# fileno()), its UDPTimeServer and UDPEchoServer, its TCPServer with TCPEchoClient handlers (an outgoing
# bytearray sent while wants_to_send()), and its ThreadPoolHandler (a ThreadPoolExecutor whose completions
# are signalled over a socketpair()) with UDPFibServer. The book's loops run forever on fixed ports; here the
# loop runs in a thread on free loopback ports until a stop handler (another socketpair) reads a byte, and
# the clients run in the main thread. Times print as TIME.
import os
import re
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


class EventHandler:
    def fileno(self):
        'Return the associated file descriptor'
        raise NotImplemented('must implement')

    def wants_to_receive(self):
        'Return True if receiving is allowed'
        return False

    def handle_receive(self):
        'Perform the receive operation'
        pass

    def wants_to_send(self):
        'Return True if sending is requested'
        return False

    def handle_send(self):
        'Send outgoing data'
        pass


stopped = False


def event_loop(handlers):
    while not stopped:
        wants_recv = [h for h in handlers if h.wants_to_receive()]
        wants_send = [h for h in handlers if h.wants_to_send()]
        can_recv, can_send, _ = select.select(wants_recv, wants_send, [])
        for h in can_recv:
            h.handle_receive()
        for h in can_send:
            h.handle_send()


class UDPServer(EventHandler):
    def __init__(self, address):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(address)

    def fileno(self):
        return self.sock.fileno()

    def wants_to_receive(self):
        return True


class UDPTimeServer(UDPServer):
    def handle_receive(self):
        msg, addr = self.sock.recvfrom(1)
        self.sock.sendto(time.ctime().encode('ascii'), addr)


class UDPEchoServer(UDPServer):
    def handle_receive(self):
        msg, addr = self.sock.recvfrom(8192)
        self.sock.sendto(msg, addr)


class TCPServer(EventHandler):
    def __init__(self, address, client_handler, handler_list):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
        self.sock.bind(address)
        self.sock.listen(1)
        self.client_handler = client_handler
        self.handler_list = handler_list

    def fileno(self):
        return self.sock.fileno()

    def wants_to_receive(self):
        return True

    def handle_receive(self):
        client, addr = self.sock.accept()
        # Add the client to the event loop's handler list
        self.handler_list.append(self.client_handler(client, self.handler_list))


class TCPClient(EventHandler):
    def __init__(self, sock, handler_list):
        self.sock = sock
        self.handler_list = handler_list
        self.outgoing = bytearray()

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()
        # Remove myself from the event loop's handler list
        self.handler_list.remove(self)

    def wants_to_send(self):
        return True if self.outgoing else False

    def handle_send(self):
        nsent = self.sock.send(self.outgoing)
        self.outgoing = self.outgoing[nsent:]


class TCPEchoClient(TCPClient):
    def wants_to_receive(self):
        return True

    def handle_receive(self):
        data = self.sock.recv(8192)
        if not data:
            self.close()
        else:
            self.outgoing.extend(data)


class ThreadPoolHandler(EventHandler):
    def __init__(self, nworkers):
        if os.name == 'posix':
            self.signal_done_sock, self.done_sock = socket.socketpair()
        self.pending = []
        self.pool = ThreadPoolExecutor(nworkers)

    def fileno(self):
        return self.done_sock.fileno()

    # Callback that executes when the thread is done
    def complete(self, callback, r):
        self.pending.append((callback, r.result()))
        self.signal_done_sock.send(b'x')

    # Run a function in a thread pool
    def run(self, func, args=(), kwargs={}, *, callback):
        r = self.pool.submit(func, *args, **kwargs)
        r.add_done_callback(lambda r: self.complete(callback, r))

    def wants_to_receive(self):
        return True

    # Run callback functions of completed work
    def handle_receive(self):
        # Invoke all pending callback functions
        for callback, result in self.pending:
            callback(result)
            self.done_sock.recv(1)
        self.pending = []


def fib(n):
    if n < 2:
        return 1
    else:
        return fib(n - 1) + fib(n - 2)


class UDPFibServer(UDPServer):
    def handle_receive(self):
        msg, addr = self.sock.recvfrom(128)
        n = int(msg)
        pool.run(fib, (n,), callback=lambda r: self.respond(r, addr))

    def respond(self, result, addr):
        self.sock.sendto(str(result).encode('ascii'), addr)


class StopHandler(EventHandler):
    def __init__(self):
        self.stop_sock, self.sock = socket.socketpair()

    def fileno(self):
        return self.sock.fileno()

    def wants_to_receive(self):
        return True

    def handle_receive(self):
        global stopped
        self.sock.recv(1)
        stopped = True


pool = ThreadPoolHandler(4)
stop = StopHandler()
handlers = [UDPTimeServer(('127.0.0.1', 0)), UDPEchoServer(('127.0.0.1', 0)), UDPFibServer(('127.0.0.1', 0)),
            pool, stop]
handlers.append(TCPServer(('127.0.0.1', 0), TCPEchoClient, handlers))
time_addr, echo_addr, fib_addr = [h.sock.getsockname() for h in handlers[:3]]
tcp_addr = handlers[-1].sock.getsockname()
loop = threading.Thread(target=event_loop, args=(handlers,))
loop.start()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'', time_addr)
print('time:', 'TIME' if CTIME.match(s.recvfrom(128)[0].decode('ascii')) else 'BAD')
s.sendto(b'Hello', echo_addr)
print('echo:', s.recvfrom(8192)[0])
for n in (10, 20, 25):
    s.sendto(str(n).encode('ascii'), fib_addr)
    print('fib(%d):' % n, s.recvfrom(128)[0])
s.close()

a = socket.create_connection(tcp_addr)
b = socket.create_connection(tcp_addr)
a.sendall(b'Hello from a')
b.sendall(b'Hello from b')
print('tcp b:', b.recv(8192))
print('tcp a:', a.recv(8192))
big = bytes(range(256)) * 800
b.sendall(big)
# read the echo by its length before closing: a close while the handler still holds outgoing bytes hits the
# recipe's loop at a bad moment (handle_receive() closes on EOF, then handle_send() of the same select()
# sends on the closed socket: EBADF), whether it does is a race in CPython too
got = bytearray()
while len(got) < len(big):
    data = b.recv(65536)
    if not data:
        break
    got.extend(data)
print('tcp big echo:', len(got), got == big)
b.close()
a.close()
deadline = time.time() + 30
while len(handlers) > 6 and time.time() < deadline:
    time.sleep(0.01)
print('handlers left:', [type(h).__name__ for h in handlers])
stop.stop_sock.send(b'x')
loop.join()
pool.pool.shutdown()
