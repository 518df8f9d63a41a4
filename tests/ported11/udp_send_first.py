# The UDP beginner's mistakes, as Q&A threads show them: send() on a socket that has no destination
# (EDESTADDRREQ; sendmsg() without an address the same; a sendto() of 70000 bytes: EMSGSIZE), what the kernel did meanwhile (it bound the socket to an
# ephemeral port before finding no destination, so a later bind() raises EINVAL and getsockname() shows the
# port), then the fixes: sendto() with the address, or connect() then send(); an echo peer answers each.
# argv[1] == "fixes": leave out what the failed send did to the socket (the port, the bind).
import errno
import socket
import sys
import threading

fixes_only = sys.argv[1:] == ["fixes"]


def report(label, fn):
    try:
        r = fn()
        print(label, "->", r)
    except OSError as e:
        print(label, "->", type(e).__name__, errno.errorcode[e.errno])


peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
peer.bind(("127.0.0.1", 0))
peer.settimeout(5)


def echo():
    for _ in range(3):
        data, addr = peer.recvfrom(64)
        peer.sendto(data.upper(), addr)


t = threading.Thread(target=echo)
t.start()

for how in ("send", "sendmsg", "big sendto"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    print("== " + how)
    print("port before:", s.getsockname()[1])
    if how == "send":
        report("send without a destination", lambda: s.send(b"hi"))
    elif how == "sendmsg":
        report("sendmsg without an address", lambda: s.sendmsg([b"h", b"i"]))
    else:
        report("sendto of 70000 bytes", lambda: s.sendto(b"x" * 70000, peer.getsockname()))
    if not fixes_only:
        print("bound by the failed send:", s.getsockname()[0], s.getsockname()[1] != 0)
        report("bind afterwards", lambda: s.bind(("127.0.0.1", 0)))
    if how != "sendmsg":
        s.sendto(b"fixed by sendto", peer.getsockname())
    else:
        s.connect(peer.getsockname())
        s.send(b"fixed by connect")
    print("reply:", s.recvfrom(64)[0])
    s.close()
t.join()
peer.close()
