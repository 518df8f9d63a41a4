# File transfer (networking course): send a file with sendfile() after a length header; then a second
# file from an offset with a count.
import os
import socket
import sys

path = sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, _ = srv.accept()
with open(path, "rb") as f:
    size = os.path.getsize(path)
    conn.sendall(b"%d\n" % size)
    sent = conn.sendfile(f)
    print("sent", sent, "position", f.tell())
    sent = conn.sendfile(f, 100, 50)
    print("sent from offset", sent, "position", f.tell())
conn.close()
srv.close()
