# UDP client names, "Foundations of Python Network Programming" style (udp_remote.py): a client that
# connect()s prints its socket name, and the server prints who wrote. Clients: unbound with sendto, connected
# at once, bound to ('', 0) then connected, bound to ('0.0.0.0', 0) with sendmsg/recvmsg, and an IPv6 one
# bound to '::' talking to '::1'. The server answers with sendto and checks each client's view of itself.
import socket
import threading

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 0))
seen = []


def serve(n):
    for _ in range(n):
        data, address = server.recvfrom(1024)
        seen.append(address)
        server.sendto(b"Your data was %d bytes long" % len(data), address)


t = threading.Thread(target=serve, args=(5,))
t.start()
host, port = server.getsockname()


def port_free(name):
    return (name[0], name[1] > 0)


a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.settimeout(5)
print("a before", a.getsockname())
a.sendto(b"unbound client", (host, port))
print("a after sendto", port_free(a.getsockname()))
data, address = a.recvfrom(1024)
print("a got", data, "from server", address == (host, port))
print("server saw a as", seen[-1][0], "same port", seen[-1][1] == a.getsockname()[1])

b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.settimeout(5)
b.connect((host, port))
print("Client socket name is", port_free(b.getsockname()))
b.send(b"connected client")
print("b got", b.recv(1024))
print("server saw b", seen[-1] == b.getsockname())

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(5)
c.bind(("", 0))
print("c bound", port_free(c.getsockname()))
c.connect((host, port))
print("c connected", port_free(c.getsockname()), "peer", c.getpeername() == (host, port))
c.send(b"bound then connected")
print("c got", c.recv(1024), "server saw c", seen[-1] == c.getsockname())

d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d.settimeout(5)
d.bind(("0.0.0.0", 0))
d.connect(("localhost", port))
print("d connected", port_free(d.getsockname()))
print("d sendmsg", d.sendmsg([b"scatter ", b"gather"]))
msg, anc, flags, addr = d.recvmsg(1024)
print("d recvmsg", msg, anc, flags, addr == (host, port), "server saw d", seen[-1] == d.getsockname())

e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
e.settimeout(5)
e.connect(("127.0.0.2", port + 1 if port < 65535 else port - 1))
print("e to 127.0.0.2", port_free(e.getsockname()))
e.connect((host, port))
e.send(b"moved")
print("e got", e.recv(1024), "server saw e", seen[-1] == e.getsockname())
t.join(5)
for s in (a, b, c, d, e, server):
    s.close()

s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.bind(("::1", 0))
c6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c6.bind(("::", 0))
c6.connect(s6.getsockname()[:2])
print("c6", port_free(c6.getsockname()), len(c6.getsockname()))
c6.send(b"v6")
data, address = s6.recvfrom(100)
print("s6 saw c6", data, address == c6.getsockname())
m6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
m6.connect(("::ffff:127.0.0.1", 9))
print("m6", port_free(m6.getsockname()))
for s in (s6, c6, m6):
    s.close()
