# Client: send, shutdown(SHUT_WR), read to EOF; then send after SHUT_WR fails.
import socket
import sys

for msg in [b"first request", b""]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.sendall(msg)
    s.shutdown(socket.SHUT_WR)
    try:
        s.send(b"more")
    except OSError as e:
        print("send after SHUT_WR:", type(e).__name__, e)
    reply = b""
    while True:
        data = s.recv(3)
        if not data:
            break
        reply += data
    print("reply", reply, "again", s.recv(10))
    s.close()
