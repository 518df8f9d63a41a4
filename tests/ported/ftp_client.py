# An ftplib-style client: commands on the control connection, replies read with readline; PASV parsed
# with a regular expression as ftplib's parse227 does; data read to EOF on a second connection.
import hashlib
import re
import socket
import sys

ctrl = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
f = ctrl.makefile('rb')


def getresp():
    line = f.readline().decode('utf-8').rstrip('\r\n')
    return line


def cmd(text):
    ctrl.sendall((text + '\r\n').encode('utf-8'))
    resp = getresp()
    print('>', text.split()[0], '<', resp if not resp.startswith('227') else resp[:26])
    return resp


def pasv():
    resp = cmd('PASV')
    m = re.search(r'(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)', resp)
    numbers = m.groups()
    host = '.'.join(numbers[:4])
    port = (int(numbers[4]) << 8) + int(numbers[5])
    return host, port


def transfer(command, upload=None):
    host, port = pasv()
    data = socket.create_connection((host, port), timeout=10)
    resp = cmd(command)
    if not resp.startswith('1'):
        data.close()
        return None
    if upload is not None:
        data.sendall(upload)
        data.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        chunk = data.recv(4096)
        if not chunk:
            break
        chunks.append(chunk)
    data.close()
    print('  end:', getresp())
    return b''.join(chunks)


print('welcome:', getresp())
cmd('USER anonymous')
cmd('PASS guest@')
cmd('RETR readme.txt')
print('listing', transfer('LIST'))
print('readme', transfer('RETR readme.txt'))
big = transfer('RETR big.bin')
print('big', len(big), hashlib.sha256(big).hexdigest()[:16])
print('missing', transfer('RETR nope.txt'))
print('upload', transfer('STOR notes.txt', b'uploaded\r\nfrom the client\r\n'))
cmd('SIZE notes.txt')
cmd('NOOP')
cmd('QUIT')
print('after QUIT', f.read())
f.close()
ctrl.close()
