# A tiny inetd: one selectors loop serving the classic small services at once on loopback: echo (TCP and
# UDP), discard (TCP), daytime-like "chargen" (TCP, a fixed 74-character line pattern), and a quit service.
# Listeners are registered with a handler as the key's data; accepted sockets get their own handlers.
import selectors
import socket
import threading

sel = selectors.DefaultSelector()
log = []


def chargen_line(i):
    chars = "".join(chr(c) for c in range(33, 127))
    start = i % len(chars)
    return (chars + chars)[start:start + 72] + "\r\n"


def tcp_listener(name, on_conn):
    l = socket.create_server(("127.0.0.1", 0))
    l.setblocking(False)

    def accept(sock):
        conn, _ = sock.accept()
        conn.setblocking(False)
        on_conn(conn)

    sel.register(l, selectors.EVENT_READ, accept)
    return l


def echo_conn(conn):
    def readable(sock):
        data = sock.recv(4096)
        if data:
            sock.setblocking(True)
            sock.sendall(data)
            sock.setblocking(False)
        else:
            log.append("echo closed")
            sel.unregister(sock)
            sock.close()
    sel.register(conn, selectors.EVENT_READ, readable)


def discard_conn(conn):
    total = [0]

    def readable(sock):
        data = sock.recv(4096)
        total[0] += len(data)
        if not data:
            log.append("discarded %d bytes" % total[0])
            sel.unregister(sock)
            sock.close()
    sel.register(conn, selectors.EVENT_READ, readable)


def chargen_conn(conn):
    conn.setblocking(True)
    conn.sendall("".join(chargen_line(i) for i in range(5)).encode())
    conn.shutdown(socket.SHUT_WR)
    conn.close()
    log.append("chargen sent 5 lines")


running = [True]


def quit_conn(conn):
    conn.close()
    running[0] = False


ports = {}
listeners = []
for name, handler in [("echo", echo_conn), ("discard", discard_conn), ("chargen", chargen_conn), ("quit", quit_conn)]:
    l = tcp_listener(name, handler)
    listeners.append(l)
    ports[name] = l.getsockname()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
udp.setblocking(False)


def udp_echo(sock):
    data, addr = sock.recvfrom(65535)
    sock.sendto(data, addr)


sel.register(udp, selectors.EVENT_READ, udp_echo)
ports["udp echo"] = udp.getsockname()


def loop():
    while running[0]:
        for key, mask in sel.select(1):
            key.data(key.fileobj)


t = threading.Thread(target=loop)
t.start()

with socket.create_connection(ports["echo"], timeout=5) as s:
    for word in (b"alpha", b"beta", b"gamma" * 1000):
        s.sendall(word)
        got = b""
        while len(got) < len(word):
            got += s.recv(65536)
        print("echo", len(word), got == word)
with socket.create_connection(ports["discard"], timeout=5) as s:
    s.sendall(b"x" * 100000)
    s.shutdown(socket.SHUT_WR)
    print("discard reply", s.recv(10))
with socket.create_connection(ports["chargen"], timeout=5) as s:
    f = s.makefile("r", newline="")
    lines = f.readlines()
    print("chargen", len(lines), repr(lines[0]), repr(lines[-1]))
    f.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
for msg in (b"one", b"", b"three" * 100):
    u.sendto(msg, ports["udp echo"])
    data, addr = u.recvfrom(65535)
    print("udp echo", len(msg), data == msg, addr == ports["udp echo"])
u.close()
socket.create_connection(ports["quit"]).close()
t.join(10)
print("loop ended", not t.is_alive())
for line in sorted(log):
    print(line)
for l in listeners + [udp]:
    sel.unregister(l)
    l.close()
sel.close()
