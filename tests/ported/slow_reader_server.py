# Reads nothing for a while (the sender's buffers fill), then everything; replies with the total.
import socket
import sys
import time

srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, _ = srv.accept()
time.sleep(2)  # (1 s: a client started late under load, as in one CI run, began after the reads did)
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    total += len(data)
print("server read", total)
conn.sendall(b"%d" % total)
conn.close()
srv.close()
