# ThreadingMixIn's end of life (Python 3.7+): shutdown() only stops serve_forever(); server_close() then waits
# for the handler threads still running (block_on_close), unless daemon_threads is set or block_on_close is
# False, in which case it returns at once and the handlers finish later. A plain TCPServer handles a request
# inside serve_forever(), so its shutdown() returns only after that handler.
import socket
import socketserver
import threading
import time

events = []
lock = threading.Lock()


def note(what):
    with lock:
        events.append(what)


class Slow(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.recv(100)
        note('handler started')
        time.sleep(0.6)
        self.request.sendall(b'done')
        note('handler finished')


def scenario(label, cls):
    events.clear()
    server = cls(('127.0.0.1', 0), Slow)
    t = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
    t.start()
    c = socket.create_connection(server.server_address, timeout=5)
    c.sendall(b'go')
    while 'handler started' not in events:
        time.sleep(0.01)
    server.shutdown()
    note('shutdown returned')
    server.server_close()
    note('server_close returned')
    print(label, 'reply:', c.recv(10))
    c.close()
    time.sleep(0.8)
    t.join(5)
    print(label, events)


class Daemonic(socketserver.ThreadingTCPServer):
    daemon_threads = True


class NoBlock(socketserver.ThreadingTCPServer):
    block_on_close = False


scenario('threading', socketserver.ThreadingTCPServer)
scenario('daemon_threads', Daemonic)
scenario('block_on_close=False', NoBlock)
scenario('plain', socketserver.TCPServer)
