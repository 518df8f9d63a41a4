# A client with a receiver thread; the main thread stops it with shutdown(SHUT_RDWR) (the classic way to wake a blocked recv).
import socket
import sys
import threading
import time

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
received = []


def receiver():
    total = 0
    while True:
        data = s.recv(1024)
        if not data:
            break
        total += len(data)
        received.append(data)
    print("receiver: EOF after", total, "bytes")


t = threading.Thread(target=receiver)
t.start()
for i in range(5):
    s.sendall(b"line %d\n" % i)
    time.sleep(0.05)
for _ in range(100):
    if len(b"".join(received)) >= 35:
        break
    time.sleep(0.05)
print("echoed", b"".join(received).count(b"\n"), "lines")
s.shutdown(socket.SHUT_RDWR)
t.join(10)
print("receiver alive:", t.is_alive())
s.close()
