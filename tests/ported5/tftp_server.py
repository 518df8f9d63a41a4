# A TFTP server (RFC 1350) over UDP: RRQ and WRQ on the well-known socket, each transfer on a new socket (its
# own TID), 512-byte DATA blocks acknowledged one by one, a retransmit when an ACK does not come in time, a
# final short (possibly empty) block, ERROR packets (1 file not found, 4 illegal operation, 5 unknown
# transfer ID, 6 file already exists). Serves a set number of requests, then exits. argv: port.
import socket
import struct
import sys

RRQ, WRQ, DATA, ACK, ERROR = 1, 2, 3, 4, 5
BLOCK = 512
files = {
    'small.txt': b'A small file.\n' * 7,
    'exact.bin': bytes(range(256)) * 4,
    'big.bin': bytes((i * 7) % 251 for i in range(1500)),
}


def error(sock, addr, code, msg):
    sock.sendto(struct.pack('!HH', ERROR, code) + msg.encode() + b'\0', addr)


def send_file(sock, addr, data):
    block = 1
    while True:
        chunk = data[(block - 1) * BLOCK:block * BLOCK]
        packet = struct.pack('!HH', DATA, block) + chunk
        for attempt in range(5):
            sock.sendto(packet, addr)
            try:
                while True:
                    reply, raddr = sock.recvfrom(516)
                    if raddr != addr:
                        error(sock, raddr, 5, 'Unknown transfer ID')
                        continue
                    break
            except socket.timeout:
                print('  timeout waiting for ACK %d, retransmitting (try %d)' % (block, attempt + 1))
                continue
            op, n = struct.unpack('!HH', reply[:4])
            if op == ACK and n == block:
                break
            print('  unexpected packet', op, n)
        else:
            print('  giving up on block', block)
            return False
        if len(chunk) < BLOCK:
            return True
        block += 1


def receive_file(sock, addr):
    pieces = []
    expected = 1
    sock.sendto(struct.pack('!HH', ACK, 0), addr)
    while True:
        packet, raddr = sock.recvfrom(516)
        op, n = struct.unpack('!HH', packet[:4])
        if op != DATA:
            error(sock, raddr, 4, 'Illegal TFTP operation')
            return None
        if n == expected:
            pieces.append(packet[4:])
            expected += 1
        sock.sendto(struct.pack('!HH', ACK, n), addr)
        if len(packet) - 4 < BLOCK:
            return b''.join(pieces)


main = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
main.bind(('127.0.0.1', int(sys.argv[1])))
print('TFTP server on port', main.getsockname()[1])
for _ in range(8):
    packet, addr = main.recvfrom(516)
    (op,) = struct.unpack('!H', packet[:2])
    tid = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tid.bind(('127.0.0.1', 0))
    tid.settimeout(0.5)
    if op in (RRQ, WRQ):
        filename, mode, _ = packet[2:].split(b'\0')
        filename = filename.decode()
        print('%s %r mode %r' % ('RRQ' if op == RRQ else 'WRQ', filename, mode.decode()))
        if op == RRQ:
            if filename not in files:
                error(tid, addr, 1, 'File not found')
                print('  error 1: File not found')
            elif send_file(tid, addr, files[filename]):
                print('  sent', len(files[filename]), 'bytes')
        else:
            if filename in files:
                error(tid, addr, 6, 'File already exists')
                print('  error 6: File already exists')
            else:
                tid.settimeout(5)
                data = receive_file(tid, addr)
                if data is not None:
                    files[filename] = data
                    print('  received', len(data), 'bytes')
    else:
        print('illegal opcode', op)
        error(tid, addr, 4, 'Illegal TFTP operation')
    tid.close()
main.close()
print('server done')
