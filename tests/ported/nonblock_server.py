# Non-blocking accept/recv polling loop (HOWTO "Non-blocking Sockets" style, no select).
import socket
import sys
import time

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', int(sys.argv[1])))
srv.listen(5)
srv.setblocking(False)
polls = 0
conn = None
while conn is None and polls < 2000:
    try:
        conn, addr = srv.accept()
    except BlockingIOError as e:
        polls += 1
        time.sleep(0.01)
print("accepted", conn is not None, "blocking", conn.getblocking() if conn else None)
conn.setblocking(False)
got = b""
first = True
while not got.endswith(b"END") and polls < 4000:
    try:
        data = conn.recv(1024)
        if not data:
            break
        got += data
    except BlockingIOError as e:
        polls += 1
        if first:
            print("first would-block:", e.errno, e)
            first = False
        time.sleep(0.01)
print("got", got)
while True:
    try:
        sent = conn.send(b"bye")
        break
    except BlockingIOError:
        time.sleep(0.01)
print("sent", sent)
conn.close()
srv.close()
