# voorloopnul's "tcp proxy" (a well-known select()-based port forwarder: TheServer with input_list and the
# channel dict, Forward().start() connecting to the remote side for each client, on_accept / on_recv /
# on_close, every relayed chunk printed). The original forwards port 9090 to a fixed remote host and loops
# forever; here it forwards a free loopback port to a local upper-casing echo server (a thread), its loop
# (a thread) ends after a set number of disconnects, and a client is not started before the previous one's
# disconnect was seen. Client ports change each run: addresses print as their host. The last client connects
# while the remote side is down (a closed port): Forward.start() prints the error.
import select
import socket
import threading
import time

buffer_size = 4096
delay = 0.0001


class Forward:
    def __init__(self):
        self.forward = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def start(self, host, port):
        try:
            self.forward.connect((host, port))
            return self.forward
        except Exception as e:
            print(e)
            return False


class TheServer:
    input_list = []
    channel = {}

    def __init__(self, host, port):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((host, port))
        self.server.listen(200)
        self.disconnects = 0

    def main_loop(self, count):
        self.input_list.append(self.server)
        while self.disconnects < count:
            time.sleep(delay)
            ss = select.select
            inputready, outputready, exceptready = ss(self.input_list, [], [])
            for self.s in inputready:
                if self.s == self.server:
                    self.on_accept()
                    break

                self.data = self.s.recv(buffer_size)
                if len(self.data) == 0:
                    self.on_close()
                    break
                else:
                    self.on_recv()
        self.server.close()

    def on_accept(self):
        forward = Forward().start(forward_to[0], forward_to[1])
        clientsock, clientaddr = self.server.accept()
        if forward:
            print(clientaddr[0], "has connected")
            self.input_list.append(clientsock)
            self.input_list.append(forward)
            self.channel[clientsock] = forward
            self.channel[forward] = clientsock
        else:
            print("Can't establish connection with remote server.", end=' ')
            print("Closing connection with client side", clientaddr[0])
            clientsock.close()
            self.disconnects += 1

    def on_close(self):
        print(self.s.getpeername()[0], "has disconnected")
        # remove objects from input_list
        self.input_list.remove(self.s)
        self.input_list.remove(self.channel[self.s])
        out = self.channel[self.s]
        # close the connection with client
        self.channel[out].close()  # equivalent to do self.s.close()
        # close the connection with remote server
        self.channel[self.s].close()
        # delete both objects from channel dict
        del self.channel[out]
        del self.channel[self.s]
        self.disconnects += 1

    def on_recv(self):
        data = self.data
        # here we can parse and/or modify the data before send forward
        print(data)
        self.channel[self.s].send(data)


def upper_echo(listener, count):
    for _ in range(count):
        conn, _ = listener.accept()
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())
        conn.close()
    listener.close()


remote = socket.socket()
remote.bind(('127.0.0.1', 0))
remote.listen(5)
forward_to = remote.getsockname()
backend = threading.Thread(target=upper_echo, args=(remote, 2))
backend.start()

server = TheServer('127.0.0.1', 0)
proxy = threading.Thread(target=server.main_loop, args=(3,))
proxy.start()
where = server.server.getsockname()


def wait_disconnects(n):
    deadline = time.time() + 30
    while server.disconnects < n and time.time() < deadline:
        time.sleep(0.01)


for n, lines in enumerate([[b'hello proxy'], [b'first line\n', b'second line\n', b'x' * 50]]):
    c = socket.create_connection(where)
    for line in lines:
        c.sendall(line)
        got = b''
        while len(got) < len(line):
            got += c.recv(1024)
        print('client %d got' % n, got)
    c.close()
    wait_disconnects(n + 1)

backend.join()  # the remote side is gone: its port is closed
c = socket.create_connection(where)
print('refused client reads:', c.recv(100))
c.close()
proxy.join()
