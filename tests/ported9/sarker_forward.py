# Python Network Programming Cookbook (Sarker, 1st ed.), ch. 3 "Forwarding a local port to a remote host"
# (3_1_port_forwarding.py): PortForwarder, Receiver and Sender dispatchers on asyncore. The remote host is a
# loopback thread that upper-cases lines until its client (through the forwarder) closes; three clients (threads, one after another
# and then two at once) talk through the forwarder. The original loops forever; here the loop stops once the
# clients are done and the channels closed. (A remote side that closes first can lose its last reply: the
# Sender's handle_close() closes the Receiver with to_remote_buffer unsent, a race in the original.) argv[1] == "poll": asyncore.loop(use_poll=True).
import warnings
warnings.simplefilter("ignore", DeprecationWarning)
import asyncore
import socket
import sys
import threading

use_poll = len(sys.argv) > 1 and sys.argv[1] == "poll"
LOCAL_SERVER_HOST = "127.0.0.1"
REMOTE_SERVER_HOST = "127.0.0.1"
BUFSIZE = 4096


class PortForwarder(asyncore.dispatcher):
    def __init__(self, ip, port, remoteip, remoteport, backlog=5):
        asyncore.dispatcher.__init__(self)
        self.remoteip = remoteip
        self.remoteport = remoteport
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.set_reuse_addr()
        self.bind((ip, port))
        self.listen(backlog)

    def handle_accept(self):
        conn, addr = self.accept()
        print("Connected to:", addr[0])
        Sender(Receiver(conn), self.remoteip, self.remoteport)


class Receiver(asyncore.dispatcher):
    def __init__(self, conn):
        asyncore.dispatcher.__init__(self, conn)
        self.from_remote_buffer = b""
        self.to_remote_buffer = b""
        self.sender = None

    def handle_connect(self):
        pass

    def handle_read(self):
        read = self.recv(BUFSIZE)
        self.from_remote_buffer += read

    def writable(self):
        return len(self.to_remote_buffer) > 0

    def handle_write(self):
        sent = self.send(self.to_remote_buffer)
        self.to_remote_buffer = self.to_remote_buffer[sent:]

    def handle_close(self):
        self.close()
        if self.sender:
            self.sender.close()


class Sender(asyncore.dispatcher):
    def __init__(self, receiver, remoteaddr, remoteport):
        asyncore.dispatcher.__init__(self)
        self.receiver = receiver
        receiver.sender = self
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.connect((remoteaddr, remoteport))

    def handle_connect(self):
        pass

    def handle_read(self):
        read = self.recv(BUFSIZE)
        self.receiver.to_remote_buffer += read

    def writable(self):
        return len(self.receiver.from_remote_buffer) > 0

    def handle_write(self):
        sent = self.send(self.receiver.from_remote_buffer)
        self.receiver.from_remote_buffer = self.receiver.from_remote_buffer[sent:]

    def handle_close(self):
        self.close()
        self.receiver.close()


def remote_server(lsock, conns):
    for _ in range(conns):
        conn, _addr = lsock.accept()
        threading.Thread(target=remote_conn, args=(conn,)).start()
    lsock.close()


def remote_conn(conn):
    with conn:
        f = conn.makefile("rb")
        for line in f:
            conn.sendall(line.upper())
        f.close()


results = {}
lock = threading.Lock()


def client(name, port, lines):
    got = []
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        f = s.makefile("rb")
        for line in lines:
            s.sendall(line)
            got.append(f.readline())
        f.close()
    with lock:
        results[name] = got


remote = socket.create_server(("127.0.0.1", 0))
threading.Thread(target=remote_server, args=(remote, 3)).start()
fwd = PortForwarder(LOCAL_SERVER_HOST, 0, REMOTE_SERVER_HOST, remote.getsockname()[1])
port = fwd.socket.getsockname()[1]
print("Starting port forwarding local to remote")


def loop_until(cond, limit=600):
    for _ in range(limit):
        if cond():
            return
        asyncore.loop(timeout=0.05, use_poll=use_poll, count=1)
    print("loop limit reached")


t = threading.Thread(target=client, args=("one", port, [b"hello\n", b"port forwarding\n", b"bye\n"]))
t.start()
loop_until(lambda: "one" in results and len(asyncore.socket_map) == 1)
t.join()
big = b"z" * 100000 + b"\n"
ts = [threading.Thread(target=client, args=(n, port, ls)) for n, ls in
      (("two", [big, b"bye\n"]), ("three", [b"a\n", b"b\n", b"bye\n"]))]
for x in ts:
    x.start()
loop_until(lambda: len(results) == 3 and len(asyncore.socket_map) == 1)
for x in ts:
    x.join()
fwd.close()
for name in ("one", "two", "three"):
    print(name, [g if len(g) < 100 else (len(g), g[:3]) for g in results[name]])
print("map empty:", asyncore.socket_map == {})
