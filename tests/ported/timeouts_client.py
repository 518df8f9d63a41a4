# Connect late, send late, then send the rest and close.
import socket
import sys
import time

time.sleep(0.7)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(0.7)
s.sendall(b"late data")
time.sleep(0.2)
s.sendall(b"rest")
time.sleep(0.2)
s.close()
print("client done")
