# Request/response over Unix datagram sockets, a server bound to a path in a temp dir and one bound to an abstract
# name: clients bound to their own path or abstract name send numbered requests, the server answers to
# recvfrom()'s address, a client with settimeout(0.3) asks a server that is gone (its path removed: the sendto()
# fails with FileNotFoundError) and one whose socket stays bound but never answers (TimeoutError). Addresses are
# compared, not printed.
import os
import socket
import tempfile
import threading

tmp = tempfile.mkdtemp()
SPATH = os.path.join(tmp, "srv.sock")
ABSTRACT = "\0pysocket-port16-%d" % os.getpid()


def serve(sock, n):
    for _ in range(n):
        data, addr = sock.recvfrom(1024)
        op, _, arg = data.decode().partition(" ")
        if op == "UPPER":
            reply = arg.upper()
        elif op == "SUM":
            reply = str(sum(int(x) for x in arg.split()))
        else:
            reply = "ERR " + op
        sock.sendto(reply.encode(), addr)


servers = []
for addr in (SPATH, ABSTRACT):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(addr)
    servers.append(s)
threads = [threading.Thread(target=serve, args=(s, 3)) for s in servers]
for t in threads:
    t.start()
for caddr, saddr in ((os.path.join(tmp, "cli.sock"), SPATH), (ABSTRACT + "-cli", ABSTRACT)):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.bind(caddr)
    c.settimeout(5)
    for req in ("UPPER hello there", "SUM 1 2 3 4", "NOPE"):
        c.sendto(req.encode(), saddr)
        data, frm = c.recvfrom(1024)
        print(req, "->", data.decode(), "from server:", frm == (saddr if saddr == SPATH else saddr.encode()))
    c.close()
for t in threads:
    t.join()
for s in servers:
    s.close()
os.unlink(SPATH)
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.bind(os.path.join(tmp, "cli2.sock"))
c.settimeout(0.3)
try:
    c.sendto(b"UPPER x", SPATH)
except OSError as e:
    print("gone server:", type(e).__name__, e.errno)
mute = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
mute.bind(SPATH)
c.sendto(b"UPPER x", SPATH)
try:
    c.recvfrom(1024)
except socket.timeout as e:
    print("mute server:", type(e).__name__, e)
print("mute server got:", mute.recv(100))
c.close()
mute.close()
for name in sorted(os.listdir(tmp)):
    print("left in tmp:", name)
    os.unlink(os.path.join(tmp, name))
os.rmdir(tmp)
