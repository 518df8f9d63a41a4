# Sends lines with mixed line endings in awkward pieces (a \r\n split across sends), then fixed-size records.
import socket
import sys
import time

srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, _ = srv.accept()
for piece in [b"alpha\r", b"\nbeta\rgam", b"ma\n", b"caf\xc3", b"\xa9\r\n", b"last without newline"]:
    conn.sendall(piece)
    time.sleep(0.05)
conn.shutdown(socket.SHUT_WR)
print("server sent lines; reading records")
while True:
    record = conn.recv(8)
    if not record:
        break
    print("record piece", len(record))
conn.close()
srv.close()
