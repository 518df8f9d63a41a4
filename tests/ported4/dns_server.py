# A toy DNS server (the peer of dns_client): queries parsed with struct, A records from a table, NXDOMAIN for
# unknown names, the first query for lossy.test dropped (the client must retry), answers too big for a
# 512-byte datagram sent truncated (TC bit) so that the client retries over TCP with a 2-byte length prefix,
# served on the same port number.
import select
import socket
import struct
import sys

TABLE = {
    'www.example.test': ['10.0.0.1'],
    'mail.example.test': ['10.0.0.25', '10.0.0.26'],
    'lossy.test': ['10.9.9.9'],
    'big.test': ['10.1.%d.%d' % (i // 250, i % 250) for i in range(40)],
}


def parse_query(data):
    ident, flags, qd, an, ns, ar = struct.unpack('!6H', data[:12])
    labels, i = [], 12
    while data[i]:
        labels.append(data[i + 1:i + 1 + data[i]].decode('ascii'))
        i += 1 + data[i]
    qtype, qclass = struct.unpack('!HH', data[i + 1:i + 5])
    return ident, '.'.join(labels).lower(), data[12:i + 5], qtype


def answer(data, limit):
    ident, name, question, qtype = parse_query(data)
    addrs = TABLE.get(name)
    rcode = 0 if addrs is not None else 3
    records = b''.join(b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + socket.inet_aton(a) for a in addrs or [])
    count = len(addrs or [])
    tc = 0
    if limit and 12 + len(question) + len(records) > limit:
        records, count, tc = b'', 0, 1
    flags = 0x8000 | 0x0400 | (tc << 9) | 0x0100 | 0x0080 | rcode
    return name, struct.pack('!6H', ident, flags, 1, count, 0, 0) + question + records


for attempt in range(20):  # a UDP port whose TCP twin is free too
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', int(sys.argv[1])))
    port = udp.getsockname()[1]
    try:
        tcp = socket.create_server(('127.0.0.1', port))
        break
    except OSError:
        udp.close()
print('listening on', port)
dropped = set()
done = False
while not done:
    r, _, _ = select.select([udp, tcp], [], [], 10)
    if not r:
        print('idle, stopping')
        break
    if udp in r:
        data, addr = udp.recvfrom(512)
        if data == b'STOP':
            done = True
            continue
        name, reply = answer(data, 512)
        if name == 'lossy.test' and name not in dropped:
            dropped.add(name)
            print('udp: dropped', name)
            continue
        print('udp:', name, len(reply), 'bytes', 'truncated' if reply[2] & 2 else '')
        udp.sendto(reply, addr)
    if tcp in r:
        conn, _ = tcp.accept()
        with conn:
            conn.settimeout(5)
            n, = struct.unpack('!H', conn.recv(2, socket.MSG_WAITALL))
            name, reply = answer(conn.recv(n, socket.MSG_WAITALL), 0)
            print('tcp:', name, len(reply), 'bytes')
            conn.sendall(struct.pack('!H', len(reply)) + reply)
udp.close()
tcp.close()
print('server done')
