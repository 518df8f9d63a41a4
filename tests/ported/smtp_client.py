# An smtplib-style client: sendall of CRLF commands, replies read with makefile('rb').readline,
# multi-line replies joined as smtplib's getreply() does; the message dot-stuffed.
import re
import socket
import sys

sock = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
file = sock.makefile('rb')


def getreply():
    resp = []
    while True:
        line = file.readline(8193)
        if not line:
            raise OSError('Connection unexpectedly closed')
        code = line[:3]
        resp.append(line[4:].strip(b' \t\r\n'))
        if line[3:4] != b'-':
            break
    errcode = int(code)
    return errcode, b'\n'.join(resp)


def docmd(cmd):
    sock.sendall(cmd.encode('ascii') + b'\r\n')
    return getreply()


print(getreply())
print(docmd('EHLO client.example'))
print(docmd('DATA'))
print(docmd('MAIL FROM:<alice@example.org>'))
print(docmd('RCPT TO:<bob@example.org>'))
print(docmd('RCPT TO:<carol@example.org>'))
print(docmd('DATA'))
msg = 'Subject: test\r\n\r\nHello Bob,\r\n.hidden dot line\r\n..two dots\r\nbare\nnewline and bare\rcr\r\nbye'
msg = re.sub(r'(?m)^\.', '..', msg)
sock.sendall(msg.encode('ascii') + b'\r\n.\r\n')
print(getreply())
print(docmd('NOOP'))
print(docmd('QUIT'))
print('after QUIT', file.read())
file.close()
sock.close()
