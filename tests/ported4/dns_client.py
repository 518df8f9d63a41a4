# A stub resolver (the classic "build a DNS query by hand" exercise): struct-packed header and question, a
# UDP query with a timeout and retries, replies matched by id, A records parsed, NXDOMAIN reported, and a
# truncated (TC) reply retried over TCP with a 2-byte length prefix.
import random
import socket
import struct
import sys

server = ('127.0.0.1', int(sys.argv[1]))
rng = random.Random(7)


def build_query(name, ident):
    q = struct.pack('!6H', ident, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode('ascii')
    return q + b'\x00' + struct.pack('!HH', 1, 1)


def parse_reply(data):
    ident, flags, qd, an, ns, ar = struct.unpack('!6H', data[:12])
    i = 12
    while data[i]:
        i += 1 + data[i]
    i += 5
    addrs = []
    for _ in range(an):
        rtype, rclass, ttl, rdlen = struct.unpack('!HHIH', data[i + 2:i + 12])
        addrs.append((socket.inet_ntoa(data[i + 12:i + 12 + rdlen]), ttl))
        i += 12 + rdlen
    return ident, flags, addrs


def resolve(name):
    ident = rng.randrange(65536)
    query = build_query(name, ident)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        for attempt in range(1, 4):
            s.sendto(query, server)
            try:
                data, addr = s.recvfrom(512)
            except socket.timeout:
                print('  %s: attempt %d timed out' % (name, attempt))
                continue
            break
        else:
            return 'no answer'
    reply_id, flags, addrs = parse_reply(data)
    print('  %s: id matches: %s, from server: %s' % (name, reply_id == ident, addr == server))
    if flags & 0x0200:
        print('  %s: truncated, retrying over TCP' % name)
        with socket.create_connection(server, timeout=5) as c:
            c.sendall(struct.pack('!H', len(query)) + query)
            n, = struct.unpack('!H', c.recv(2, socket.MSG_WAITALL))
            reply_id, flags, addrs = parse_reply(c.recv(n, socket.MSG_WAITALL))
    if flags & 0x000f == 3:
        return 'NXDOMAIN'
    return [a for a, ttl in addrs]


for name in ['www.example.test', 'mail.example.test', 'nosuch.example.test', 'lossy.test', 'BIG.test']:
    result = resolve(name)
    print(name, '->', result if len(result) < 5 or isinstance(result, str) else result[:3] + ['...', len(result)])
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.sendto(b'STOP', server)
