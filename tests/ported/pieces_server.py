# Sends 1000 bytes in 10 pieces of 100, 50 ms apart, then 7 more and closes.
import socket
import sys
import time

srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, _ = srv.accept()
for i in range(10):
    conn.sendall(b"%03d" % i + b"." * 97)
    time.sleep(0.05)
conn.sendall(b"the end")
conn.close()
srv.close()
print("sent 1007")
