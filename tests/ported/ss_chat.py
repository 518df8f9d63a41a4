# A chat room on socketserver.ThreadingTCPServer: each handler reads lines from rfile ("NICK name", then
# messages, then "QUIT"), and broadcasts to every other member under a lock with sendall. Three clients
# take turns (each waits until everybody saw the previous line), a fourth leaves by shutting its socket down without QUIT.
import socket
import socketserver
import threading

members = {}
lock = threading.Lock()


def broadcast(sender, text):
    with lock:
        for sock, name in list(members.items()):
            if sock is not sender:
                try:
                    sock.sendall(text.encode() + b"\n")
                except OSError:
                    pass


class Chat(socketserver.StreamRequestHandler):
    def handle(self):
        nick = self.rfile.readline().decode().strip().split(" ", 1)[1]
        with lock:
            members[self.request] = nick
        broadcast(self.request, "* %s joined" % nick)
        for raw in self.rfile:
            line = raw.decode().rstrip("\n")
            if line == "QUIT":
                self.wfile.write(b"bye\n")
                break
            broadcast(self.request, "%s: %s" % (nick, line))
        with lock:
            del members[self.request]
        broadcast(self.request, "* %s left" % nick)


class Client:
    def __init__(self, addr, nick):
        self.sock = socket.create_connection(addr, timeout=10)
        self.f = self.sock.makefile("rb")
        self.lines = []
        self.cond = threading.Condition()
        self.sock.sendall(b"NICK " + nick.encode() + b"\n")
        self.t = threading.Thread(target=self.read)
        self.t.start()

    def read(self):
        for raw in self.f:
            with self.cond:
                self.lines.append(raw.decode().rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, count):
        with self.cond:
            self.cond.wait_for(lambda: len(self.lines) >= count, timeout=10)


with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Chat) as server:
    server.daemon_threads = True
    st = threading.Thread(target=server.serve_forever, args=(0.05,))
    st.start()
    addr = server.server_address
    alice = Client(addr, "alice")
    bob = Client(addr, "bob")
    alice.wait_for(1)
    carol = Client(addr, "carol")
    alice.wait_for(2)
    bob.wait_for(1)
    dave = Client(addr, "dave")
    for c, n in ((alice, 3), (bob, 2), (carol, 1)):
        c.wait_for(n)
    alice.sock.sendall(b"hello all\n")
    for c, n in ((bob, 3), (carol, 2), (dave, 1)):
        c.wait_for(n)
    bob.sock.sendall(b"hi alice\n")
    for c, n in ((alice, 4), (carol, 3), (dave, 2)):
        c.wait_for(n)
    dave.sock.shutdown(socket.SHUT_RDWR)  # wakes dave's reader thread; the server sees EOF
    dave.t.join(5)
    dave.f.close()
    dave.sock.close()
    for c, n in ((alice, 5), (bob, 4), (carol, 4)):
        c.wait_for(n)
    carol.sock.sendall(b"QUIT\n")
    carol.wait_for(5)
    for c, n in ((alice, 6), (bob, 5)):
        c.wait_for(n)
    for c, then in ((alice, (bob, 6)), (bob, None), (carol, None)):
        c.sock.shutdown(socket.SHUT_RDWR)
        if then:
            then[0].wait_for(then[1])
        c.t.join(5)
        c.f.close()
        c.sock.close()
    server.shutdown()
    st.join(5)
for name, c in (("alice", alice), ("bob", bob), ("carol", carol), ("dave", dave)):
    print(name, c.lines)
