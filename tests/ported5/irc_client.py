# Three users of irc_server.py driven from one script. After each action the acting connection, then every
# other one, sends PING n and reads up to PONG n, printing what it received before: the server answers in the
# order it read, so each connection's lines are the same on every run. Partial lines and two lines in one
# send, an unregistered command, a client that closes without QUIT. argv: the server's port.
import socket
import sys
import time

port = int(sys.argv[1])
conns = {}
files = {}
seq = 0


def connect(name):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    conns[name] = s
    files[name] = s.makefile('r', encoding='utf-8', newline='\r\n')
    print(name, '<', files[name].readline().rstrip('\r\n'))


def sync(name):
    global seq
    seq += 1
    conns[name].sendall(b'PING %d\r\n' % seq)
    while True:
        line = files[name].readline()
        if not line:
            print(name, 'EOF')
            return
        line = line.rstrip('\r\n')
        if line == 'PONG %d' % seq:
            return
        print(name, '<', line)


def act(name, data, wait=True):
    print(name, '>', repr(data))
    conns[name].sendall(data)
    if not wait:  # half a line: a PING now would join it
        return
    sync(name)
    for other in conns:
        if other != name:
            sync(other)


connect('ann')
act('ann', b'PRIVMSG #all :too early\r\n')
act('ann', b'NICK ann\r\n')
connect('ben')
act('ben', b'NICK ann\r\n')
act('ben', b'NICK\r\n')
act('ben', b'NI', wait=False)
act('ben', b'CK ben\r\nNAMES\r\n')
connect('cat')
act('cat', b'NICK cat\r\nPRIVMSG #all :hello everyone\r\n')
act('ann', b'PRIVMSG ben :psst, ben\r\n')
act('ben', b'PRIVMSG dan :anyone?\r\n')
act('cat', b'NICK kitty\r\n')
act('ann', b'WHOIS cat\r\n')
act('ann', b'PRIVMSG #all :' + 'caf\u00e9 \u2615'.encode() + b' ' + b'x' * 100 + b'\r\n')
print('cat closes without QUIT')
conns['cat'].close()
files['cat'].close()
del conns['cat'], files['cat']
time.sleep(1)  # let the server see the EOF before ann's next line
act('ann', b'NAMES\r\n')
conns['ben'].sendall(b'QUIT :bye now\r\n')
print('ben <', files['ben'].readline().rstrip('\r\n'))
print('ben <', repr(files['ben'].readline()))
conns['ben'].close()
del conns['ben'], files['ben']
act('ann', b'NAMES\r\n')
print('ann >', repr(b'DIE\r\n'))  # no PING after it: the server closes, and would reset a connection with unread bytes
conns['ann'].sendall(b'DIE\r\n')
for line in files['ann']:
    print('ann <', line.rstrip('\r\n'))
print('ann EOF')
for name in conns:
    conns[name].close()
