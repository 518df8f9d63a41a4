# An accept loop in a thread, stopped by shutdown(SHUT_RDWR) of the listening socket.
import socket
import threading

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
accepted = []


def accept_loop():
    while True:
        try:
            conn, addr = srv.accept()
        except OSError as e:
            print("accept loop ended:", type(e).__name__, e)
            return
        accepted.append(conn)


t = threading.Thread(target=accept_loop)
t.start()
clients = [socket.create_connection(srv.getsockname()) for _ in range(2)]
for c in clients:
    c.sendall(b"x")
for _ in range(100):
    if len(accepted) == 2:
        break
    threading.Event().wait(0.05)
print("accepted", len(accepted))
srv.shutdown(socket.SHUT_RDWR)
t.join(10)
print("thread alive:", t.is_alive())
try:
    print(socket.create_connection(srv.getsockname(), timeout=2))
except OSError as e:
    print("connect after shutdown:", type(e).__name__, e)
srv.close()
for c in clients + accepted:
    c.close()
