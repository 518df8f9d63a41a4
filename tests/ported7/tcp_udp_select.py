# GeeksforGeeks' "TCP and UDP server using select": one select() over a TCP listener and a UDP socket bound
# to the same port number, here for IPv4 (127.0.0.1) and IPv6 (::1) at once. A TCP client gets its message
# answered and the connection closed; a UDP datagram is answered to its sender (IPv6 senders are 4-tuples).
# The server runs in a thread and stops after a set number of requests; its lines print after the clients'.
import errno
import select
import socket
import threading

log = []


def bind_pair(family, host):
    for _ in range(20):
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((host, 0))
        tcp.listen(10)
        port = tcp.getsockname()[1]
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            udp.bind((host, port))
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            tcp.close()
            udp.close()
            continue
        return tcp, udp, port
    raise RuntimeError('no free port pair')


def server(sockets, count):
    inputs = [s for pair in sockets for s in pair]
    served = 0
    while served < count:
        inputready, outputready, exceptready = select.select(inputs, [], [])
        for s in inputready:
            if s.type == socket.SOCK_STREAM:
                client, address = s.accept()
                message = client.recv(1024)
                log.append('TCP {} from {}: {!r}'.format(s.family.name, address[0], message))
                client.send(b'Hello TCP client: ' + message.upper())
                client.close()
            else:
                data, addr = s.recvfrom(1024)
                log.append('UDP {} from {} ({} fields): {!r}'.format(s.family.name, addr[0], len(addr), data))
                s.sendto(b'Hello UDP client: ' + data.upper(), addr)
            served += 1
    for s in inputs:
        s.close()


tcp4, udp4, port4 = bind_pair(socket.AF_INET, '127.0.0.1')
tcp6, udp6, port6 = bind_pair(socket.AF_INET6, '::1')
print('TCP and UDP share a port:', tcp4.getsockname()[1] == udp4.getsockname()[1],
      tcp6.getsockname()[1] == udp6.getsockname()[1])
t = threading.Thread(target=server, args=([(tcp4, udp4), (tcp6, udp6)], 8))
t.start()

for family, host, port in ((socket.AF_INET, '127.0.0.1', port4), (socket.AF_INET6, '::1', port6)):
    for i in range(2):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.connect((host, port))
        c.sendall('tcp message {}'.format(i).encode())
        print('TCP client got', c.recv(1024), 'then', c.recv(1024))
        c.close()
        u = socket.socket(family, socket.SOCK_DGRAM)
        u.settimeout(10)
        u.sendto('udp message {}'.format(i).encode(), (host, port))
        data, addr = u.recvfrom(1024)
        print('UDP client got', data, 'from the same port:', addr[1] == port, 'fields', len(addr))
        u.close()
t.join(30)
for line in log:
    print(line)
