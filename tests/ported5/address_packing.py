# PyMOTW-3 socket_address_packing.py and socket_ipv6_address_packing.py, with the conversions course programs
# print beside them (htons/ntohl, inet_aton's short forms) and the errors bad input meets.
import binascii
import socket
import struct

for string_address in ['192.168.1.1', '127.0.0.1', '10.1', '127.1', '0x7f.1', '1']:
    packed = socket.inet_aton(string_address)
    print('Original:', string_address)
    print('Packed  :', binascii.hexlify(packed))
    print('Unpacked:', socket.inet_ntoa(packed))
    print()

address = '2002:ac10:10a:1234:21e:52ff:fe74:40e'
packed = socket.inet_pton(socket.AF_INET6, address)
print('Original:', address)
print('Packed  :', binascii.hexlify(packed))
print('Unpacked:', socket.inet_ntop(socket.AF_INET6, packed))
for a in ['::', '::1', '::ffff:10.0.0.1', 'fe80::0:0:1', '2001:db8:0:0:1:0:0:1', '1:0:0:1:0:0:0:1']:
    print(a, '->', socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a)))
print(socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, '8.8.4.4')))
print()

for n in [1, 80, 8080, 65535]:
    print('htons(%d) = %d, ntohs back = %d' % (n, socket.htons(n), socket.ntohs(socket.htons(n))))
for n in [1, 3232235777, 4294967295]:
    print('htonl(%d) = %d, ntohl back = %d' % (n, socket.htonl(n), socket.ntohl(socket.htonl(n))))
print('struct !I of 192.168.1.1:', struct.unpack('!I', socket.inet_aton('192.168.1.1'))[0])
print()


def show(label, fn, *args):
    try:
        print(label, repr(fn(*args)))
    except Exception as e:
        print(label, type(e).__name__ + ':', e)


show('inet_aton 256.1.1.1', socket.inet_aton, '256.1.1.1')
show('inet_aton empty', socket.inet_aton, '')
show('inet_pton AF_INET 1.2.3', socket.inet_pton, socket.AF_INET, '1.2.3')
show('inet_pton AF_INET6 1::2::3', socket.inet_pton, socket.AF_INET6, '1::2::3')
show('inet_pton AF_UNIX', socket.inet_pton, socket.AF_UNIX, '1.2.3.4')
show('inet_ntoa 3 bytes', socket.inet_ntoa, b'abc')
show('inet_ntop AF_INET 5 bytes', socket.inet_ntop, socket.AF_INET, b'abcde')
show('inet_ntop AF_INET6 4 bytes', socket.inet_ntop, socket.AF_INET6, b'abcd')
show('htons(70000)', socket.htons, 70000)
show('htons(-1)', socket.htons, -1)
show('htonl(2**32)', socket.htonl, 2 ** 32)
show('ntohs str', socket.ntohs, '80')
