# UDP client: connect() to the server, send, and wait for each reply with select().
import select
import socket
import sys

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.connect(("127.0.0.1", int(sys.argv[1])))
for msg in [b"one", b"two", b"three"]:
    c.send(msg)
    _, w, _ = select.select([], [c], [], 0)
    r, _, _ = select.select([c], [], [], 5)
    print("readable", r == [c], "writable", w == [c])
    print("reply", c.recv(100))
c.close()
