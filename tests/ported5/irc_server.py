# An IRC-like chat server on one select() loop: NICK registration (433 when taken, 431 when missing), every
# line a command, PRIVMSG to everyone else or to one nick (401 when unknown), NAMES, PING/PONG, QUIT
# broadcast, a client that vanishes without QUIT, lines assembled from partial reads and several lines in one
# read; DIE ends the server. argv: port.
import select
import socket
import sys

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', int(sys.argv[1])))
listener.listen(5)
print('irc server on port', listener.getsockname()[1])
sockets = [listener]
nicks = {}
buffers = {}
count = 0


def send(sock, line):
    sock.sendall(line.encode() + b'\r\n')


def broadcast(line, exclude=None):
    for s in nicks:
        if s is not exclude:
            send(s, line)


def drop(sock, reason):
    nick = nicks.pop(sock, None)
    sockets.remove(sock)
    del buffers[sock]
    sock.close()
    if nick:
        print('%s leaves (%s)' % (nick, reason))
        broadcast(':%s QUIT :%s' % (nick, reason))
    else:
        print('an unregistered client leaves (%s)' % reason)


running = True
rounds = 0
while running and rounds < 10000:
    rounds += 1
    readable, _, _ = select.select(sockets, [], [], 10)
    if not readable:
        print('idle for 10 s, stopping')
        break
    for sock in readable:
        if sock is listener:
            conn, addr = listener.accept()
            count += 1
            sockets.append(conn)
            buffers[conn] = b''
            print('connection', count, 'from', addr[0])
            send(conn, ':server NOTICE * :welcome, pick a NICK')
            continue
        if sock not in buffers:
            continue  # dropped earlier in this round
        try:
            data = sock.recv(64)
        except ConnectionResetError:
            data = b''
        if not data:
            drop(sock, 'connection closed')
            continue
        buffers[sock] += data
        while b'\n' in buffers.get(sock, b''):
            raw, buffers[sock] = buffers[sock].split(b'\n', 1)
            line = raw.decode('utf-8', 'replace').rstrip('\r')
            cmd, _, rest = line.partition(' ')
            cmd = cmd.upper()
            nick = nicks.get(sock)
            if cmd == 'NICK':
                if not rest:
                    send(sock, ':server 431 * :No nickname given')
                elif rest in nicks.values():
                    send(sock, ':server 433 * %s :Nickname is already in use' % rest)
                else:
                    nicks[sock] = rest
                    if nick:
                        print(nick, 'is now', rest)
                        broadcast(':%s NICK %s' % (nick, rest))
                    else:
                        print('registered', rest)
                        send(sock, ':server 001 %s :Welcome %s' % (rest, rest))
                        broadcast(':%s JOIN #all' % rest, exclude=sock)
            elif cmd == 'PING':
                send(sock, 'PONG ' + rest)
            elif nick is None:
                send(sock, ':server 451 * :You have not registered')
            elif cmd == 'PRIVMSG':
                target, _, text = rest.partition(' :')
                if target == '#all':
                    broadcast(':%s PRIVMSG #all :%s' % (nick, text), exclude=sock)
                else:
                    peers = [s for s, n in nicks.items() if n == target]
                    if peers:
                        send(peers[0], ':%s PRIVMSG %s :%s' % (nick, target, text))
                    else:
                        send(sock, ':server 401 %s %s :No such nick' % (nick, target))
            elif cmd == 'NAMES':
                send(sock, ':server 353 %s = #all :%s' % (nick, ' '.join(sorted(nicks.values()))))
            elif cmd == 'QUIT':
                send(sock, 'ERROR :Closing link')
                drop(sock, rest.lstrip(':') or 'quit')
                break
            elif cmd == 'DIE':
                print('DIE from', nick)
                broadcast(':server NOTICE * :server shutting down')
                running = False
                break
            else:
                send(sock, ':server 421 %s %s :Unknown command' % (nick, cmd))
for s in sockets:
    s.close()
print('server stopped after', count, 'connections')
