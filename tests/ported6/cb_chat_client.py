# Python Network Programming Cookbook ch. 2, 2_4: the chat client (ChatClient: NAME login, the CLIENT reply
# sets the prompt). The book's client selects over stdin and its socket; here one process drives three
# clients from a script, selecting over their sockets until each has the messages a step should bring, and
# prints each client's messages in client order.
import json
import select
import socket
import struct
import sys

SERVER_HOST = '127.0.0.1'


def send(channel, *args):
    buffer = json.dumps(args).encode()
    value = socket.htonl(len(buffer))
    size = struct.pack("L", value)
    channel.send(size)
    channel.send(buffer)


def receive(channel):
    size = struct.calcsize("L")
    size = channel.recv(size)
    try:
        size = socket.ntohl(struct.unpack("L", size)[0])
    except struct.error as e:
        return ''
    buf = b""
    while len(buf) < size:
        buf = channel.recv(size - len(buf))
    return json.loads(buf)[0]


class ChatClient(object):
    """ A command line chat client using select """

    def __init__(self, name, port, host=SERVER_HOST):
        self.name = name
        self.connected = False
        self.host = host
        self.port = port
        # Initial prompt
        self.prompt = '[' + '@'.join((name, 'me')) + ']> '
        # Connect to server at port
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.connect((host, self.port))
            print("Now connected to chat server@ port %d" % self.port)
            self.connected = True
            # Send my name...
            send(self.sock, 'NAME: ' + self.name)
            data = receive(self.sock)
            # Contains client address, set it
            addr = data.split('CLIENT: ')[1]
            self.prompt = '[' + '@'.join((self.name, addr)) + ']> '
        except socket.error as e:
            print("Failed to connect to chat server @ port %d" % self.port)
            sys.exit(1)

    def say(self, data):
        print(self.prompt + data)
        send(self.sock, data)


def expect(counts):
    """Wait until each client got its count of messages; print them per client."""
    got = {c: [] for c in counts}
    by_sock = {c.sock: c for c in counts}
    for _ in range(100):
        waiting = [c.sock for c in counts if len(got[c]) < counts[c]]
        if not waiting:
            break
        readable, _, _ = select.select(waiting, [], [], 10)
        if not readable:
            print('(nothing for 10 s)')
            break
        for sock in readable:
            c = by_sock[sock]
            data = receive(sock)
            if not data:
                print('Client shutting down.')
                c.connected = False
                counts[c] = 0
            else:
                got[c].append(data)
    for c in counts:
        for data in got[c]:
            sys.stdout.write(c.name + ' ' + c.prompt + data + '\n')


port = int(sys.argv[1])
alice = ChatClient('alice', port)
print(alice.prompt)
bob = ChatClient('bob', port)
expect({alice: 1})
alice.say('hi bob')
expect({bob: 1})
carol = ChatClient('carol', port)
expect({alice: 1, bob: 1})
bob.say('welcome carol, this line is a little longer than the others ' * 3)
expect({alice: 1, carol: 1})
carol.say('\u00e7a va? \u2603')
expect({alice: 1, bob: 1})
alice.sock.close()
expect({bob: 1, carol: 1})
bob.sock.shutdown(socket.SHUT_WR)
expect({carol: 1})
carol.say('bye')
print('bob reads to EOF:', receive(bob.sock) == '' or 'more')
bob.sock.close()
carol.sock.close()
