# Timeouts: accept and recv time out, then succeed; nothing is lost.
import socket
import sys

srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
srv.settimeout(0.2)
first = True
for _ in range(200):
    try:
        conn, addr = srv.accept()
        break
    except socket.timeout as e:
        if first:
            print("accept:", type(e).__name__, e, e.errno, isinstance(e, OSError))
            first = False
print("accepted; timeout inherited:", conn.gettimeout(), "blocking", conn.getblocking())
conn.settimeout(0.2)
first = True
data = b""
for _ in range(200):
    try:
        data = conn.recv(100)
        break
    except TimeoutError as e:
        if first:
            print("recv:", e)
            first = False
print("data", data)
conn.settimeout(None)
print("rest", conn.recv(100), conn.recv(100))
conn.close()
srv.close()
