# Wake-on-LAN, as the classic wol.py scripts send it: a magic packet (6 x 0xff, then the MAC 16 times) in a UDP
# datagram to a broadcast address with SO_BROADCAST set. Loopback only: the broadcast address is loopback's own,
# 127.255.255.255, and the "sleeping host" is a receiver bound to it. Without SO_BROADCAST the send raises
# PermissionError (EACCES); with it the packet arrives, from 127.0.0.1; a malformed MAC is refused before any
# send; several MACs in a row, each checked by the receiver; a unicast copy to 127.0.0.1 needs no SO_BROADCAST.
import errno
import socket
import threading

BCAST = "127.255.255.255"


def magic(mac):
    digits = mac.replace(":", "").replace("-", "")
    if len(digits) != 12:
        raise ValueError("bad MAC " + repr(mac))
    return b"\xff" * 6 + bytes.fromhex(digits) * 16


rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((BCAST, 0))
port = rx.getsockname()[1]
print("receiver bound to", rx.getsockname()[0])
rx.settimeout(5)
rx_u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx_u.bind(("127.0.0.1", 0))
rx_u.settimeout(5)

got = []


def receiver(n):
    for _ in range(n):
        data, addr = rx.recvfrom(1024)
        ok = len(data) == 102 and data[:6] == b"\xff" * 6 and data[6:] == data[6:12] * 16
        got.append((data[6:12].hex(":"), addr[0], ok))


t = threading.Thread(target=receiver, args=(3,))
t.start()

tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("SO_BROADCAST before:", tx.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))
try:
    tx.sendto(magic("00:11:22:33:44:55"), (BCAST, port))
    print("sent without SO_BROADCAST")
except OSError as e:
    print("without SO_BROADCAST:", type(e).__name__, errno.errorcode[e.errno])
print("bound by the failed send:", tx.getsockname()[1] != 0)
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print("SO_BROADCAST after:", tx.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) != 0)
for mac in ("00:11:22:33:44:55", "AA-BB-CC-DD-EE-FF", "zz:11", "0a0b0c0d0e0f"):
    try:
        n = tx.sendto(magic(mac), (BCAST, port))
        print("sent", n, "bytes for", mac)
    except ValueError as e:
        print("refused:", e)
t.join()
for mac, src, ok in got:
    print("woke", mac, "from", src, ok)
n = tx.sendto(magic("01:02:03:04:05:06"), ("127.0.0.1", rx_u.getsockname()[1]))
data, addr = rx_u.recvfrom(1024)
print("unicast:", n, data[6:12].hex(":"), addr[0])
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 0)
try:
    tx.sendto(b"x", (BCAST, port))
except OSError as e:
    print("after clearing:", type(e).__name__, errno.errorcode[e.errno])
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    c.connect((BCAST, port))
    print("connect to broadcast: ok")
except OSError as e:
    print("connect to broadcast:", type(e).__name__, errno.errorcode[e.errno])
c.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
c.connect((BCAST, port))
print("connected send:", c.send(magic("10:20:30:40:50:60")))
data, addr = rx.recvfrom(1024)
print("woke", data[6:12].hex(":"), "from", addr[0])
for x in (c, tx, rx, rx_u):
    x.close()
