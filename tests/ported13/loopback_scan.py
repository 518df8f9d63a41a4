# A "port scanner" of loopback ports, nothing but 127.0.0.1: ports known to be closed (bound, then closed), one open
# listener that serves a banner, and one listener that never accepts (its backlog takes the connect). Blocking
# connect_ex() with settimeout(0.5) gives each port's state; the open ports' banners are grabbed with a timed
# recv() (the silent one times out); create_connection(all_errors=True) over the closed ports raises an
# ExceptionGroup of ConnectionRefusedErrors.
import errno
import socket
import threading

closed = []
for _ in range(3):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed.append(s.getsockname()[1])
    s.close()
banner = socket.create_server(("127.0.0.1", 0))
silent = socket.create_server(("127.0.0.1", 0), backlog=5)


def serve_banner():
    conn, _ = banner.accept()
    conn.sendall(b"SSH-2.0-FakeSSH_1.0\r\n")
    conn.recv(10)
    conn.close()


t = threading.Thread(target=serve_banner)
t.start()
targets = [("closed", p) for p in closed] + [("banner", banner.getsockname()[1]), ("silent", silent.getsockname()[1])]
for label, port in targets:
    s = socket.socket()
    s.settimeout(0.5)
    rc = s.connect_ex(("127.0.0.1", port))
    state = "open" if rc == 0 else errno.errorcode[rc]
    grabbed = None
    if rc == 0:
        try:
            grabbed = s.recv(100)
        except socket.timeout as e:
            grabbed = "no banner (%s)" % e
    print(label, state, grabbed)
    s.close()
t.join()
try:
    socket.create_connection(("127.0.0.1", closed[0]), timeout=0.5, all_errors=True)
except ExceptionGroup as eg:
    print("all_errors:", type(eg).__name__, [type(e).__name__ for e in eg.exceptions])
try:
    socket.create_connection(("127.0.0.1", closed[1]), timeout=0.5)
except OSError as e:
    print("single error:", type(e).__name__, e)
banner.close()
silent.close()
