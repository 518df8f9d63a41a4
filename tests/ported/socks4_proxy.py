# A SOCKS4 proxy (the CONNECT command): the request parsed with struct and inet_ntoa, the target connected
# with create_connection (91 "rejected" when it refuses), then both directions relayed with select() and
# each half-close passed on with shutdown(SHUT_WR). The target is an upper-casing server that answers only
# after the request ends (EOF). Clients: a good CONNECT with 300 KB, a CONNECT to a closed port, a request
# with a bad version byte.
import select
import socket
import struct
import threading


def upper_server(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                if chunk == b"STOP":
                    return
                data += chunk
            conn.sendall(data.upper())


def relay(a, b):
    open_dirs = {a: b, b: a}
    while open_dirs:
        readable, _, _ = select.select(list(open_dirs), [], [], 10)
        if not readable:
            break
        for src in readable:
            dst = open_dirs[src]
            data = src.recv(65536)
            if data:
                dst.sendall(data)
            else:
                dst.shutdown(socket.SHUT_WR)
                del open_dirs[src]


def proxy(listener, n, log):
    for _ in range(n):
        client, _ = listener.accept()
        with client:
            head = b""
            while len(head) < 8:
                chunk = client.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
            vn, cd, port, ip = struct.unpack("!BBH4s", head)
            userid = b""
            while not userid.endswith(b"\0"):
                userid += client.recv(1)
            if vn != 4 or cd != 1:
                log.append("bad request version %d" % vn)
                client.sendall(struct.pack("!BBH4s", 0, 91, 0, b"\0\0\0\0"))
                continue
            host = socket.inet_ntoa(ip)
            try:
                target = socket.create_connection((host, port), timeout=5)
            except OSError as e:
                log.append("refused %s %s" % (type(e).__name__, e))
                client.sendall(struct.pack("!BBH4s", 0, 91, port, ip))
                continue
            log.append("connect %s user %r" % (host, userid[:-1].decode()))
            client.sendall(struct.pack("!BBH4s", 0, 90, port, ip))
            with target:
                relay(client, target)


def socks_request(proxy_addr, host, port, payload, version=4):
    with socket.create_connection(proxy_addr, timeout=10) as s:
        s.sendall(struct.pack("!BBH4s", version, 1, port, socket.inet_aton(host)) + b"alice\0")
        reply = b""
        while len(reply) < 8:
            chunk = s.recv(8 - len(reply))
            if not chunk:
                break
            reply += chunk
        vn, cd, _, _ = struct.unpack("!BBH4s", reply)
        if cd != 90:
            return cd, None
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return cd, out


target = socket.create_server(("127.0.0.1", 0))
proxy_l = socket.create_server(("127.0.0.1", 0))
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
closed_port = closed.getsockname()[1]
closed.close()  # a port nobody listens on: connects are refused
log = []
threads = [threading.Thread(target=upper_server, args=(target,)),
           threading.Thread(target=proxy, args=(proxy_l, 3, log))]
for t in threads:
    t.start()
payload = b"hello through socks " * 15000
cd, out = socks_request(proxy_l.getsockname(), "127.0.0.1", target.getsockname()[1], payload)
print("granted", cd, len(out), out == payload.upper())
print("closed port", socks_request(proxy_l.getsockname(), "127.0.0.1", closed_port, b"x"))
print("bad version", socks_request(proxy_l.getsockname(), "127.0.0.1", 1, b"x", version=5))
threads[1].join(10)
with socket.create_connection(target.getsockname()) as s:
    s.sendall(b"STOP")
threads[0].join(10)
for line in log:
    print(line)
for s in (target, proxy_l):
    s.close()
