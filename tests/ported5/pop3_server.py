# A POP3 server (RFC 1939) on socketserver.ThreadingTCPServer + StreamRequestHandler: the AUTHORIZATION state
# (USER/PASS, a wrong password), TRANSACTION (STAT, LIST, UIDL, RETR and TOP with byte-stuffed multi-line
# responses, DELE, RSET, NOOP) and UPDATE on QUIT; serves two sessions, then shuts down. argv: port.
import socketserver
import sys
import threading

MAILBOX = [
    b'From: alice@example.org\r\nSubject: hello\r\n\r\nHi Bob,\r\nsee you at noon.\r\n',
    b'From: carol@example.org\r\nSubject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nend\r\n',
    b'From: dave@example.org\r\nSubject: long\r\n\r\n' + b''.join(b'line %d\r\n' % i for i in range(40)),
]
USERS = {'bob': 'secret'}
sessions = []


class POP3Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def multi(self, first, body):
        self.wfile.write(first.encode() + b'\r\n')
        for line in body.split(b'\r\n')[:-1] if body.endswith(b'\r\n') else body.split(b'\r\n'):
            if line.startswith(b'.'):
                line = b'.' + line
            self.wfile.write(line + b'\r\n')
        self.wfile.write(b'.\r\n')

    def handle(self):
        deleted = set()
        user = None
        authed = False
        self.reply('+OK POP3 server ready')
        while True:
            line = self.rfile.readline(512)
            if not line:
                print('client left without QUIT')
                break
            words = line.decode().rstrip('\r\n').split(' ')
            cmd, args = words[0].upper(), words[1:]
            print('C:', cmd, ' '.join('****' if cmd == 'PASS' else a for a in args))
            live = [i for i in range(len(MAILBOX)) if i not in deleted]

            def msg(arg):
                n = int(arg) - 1
                if n < 0 or n >= len(MAILBOX) or n in deleted:
                    raise LookupError
                return n
            try:
                if cmd == 'QUIT':
                    self.reply('+OK bye, %d deleted' % len(deleted))
                    break
                elif not authed:
                    if cmd == 'USER':
                        user = args[0]
                        self.reply('+OK user accepted')
                    elif cmd == 'PASS' and user is not None:
                        if USERS.get(user) == ' '.join(args):
                            authed = True
                            self.reply('+OK maildrop locked and ready')
                        else:
                            user = None
                            self.reply('-ERR invalid password')
                    else:
                        self.reply('-ERR authenticate first')
                elif cmd == 'STAT':
                    self.reply('+OK %d %d' % (len(live), sum(len(MAILBOX[i]) for i in live)))
                elif cmd == 'LIST' and args:
                    n = msg(args[0])
                    self.reply('+OK %d %d' % (n + 1, len(MAILBOX[n])))
                elif cmd == 'LIST':
                    self.multi('+OK %d messages' % len(live),
                               b''.join(b'%d %d\r\n' % (i + 1, len(MAILBOX[i])) for i in live))
                elif cmd == 'UIDL':
                    self.multi('+OK', b''.join(b'%d uid-%04d\r\n' % (i + 1, 7 * i + 3) for i in live))
                elif cmd == 'RETR':
                    n = msg(args[0])
                    self.multi('+OK %d octets' % len(MAILBOX[n]), MAILBOX[n])
                elif cmd == 'TOP':
                    n = msg(args[0])
                    head, _, body = MAILBOX[n].partition(b'\r\n\r\n')
                    lines = body.split(b'\r\n')[:int(args[1])]
                    self.multi('+OK', head + b'\r\n\r\n' + b''.join(x + b'\r\n' for x in lines))
                elif cmd == 'DELE':
                    n = msg(args[0])
                    deleted.add(n)
                    self.reply('+OK message %d deleted' % (n + 1))
                elif cmd == 'RSET':
                    deleted.clear()
                    self.reply('+OK')
                elif cmd == 'NOOP':
                    self.reply('+OK')
                else:
                    self.reply('-ERR unknown command')
            except (LookupError, ValueError):
                self.reply('-ERR no such message')
        sessions.append(len(deleted))
        if len(sessions) == 2:
            threading.Thread(target=self.server.shutdown).start()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True


with Server(('127.0.0.1', int(sys.argv[1])), POP3Handler) as server:
    print('POP3 on port', server.server_address[1])
    server.serve_forever()
print('sessions:', sessions)
