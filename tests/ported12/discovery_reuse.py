# LAN service discovery as several programs on one host run it: each listener sets SO_REUSEADDR and binds the
# same broadcast port, so every one of them gets a copy of each announcement broadcast to it (loopback only: the
# broadcast address is 127.255.255.255, loopback's own). A listener without SO_REUSEADDR cannot bind the port
# (EADDRINUSE); one that closes stops getting copies while the others go on; each listener answers the announcer
# by unicast to recvfrom()'s address, and the announcer collects the answers. Ports are not printed.
import errno
import socket

BCAST = "127.255.255.255"


def listener(reuse=True, port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((BCAST, port))
    s.settimeout(2)
    return s


a = listener()
PORT = a.getsockname()[1]
b = listener(port=PORT)
print("two listeners on one port:", a.getsockname() == b.getsockname())
try:
    listener(reuse=False, port=PORT)
except OSError as e:
    print("a third without SO_REUSEADDR:", type(e).__name__, errno.errorcode[e.errno])
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    c.bind((BCAST, PORT))
    print("a third with SO_REUSEADDR: bound")
except OSError as e:
    print("a third with SO_REUSEADDR:", type(e).__name__, errno.errorcode[e.errno])
c.settimeout(2)
listeners = {"app-a": a, "app-b": b, "app-c": c}

ann = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ann.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
ann.bind(("127.0.0.1", 0))
ann.settimeout(0.5)


def round_(msg):
    ann.sendto(msg.encode(), (BCAST, PORT))
    for name, s in sorted(listeners.items()):
        data, addr = s.recvfrom(100)
        s.sendto(f"{name} heard {data.decode()}".encode(), addr)
    answers = []
    while True:
        try:
            data, addr = ann.recvfrom(100)
        except TimeoutError:
            break
        answers.append(data.decode())
    print(msg, "->", sorted(answers))


round_("ANNOUNCE printer")
round_("ANNOUNCE scanner")
listeners.pop("app-b").close()
round_("ANNOUNCE after app-b left")
for s in listeners.values():
    s.settimeout(0.3)
    try:
        print("left over:", s.recvfrom(100))
    except TimeoutError:
        print("nothing left over")
for s in (*listeners.values(), ann):
    s.close()
