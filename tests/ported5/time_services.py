# The small Internet services on loopback, each over TCP and UDP with socketserver (ThreadingMixIn servers
# in threads): Time (RFC 868, four bytes of seconds since 1900, struct '!I'), Daytime (RFC 867, ctime text)
# and Quote of the Day (RFC 865, under 512 characters). The clients check what they get against their own
# clock, so nothing printed depends on the moment.
import socket
import socketserver
import struct
import threading
import time

TIME1970 = 2208988800  # seconds from 1900-01-01 to 1970-01-01
QUOTE = b'"The network is reliable." -- the first fallacy of distributed computing\r\n'


def rfc868_now():
    return struct.pack('!I', int(time.time()) + TIME1970)


def daytime_now():
    return (time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime()) + '\r\n').encode('ascii')


class TimeTCP(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(rfc868_now())


class TimeUDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(rfc868_now(), self.client_address)


class DaytimeTCP(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(daytime_now())


class DaytimeUDP(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(daytime_now())


class QotdTCP(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(QUOTE)


class QotdUDP(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(QUOTE)


servers = {}
for name, tcp, udp in [('time', TimeTCP, TimeUDP), ('daytime', DaytimeTCP, DaytimeUDP), ('qotd', QotdTCP, QotdUDP)]:
    t = socketserver.ThreadingTCPServer(('127.0.0.1', 0), tcp)
    u = socketserver.ThreadingUDPServer(('127.0.0.1', 0), udp)
    servers[name] = (t, u)
    for s in (t, u):
        threading.Thread(target=s.serve_forever, daemon=True).start()


def tcp_get(name):
    with socket.create_connection(servers[name][0].server_address, timeout=5) as s:
        chunks = []
        while True:
            data = s.recv(1024)
            if not data:
                return b''.join(chunks)
            chunks.append(data)


def udp_get(name, payload=b''):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(payload, servers[name][1].server_address)
        data, addr = s.recvfrom(1024)
        print('  reply from the server address:', addr == servers[name][1].server_address)
        return data


def check_time(data):
    (secs,) = struct.unpack('!I', data)
    print('  4 bytes:', len(data) == 4, 'within 5 s of our clock:', abs(secs - TIME1970 - time.time()) < 5)


def check_daytime(data):
    text = data.decode('ascii')
    parsed = time.strptime(text.strip(), '%a %b %d %H:%M:%S %Y')
    delta = abs(time.mktime(parsed) - time.mktime(time.gmtime()))
    print('  ends with CRLF:', text.endswith('\r\n'), 'length:', len(text), 'within 5 s:', delta < 5)


print('time over TCP')
check_time(tcp_get('time'))
print('time over UDP (an empty datagram asks)')
check_time(udp_get('time'))
print('daytime over TCP')
check_daytime(tcp_get('daytime'))
print('daytime over UDP (the datagram content is ignored)')
check_daytime(udp_get('daytime', b'what time is it?'))
print('qotd over TCP')
q = tcp_get('qotd')
print(' ', q, len(q) < 512)
print('qotd over UDP')
print(' ', udp_get('qotd', b'x' * 100) == QUOTE)
print('ten time requests over UDP at once')
socks = []
for i in range(10):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(b'', servers['time'][1].server_address)
    socks.append(s)
print('  answers:', sum(len(s.recv(16)) == 4 for s in socks))
for s in socks:
    s.close()
for t, u in servers.values():
    for s in (t, u):
        s.shutdown()
        s.server_close()
print('after server_close, TCP time:', end=' ')
try:
    tcp_get('time')
except ConnectionRefusedError as e:
    print(type(e).__name__, e)
