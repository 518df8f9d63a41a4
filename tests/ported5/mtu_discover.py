# Foundations of Python Network Programming, 3rd ed., chapter 2: big_sender.py's path-MTU part (Linux): the
# IN module's IP_MTU_DISCOVER = 10 with IP_PMTUDISC_DO = 2 set on a connected UDP socket, a datagram past the
# MTU refused, then getsockopt(IP_MTU = 14) asked for the path's MTU (loopback's 65536).
import socket

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DO = 2
IP_MTU = 14

receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(('127.0.0.1', 0))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(receiver.getsockname())
try:
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    print('IP_MTU_DISCOVER set; reads back', sock.getsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER))
except OSError as e:
    print('setsockopt(IP_MTU_DISCOVER):', type(e).__name__, e)
try:
    sock.send(b'#' * 65508)
except socket.error as e:
    print('Alas, the datagram did not make it:', e)
    try:
        max_mtu = sock.getsockopt(socket.IPPROTO_IP, IP_MTU)
        print('Actual MTU: {}'.format(max_mtu))
    except OSError as e:
        print('getsockopt(IP_MTU):', type(e).__name__, e)
else:
    print('The big datagram was sent!')
