# Clients of pubsub_server.py driven from one script: three subscribers and a publisher, each a socket with a
# makefile('rb') for lines. After each PUB the publisher reads its "OK n"; the broker queued the MSG lines
# before that reply, so each subscriber's readline() then finds its line. Commands split across sends and two
# in one send, UNSUB, TOPICS, a bad command, QUIT, a subscriber that vanishes, SHUTDOWN. argv: the port.
import socket
import sys
import time

port = int(sys.argv[1])


class Client:
    def __init__(self, name):
        self.name = name
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.settimeout(10)
        self.f = self.sock.makefile('rb')

    def send(self, text):
        self.sock.sendall(text.encode())

    def line(self):
        line = self.f.readline()
        print('{} <- {!r}'.format(self.name, line.decode()))
        return line

    def cmd(self, text):
        self.send(text + '\n')
        return self.line()

    def nothing_waiting(self):
        self.sock.settimeout(0.2)
        try:
            data = self.sock.recv(100)
            print('{} had {!r}'.format(self.name, data))
        except socket.timeout:
            print('{} has nothing waiting'.format(self.name))
        finally:
            self.sock.settimeout(10)


alice, bob, carol, pub = Client('alice'), Client('bob'), Client('carol'), Client('pub')
alice.cmd('SUB news')
bob.cmd('SUB news')
bob.cmd('SUB sport')
carol.cmd('SUB sport')
pub.cmd('TOPICS')
pub.cmd('PUB news hello everyone')
alice.line()
bob.line()
carol.nothing_waiting()
pub.cmd('PUB sport 2-1 at half time')
bob.line()
carol.line()
pub.cmd('PUB weather nobody listens')
# a command in pieces, then two in one send
alice.send('PU')
time.sleep(0.1)
alice.send('B sport from al')
time.sleep(0.1)
alice.send('ice\n')
alice.line()
bob.line()
carol.line()
carol.send('UNSUB sport\nUNSUB sport\n')
carol.line()
carol.line()
pub.cmd('PUB sport final 2-2')
bob.line()
carol.nothing_waiting()
pub.cmd('HELLO')
pub.cmd('PUB')
# bob vanishes without QUIT (the file first: CPython's close() leaves the connection open while a makefile()
# file is)
bob.f.close()
bob.sock.close()
time.sleep(0.2)
pub.cmd('PUB news after bob left')
alice.line()
pub.cmd('TOPICS')
alice.cmd('QUIT')
print('alice then EOF:', alice.f.read() == b'')
pub.cmd('TOPICS')
pub.send('SHUTDOWN\n')
print('pub then EOF:', pub.f.read() == b'')
for c in (alice, carol, pub):
    c.f.close()
    c.sock.close()
