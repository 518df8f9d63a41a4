# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.3: creating a UDP server. The recipe's time server
# on socketserver.UDPServer (msg, sock = self.request; sock.sendto(time.ctime()...)), its ThreadingUDPServer
# variant, and the plain-socket time_server() (recvfrom/sendto), each on a free loopback port with a client as
# in the book's session: s.sendto(b'', ...) then s.recvfrom(8192). Also over IPv6 (address_family = AF_INET6,
# ::1). Ports and times change each run: the sender is printed as host and 'same port' check, times as TIME.
import re
import socket
import threading
import time
from socket import AF_INET, AF_INET6, SOCK_DGRAM
from socketserver import BaseRequestHandler, ThreadingUDPServer, UDPServer

CTIME = re.compile(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$')


def stamp(t):
    return 'TIME' if CTIME.match(t) else 'BAD ' + t


class TimeHandler(BaseRequestHandler):
    def handle(self):
        print('Got connection from', self.client_address[0])
        # Get message and client socket
        msg, sock = self.request
        print('message:', msg)
        resp = time.ctime()
        sock.sendto(resp.encode('ascii'), self.client_address)


class TimeServer6(UDPServer):
    address_family = AF_INET6


def ask(family, address, msgs):
    s = socket.socket(family, SOCK_DGRAM)
    for m in msgs:
        s.sendto(m, address)
        data, addr = s.recvfrom(8192)
        print('reply', stamp(data.decode('ascii')), 'from the server:', addr[:2] == address[:2])
    s.close()


for cls, family, host in [(UDPServer, AF_INET, '127.0.0.1'), (ThreadingUDPServer, AF_INET, '127.0.0.1'),
                          (TimeServer6, AF_INET6, '::1')]:
    serv = cls((host, 0), TimeHandler)
    t = threading.Thread(target=serv.serve_forever)
    t.start()
    print(cls.__name__, 'socket type:', serv.socket.type == SOCK_DGRAM, 'family:', serv.address_family == family)
    ask(family, serv.server_address, [b'', b'what time is it?'])
    serv.shutdown()
    t.join()
    serv.server_close()


def time_server(sock, count):
    for _ in range(count):
        msg, addr = sock.recvfrom(8192)
        print('Got message from', addr[0], msg)
        resp = time.ctime()
        sock.sendto(resp.encode('ascii'), addr)


sock = socket.socket(AF_INET, SOCK_DGRAM)
sock.bind(('127.0.0.1', 0))
t = threading.Thread(target=time_server, args=(sock, 3))
t.start()
ask(AF_INET, sock.getsockname(), [b'', b'x' * 100, b'\x00'])
t.join()
sock.close()
