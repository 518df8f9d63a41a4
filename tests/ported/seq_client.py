# A client that sends messages one at a time and waits for each echo, on two connections in turn.
import socket
import sys
import time

for n in range(2):
    s = socket.create_connection(("localhost", int(sys.argv[1])))
    for msg in [b"first", b"second"]:
        s.sendall(msg)
        print("echo", s.recv(100))
    s.close()
    time.sleep(0.3)  # the server sees the close before the next connection
