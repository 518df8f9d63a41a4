# A minimal FTP server in active mode only (RFC 959): the client names its data port with PORT
# h1,h2,h3,h4,p1,p2 or EPRT |1|host|port| (RFC 2428), and for LIST, RETR and STOR the server connects back
# to it: 150, the transfer, closing the data connection, 226. Like real servers it refuses a PORT naming
# another host than the control connection's peer (the FTP bounce attack): only loopback is ever dialled.
# Serves two sessions, one at a time, then exits; the first line names its port.
import socket
import sys

FILES = {'readme.txt': b'Welcome to the loopback FTP server.\r\nNothing to see here.\r\n',
         'big.bin': bytes(range(256)) * 300}

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', int(sys.argv[1])))
srv.listen(1)
print('ftp server on port', srv.getsockname()[1])


def session(conn, peer):
    f = conn.makefile('rb')

    def reply(text):
        conn.sendall(text.encode() + b'\r\n')

    reply('220 loopback FTP ready')
    data_addr = None
    user = None
    while True:
        line = f.readline(1024)
        if not line:
            print('control connection closed')
            break
        cmd, _, arg = line.decode('ascii', 'replace').strip().partition(' ')
        cmd = cmd.upper()
        print('command', cmd, '****' if cmd == 'PASS' else '(an address)' if cmd in ('PORT', 'EPRT') else arg)
        if cmd == 'USER':
            user = arg
            reply('331 Password required for %s' % arg)
        elif cmd == 'PASS':
            reply('230 User %s logged in' % user if user else '503 Login with USER first')
        elif cmd == 'TYPE':
            reply('200 Type set to %s' % arg)
        elif cmd in ('PORT', 'EPRT'):
            try:
                if cmd == 'PORT':
                    nums = [int(x) for x in arg.split(',')]
                    if len(nums) != 6 or not all(0 <= n <= 255 for n in nums):
                        raise ValueError
                    host, port = '.'.join(map(str, nums[:4])), nums[4] * 256 + nums[5]
                else:
                    d = arg[0]
                    proto, host, port = arg[1:-1].split(d)
                    if proto != '1':
                        reply('522 Network protocol not supported, use (1)')
                        continue
                    port = int(port)
            except (ValueError, IndexError):
                reply('501 Syntax error in parameters or arguments')
                continue
            if host != peer[0]:
                print('refused a data address on another host')
                reply('500 Illegal %s command' % cmd)
                continue
            data_addr = (host, port)
            reply('200 %s command successful' % cmd)
        elif cmd in ('LIST', 'RETR', 'STOR'):
            if data_addr is None:
                reply('425 Use PORT or EPRT first')
                continue
            if cmd == 'RETR' and arg not in FILES:
                reply('550 %s: No such file or directory' % arg)
                continue
            reply('150 Opening BINARY mode data connection')
            try:
                data = socket.create_connection(data_addr, timeout=10)
            except OSError as e:
                data_addr = None
                reply("425 Can't open data connection: %s" % e.strerror)
                continue
            data_addr = None
            print('data connection from', data.getsockname()[0], 'to', data.getpeername()[0])
            if cmd == 'LIST':
                listing = ''.join('-rw-r--r-- 1 ftp ftp %8d Jan 01 00:00 %s\r\n' % (len(v), k)
                                  for k, v in sorted(FILES.items()))
                data.sendall(listing.encode())
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
                print('stored', arg, len(FILES[arg]), 'bytes')
            data.close()
            reply('226 Transfer complete')
        elif cmd == 'QUIT':
            reply('221 Goodbye')
            break
        else:
            reply('502 Command not implemented')
    f.close()
    conn.close()


for _ in range(2):
    conn, peer = srv.accept()
    session(conn, peer)
srv.close()
