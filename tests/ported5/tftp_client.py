# A TFTP client (RFC 1350): RRQ downloads acknowledging each DATA block from the server's transfer socket (a
# new port, the TID), one ACK held back to make the server retransmit, a WRQ upload, ERROR packets printed
# with their codes, a stray packet from a wrong TID answered with ERROR 5. argv: the server's port.
import hashlib
import socket
import struct
import sys

RRQ, WRQ, DATA, ACK, ERROR = 1, 2, 3, 4, 5
server = ('127.0.0.1', int(sys.argv[1]))


def request(op, filename):
    return struct.pack('!H', op) + filename.encode() + b'\0octet\0'


def show_error(packet):
    (code,) = struct.unpack('!H', packet[2:4])
    print('  ERROR', code, repr(packet[4:-1].decode()))


def get(filename, hold_back=None, stray=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    sock.sendto(request(RRQ, filename), server)
    pieces = []
    expected = 1
    held = False
    while True:
        packet, addr = sock.recvfrom(516)
        (op,) = struct.unpack('!H', packet[:2])
        if op == ERROR:
            show_error(packet)
            sock.close()
            return None
        (block,) = struct.unpack('!H', packet[2:4])
        if expected == 1 and block == 1:
            print('  transfer port differs from the server port:', addr[1] != server[1])
        if block == expected:
            pieces.append(packet[4:])
            expected += 1
        elif block < expected:
            print('  block', block, 'again (retransmitted)')
        if block == hold_back and not held:
            held = True
            print('  holding back the ACK of block', block)
            continue
        if stray and block == 1:
            other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            other.settimeout(5)
            other.sendto(struct.pack('!HH', ACK, 1), addr)
            print('  a stray ACK from another port gets:')
            show_error(other.recvfrom(516)[0])
            other.close()
        sock.sendto(struct.pack('!HH', ACK, block), addr)
        if len(packet) - 4 < 512:
            break
    sock.close()
    data = b''.join(pieces)
    print('  got', len(data), 'bytes in', expected - 1, 'blocks, sha256', hashlib.sha256(data).hexdigest()[:16])
    return data


def put(filename, data):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    sock.sendto(request(WRQ, filename), server)
    packet, addr = sock.recvfrom(516)
    (op,) = struct.unpack('!H', packet[:2])
    if op == ERROR:
        show_error(packet)
        sock.close()
        return
    block = 1
    while True:
        chunk = data[(block - 1) * 512:block * 512]
        sock.sendto(struct.pack('!HH', DATA, block) + chunk, addr)
        packet, _ = sock.recvfrom(516)
        print('  ack', struct.unpack('!HH', packet[:4]))
        if len(chunk) < 512:
            break
        block += 1
    sock.close()


print('RRQ small.txt')
get('small.txt')
print('RRQ exact.bin (1024 bytes: two full blocks, then an empty one)')
get('exact.bin')
print('RRQ big.bin, a stray ACK, the ACK of block 2 held back once')
get('big.bin', hold_back=2, stray=True)
print('RRQ missing.txt')
get('missing.txt')
upload = b''.join(b'line %03d of the upload\n' % i for i in range(30))
print('WRQ upload.txt,', len(upload), 'bytes')
put('upload.txt', upload)
print('RRQ upload.txt')
print('  same as sent:', get('upload.txt') == upload)
print('WRQ small.txt')
put('small.txt', b'overwrite?')
print('opcode 9')
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(5)
sock.sendto(struct.pack('!H', 9) + b'junk', server)
packet, _ = sock.recvfrom(516)
show_error(packet)
sock.close()
