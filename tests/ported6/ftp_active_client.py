# An ftplib-style client in active mode: makeport() listens on the control connection's own address, sends
# PORT (or EPRT) and accepts the server's data connection after the 150 reply, as ftplib's ntransfercmd does.
# LIST, RETR of a text and a binary file, STOR, errors (no PORT, a missing file, a PORT naming another host,
# bad syntax, an unknown command), a PORT whose listener is gone (150, then 425), and a second session quitting at once.
import hashlib
import socket
import sys

port = int(sys.argv[1])


class FTP:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.file = self.sock.makefile('r', encoding='latin-1', newline='')
        print('welcome', self.getresp())

    def getresp(self):
        line = self.file.readline()
        return line.rstrip('\r\n')

    def sendcmd(self, cmd):
        self.sock.sendall(cmd.encode('latin-1') + b'\r\n')
        return self.getresp()

    def makeport(self, extended=False):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.sock.getsockname()[0], 0))
        sock.listen(1)
        host, port = sock.getsockname()
        if extended:
            cmd = 'EPRT |1|%s|%d|' % (host, port)
        else:
            cmd = 'PORT ' + ','.join(host.split('.') + [repr(port // 256), repr(port % 256)])
        print(cmd.split()[0], '->', self.sendcmd(cmd))
        sock.settimeout(10)
        return sock

    def transfer(self, cmd, extended=False, payload=None):
        sock = self.makeport(extended)
        resp = self.sendcmd(cmd)
        print(cmd, '->', resp)
        if not resp.startswith('150'):
            sock.close()
            return None
        conn, sockaddr = sock.accept()
        sock.close()
        print('  data connection from', sockaddr[0], 'to', conn.getsockname()[0])
        if payload is not None:
            conn.sendall(payload)
            conn.close()
            data = None
        else:
            chunks = []
            while True:
                chunk = conn.recv(8192)
                if not chunk:
                    break
                chunks.append(chunk)
            conn.close()
            data = b''.join(chunks)
        print('  ', self.getresp())
        return data


ftp = FTP('127.0.0.1', port)
print(ftp.sendcmd('USER anonymous'))
print(ftp.sendcmd('PASS guest@'))
print(ftp.sendcmd('TYPE I'))
print(ftp.sendcmd('LIST'))
listing = ftp.transfer('LIST')
for line in listing.decode().splitlines():
    print('  |', line)
data = ftp.transfer('RETR readme.txt', extended=True)
print('  readme:', data)
data = ftp.transfer('RETR big.bin')
print('  big.bin:', len(data), hashlib.sha256(data).hexdigest()[:16])
upload = b''.join(b'%05d upload line\n' % i for i in range(4000))
ftp.transfer('STOR up.txt', payload=upload)
data = ftp.transfer('RETR up.txt', extended=True)
print('  up.txt back:', len(data), data == upload)
print(ftp.transfer('RETR missing.txt'))
print('PORT elsewhere ->', ftp.sendcmd('PORT 10,0,0,1,4,1'))
print('EPRT v6 ->', ftp.sendcmd('EPRT |2|::1|2121|'))
print('PORT bad ->', ftp.sendcmd('PORT 127,0,0,1,300'))
gone = socket.socket()
gone.bind(('127.0.0.1', 0))
gp = gone.getsockname()[1]
gone.close()
print('PORT gone ->', ftp.sendcmd('PORT 127,0,0,1,%d,%d' % (gp // 256, gp % 256)))
print('RETR ->', ftp.sendcmd('RETR readme.txt'))
print('  ', ftp.getresp())
print(ftp.sendcmd('SITE CHMOD 777 x'))
print(ftp.sendcmd('QUIT'))
print('after QUIT:', repr(ftp.file.readline()))
ftp.file.close()
ftp.sock.close()

second = FTP('127.0.0.1', port)
print(second.sendcmd('QUIT'))
second.file.close()
second.sock.close()
