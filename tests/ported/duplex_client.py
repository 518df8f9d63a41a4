# Full duplex: one thread sends 2 MB with sendall while the main thread reads the echo.
import socket
import sys
import threading

N = 2 * 1024 * 1024
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))


def sender():
    s.sendall(bytes(range(256)) * (N // 256))
    print("sender done")


t = threading.Thread(target=sender)
t.start()
got = 0
while got < N:
    data = s.recv(65536)
    if not data:
        break
    got += len(data)
t.join()
print("echoed", got)
s.close()
