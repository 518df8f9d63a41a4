# A POP3 client in poplib's manner on a plain socket and makefile('rb'): _getline strips CRLF, _getresp checks
# '+', _getlongresp reads to '.' and un-stuffs leading dots, an error response raises error_proto; a wrong
# password, then a full session (STAT, LIST, UIDL, RETR, TOP, DELE, RSET, bad numbers), then a second session
# that deletes and quits. argv: the server's port.
import socket
import sys

CRLF = b'\r\n'


class error_proto(Exception):
    pass


class POP3:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), 10)
        self.file = self.sock.makefile('rb')
        self.welcome = self._getresp()

    def _putcmd(self, line):
        self.sock.sendall(line.encode() + CRLF)

    def _getline(self):
        line = self.file.readline(2048 + 1)
        if not line:
            raise error_proto('-ERR EOF')
        octets = len(line)
        if line[-2:] == CRLF:
            return line[:-2], octets
        return line[:-1], octets

    def _getresp(self):
        resp, o = self._getline()
        if not resp.startswith(b'+'):
            raise error_proto(resp)
        return resp

    def _getlongresp(self):
        resp = self._getresp()
        lines = []
        octets = 0
        line, o = self._getline()
        while line != b'.':
            if line.startswith(b'..'):
                o = o - 1
                line = line[1:]
            octets = octets + o
            lines.append(line)
            line, o = self._getline()
        return resp, lines, octets

    def _shortcmd(self, line):
        self._putcmd(line)
        return self._getresp()

    def _longcmd(self, line):
        self._putcmd(line)
        return self._getlongresp()

    def user(self, user):
        return self._shortcmd('USER %s' % user)

    def pass_(self, pswd):
        return self._shortcmd('PASS %s' % pswd)

    def stat(self):
        rets = self._shortcmd('STAT').split()
        return int(rets[1]), int(rets[2])

    def list(self, which=None):
        if which is not None:
            return self._shortcmd('LIST %s' % which)
        return self._longcmd('LIST')

    def retr(self, which):
        return self._longcmd('RETR %s' % which)

    def top(self, which, howmuch):
        return self._longcmd('TOP %s %s' % (which, howmuch))

    def uidl(self):
        return self._longcmd('UIDL')

    def dele(self, which):
        return self._shortcmd('DELE %s' % which)

    def rset(self):
        return self._shortcmd('RSET')

    def noop(self):
        return self._shortcmd('NOOP')

    def quit(self):
        resp = self._shortcmd('QUIT')
        self.file.close()
        self.sock.close()
        return resp


def attempt(label, fn, *args):
    try:
        print(label, fn(*args))
    except error_proto as e:
        print(label, 'error_proto:', e)


port = int(sys.argv[1])
M = POP3('127.0.0.1', port)
print('welcome', M.welcome)
attempt('stat before login', M.stat)
attempt('user', M.user, 'bob')
attempt('pass', M.pass_, 'wrong')
attempt('user', M.user, 'bob')
attempt('pass', M.pass_, 'secret')
attempt('stat', M.stat)
attempt('list', M.list)
attempt('list 2', M.list, 2)
attempt('list 9', M.list, 9)
attempt('uidl', M.uidl)
resp, lines, octets = M.retr(2)
print('retr 2', resp, octets)
for line in lines:
    print('   ', line)
attempt('top 3 2', M.top, 3, 2)
attempt('retr x', M.retr, 'x')
attempt('dele 1', M.dele, 1)
attempt('retr 1', M.retr, 1)
attempt('stat', M.stat)
attempt('rset', M.rset)
attempt('stat', M.stat)
attempt('bogus', M._shortcmd, 'XYZZY')
attempt('noop', M.noop)
print('quit', M.quit())

M = POP3('127.0.0.1', port)
M.user('bob')
M.pass_('secret')
print('dele 3', M.dele(3))
print('dele 3 again', end=' ')
attempt('', M.dele, 3)
resp, lines, octets = M.retr(1)
print('retr 1:', len(lines), 'lines,', octets, 'octets')
print('quit', M.quit())
