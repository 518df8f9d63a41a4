# What classic programs print about their sockets: print(conn) and print(sock) (repr with fd, family, type, proto,
# laddr, raddr), the family/type/proto attributes, for a listener, a create_connection() client (made with
# getaddrinfo's protocol, 6), an accepted socket, socket() with an explicit protocol, UDP, closed, detached sockets.
import socket


def show(label, s, *ports):
    text = repr(s)
    for i, p in enumerate(ports):
        text = text.replace(str(p), 'P%d' % i)
    print(label, text, s.family, s.type, s.proto)


listener = socket.create_server(('127.0.0.1', 0))
port = listener.getsockname()[1]
show('listener', listener, port)
client = socket.create_connection(('127.0.0.1', port), timeout=5)
cport = client.getsockname()[1]
show('client', client, port, cport)
conn, addr = listener.accept()
show('accepted', conn, port, cport)
named = socket.create_connection(('localhost', port), timeout=5)
show('by name', named, port, named.getsockname()[1])
conn2, _ = listener.accept()
explicit = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
show('explicit', explicit)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
udp.bind(('127.0.0.1', 0))
show('udp', udp, udp.getsockname()[1])
for s in (client, conn, named, conn2, explicit, udp):
    s.close()
show('closed', client)
print('fileno after close:', client.fileno())
listener.close()
