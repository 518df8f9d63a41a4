# The asyncore documentation's examples (Python 3.11 Library Reference, asyncore: "asyncore Example basic HTTP
# client" and "asyncore Example basic echo server"), in one program on loopback. EchoServer/EchoHandler as in the
# docs (dispatcher_with_send); HTTPClient as in the docs, pointed at a loopback HTTP responder written on
# dispatcher_with_send (the docs' client fetches www.python.org); an echo client dispatcher that connects
# non-blocking (connect_ex -> EINPROGRESS, handle_connect on the first write event) and sends a 300 KB message
# through dispatcher_with_send's partial sends; a client connecting to a closed port (handle_error names the
# refusal). argv[1] == "poll" runs every loop with use_poll=True (select.poll, asyncore's poll2()).
import warnings
warnings.simplefilter("ignore", DeprecationWarning)
import asyncore
import socket
import sys

use_poll = len(sys.argv) > 1 and sys.argv[1] == "poll"


class EchoHandler(asyncore.dispatcher_with_send):
    total = 0

    def handle_read(self):
        data = self.recv(8192)
        if data:
            self.total += len(data)
            self.send(data)

    def handle_close(self):
        print("echo handler closed after", self.total, "bytes")
        self.close()


class EchoServer(asyncore.dispatcher):
    def __init__(self, host, port):
        asyncore.dispatcher.__init__(self)
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.set_reuse_addr()
        self.bind((host, port))
        self.listen(5)

    def handle_accepted(self, sock, addr):
        print("Incoming connection from", addr[0])
        EchoHandler(sock)


class HTTPResponder(asyncore.dispatcher_with_send):
    def __init__(self, sock):
        asyncore.dispatcher_with_send.__init__(self, sock)
        self.request = b""
        self.replied = False

    def handle_read(self):
        self.request += self.recv(8192)
        if b"\r\n\r\n" in self.request and not self.replied:
            line = self.request.split(b"\r\n")[0]
            print("responder got", line)
            body = b"<html>hello from loopback</html>\n"
            self.replied = True
            self.send(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def writable(self):
        return self.replied or asyncore.dispatcher_with_send.writable(self)

    def handle_write(self):
        self.initiate_send()
        if self.replied and not self.out_buffer:
            print("responder done")
            self.close()


class HTTPServer(asyncore.dispatcher):
    def __init__(self):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.bind(("127.0.0.1", 0))
        self.listen(5)

    def handle_accepted(self, sock, addr):
        HTTPResponder(sock)


class HTTPClient(asyncore.dispatcher):
    def __init__(self, host, port, path):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.connect((host, port))
        self.buffer = bytes("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host), "ascii")
        self.got = b""

    def handle_connect(self):
        print("http client connected")

    def handle_close(self):
        print("http client got", self.got.split(b"\r\n"))
        self.close()

    def handle_read(self):
        self.got += self.recv(8192)

    def writable(self):
        return len(self.buffer) > 0

    def handle_write(self):
        sent = self.send(self.buffer)
        self.buffer = self.buffer[sent:]


class EchoClient(asyncore.dispatcher_with_send):
    def __init__(self, port, messages):
        asyncore.dispatcher_with_send.__init__(self)
        self.create_socket()
        self.messages = list(messages)
        self.expect = b""
        self.got = b""
        self.done = False
        self.connect(("127.0.0.1", port))

    def handle_connect(self):
        print("echo client connected, connecting =", self.connecting, "connected =", self.connected)
        self.next()

    def next(self):
        if self.messages:
            self.expect = self.messages.pop(0)
            self.got = b""
            self.send(self.expect)
        else:
            print("echo client done")
            self.done = True
            self.close()

    def handle_read(self):
        self.got += self.recv(65536)
        if len(self.got) == len(self.expect):
            print("echo client got", len(self.got), "bytes, same:", self.got == self.expect)
            self.next()

    def handle_close(self):
        print("echo client: server closed")
        self.close()


class Refused(asyncore.dispatcher):
    def __init__(self, port):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.connect(("127.0.0.1", port))

    def handle_connect(self):
        print("refused client connected?!")

    def handle_error(self):
        t, v = sys.exc_info()[:2]
        print("refused client error:", t.__name__, v)
        self.close()


def run(until, limit=400):
    for _ in range(limit):
        if until():
            return True
        asyncore.loop(timeout=0.05, use_poll=use_poll, count=1)
    print("loop limit reached")
    return False


server = EchoServer("127.0.0.1", 0)
port = server.socket.getsockname()[1]
client = EchoClient(port, [b"hello asyncore\n", b"x" * 300000, b"bye\n"])
print("connect_ex returned, connecting =", client.connecting, "connected =", client.connected)
run(lambda: client.done and len(asyncore.socket_map) == 1)

web = HTTPServer()
HTTPClient("127.0.0.1", web.socket.getsockname()[1], "/index.html")
run(lambda: len(asyncore.socket_map) == 2)
web.close()

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
closed_port = probe.getsockname()[1]
probe.close()
Refused(closed_port)
run(lambda: len(asyncore.socket_map) == 1)
server.close()
print("map empty:", asyncore.socket_map == {})
