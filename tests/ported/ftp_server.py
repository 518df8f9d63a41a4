# An FTP-like server: a control connection (text makefile, CRLF replies) and, for each transfer, a
# passive data connection on a fresh port announced in a 227 reply (Foundations of Python Network
# Programming / ftplib's PASV dialogue). Serves one client, then stops.
import socket
import sys

FILES = {'readme.txt': b'Hello over a data connection\r\n' * 3, 'big.bin': bytes(range(256)) * 800}

lsock = socket.socket()
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen(1)
print('listening on', lsock.getsockname())
ctrl, addr = lsock.accept()
ctrl.settimeout(10)
rf = ctrl.makefile('r', encoding='utf-8', newline='')
wf = ctrl.makefile('w', encoding='utf-8', newline='')


def reply(text):
    wf.write(text + '\r\n')
    wf.flush()


reply('220 pysocket FTP ready')
pasv = None
transfers = 0
while True:
    line = rf.readline()
    if not line:
        break
    cmd, _, arg = line.rstrip('\r\n').partition(' ')
    cmd = cmd.upper()
    if cmd == 'USER':
        reply('331 Password required for %s' % arg)
    elif cmd == 'PASS':
        reply('230 User logged in')
    elif cmd == 'PASV':
        pasv = socket.socket()
        pasv.bind(('127.0.0.1', 0))
        pasv.listen(1)
        host, port = pasv.getsockname()
        reply('227 Entering Passive Mode (%s,%d,%d)' % (host.replace('.', ','), port >> 8, port & 0xFF))
    elif cmd in ('LIST', 'RETR', 'STOR'):
        if pasv is None:
            reply('425 Use PASV first')
            continue
        if cmd == 'RETR' and arg not in FILES:
            reply('550 %s: No such file' % arg)
            pasv.close()
            pasv = None
            continue
        reply('150 Opening data connection')
        data, _ = pasv.accept()
        pasv.close()
        pasv = None
        data.settimeout(10)
        if cmd == 'LIST':
            data.sendall(''.join('%-12s %6d\r\n' % (n, len(FILES[n])) for n in sorted(FILES)).encode())
        elif cmd == 'RETR':
            data.sendall(FILES[arg])
        else:
            chunks = []
            while True:
                chunk = data.recv(8192)
                if not chunk:
                    break
                chunks.append(chunk)
            FILES[arg] = b''.join(chunks)
        data.close()
        transfers += 1
        reply('226 Transfer complete')
    elif cmd == 'SIZE':
        reply('213 %d' % len(FILES[arg]) if arg in FILES else '550 %s: No such file' % arg)
    elif cmd == 'QUIT':
        reply('221 Goodbye')
        break
    else:
        reply('500 %s not understood' % cmd)
print('transfers', transfers, 'files', sorted(FILES))
rf.close()
wf.close()
ctrl.close()
lsock.close()
