# Unix datagram client for ss_unixdg_server: binds its own path (so replies can reach it), sends, waits
# for each reply with a timeout.
import os
import socket
import sys

server = sys.argv[1]
me = server + '.client'
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(me)
sock.settimeout(10)
print('bound', os.path.basename(sock.getsockname()))
for msg in [b'hello', b'', b'x' * 3000, b'quit']:
    sock.sendto(msg, server)
    data, addr = sock.recvfrom(8192)
    print('reply', len(data), data[:24], addr == server)
sock.close()
os.unlink(me)
print('done')
