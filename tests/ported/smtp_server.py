# An SMTP-like command/response server (one client): a text makefile with newline='\r\n' (lines end only
# at CRLF, and '\n' written becomes CRLF), multi-line 250- replies, DATA with dot-unstuffing.
import socket
import sys

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(('127.0.0.1', int(sys.argv[1])))
lsock.listen(1)
print('listening on', lsock.getsockname())
conn, addr = lsock.accept()
conn.settimeout(10)
f = conn.makefile('rw', encoding='ascii', errors='replace', newline='\r\n')
f.write('220 localhost ESMTP ready\n')
f.flush()
rcpts = []
while True:
    line = f.readline(1000)
    if not line:
        print('client went away')
        break
    cmd = line.rstrip('\r\n')
    print('C:', repr(line))
    verb = cmd[:4].upper()
    if verb in ('HELO', 'EHLO'):
        f.write('250-localhost greets %s\n250-SIZE 1000000\n250-8BITMIME\n250 HELP\n' % cmd[5:])
    elif verb == 'MAIL':
        rcpts = []
        f.write('250 2.1.0 Ok\n')
    elif verb == 'RCPT':
        rcpts.append(cmd[8:].strip('<>'))
        f.write('250 2.1.5 Ok\n')
    elif verb == 'DATA':
        if not rcpts:
            f.write('503 5.5.1 Error: need RCPT command\n')
            f.flush()
            continue
        f.write('354 End data with <CR><LF>.<CR><LF>\n')
        f.flush()
        body = []
        while True:
            data_line = f.readline()
            if not data_line or data_line == '.\r\n':
                break
            if data_line.startswith('..'):
                data_line = data_line[1:]
            body.append(data_line)
        text = ''.join(body)
        print('message for', rcpts, repr(text))
        f.write('250 2.0.0 Ok: %d lines, %d chars\n' % (len(body), len(text)))
    elif verb == 'QUIT':
        f.write('221 2.0.0 Bye\n')
        f.flush()
        break
    else:
        f.write('502 5.5.2 Error: command not recognized\n')
    f.flush()
f.close()
conn.close()
lsock.close()
print('done')
