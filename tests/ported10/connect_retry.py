# Connecting with retries, as clients of a service that is still starting do it: connect() refused until the
# server binds (exponential backoff, errno ECONNREFUSED counted), connect_ex() return codes, a non-blocking
# connect_ex() (EINPROGRESS, select() for writability, SO_ERROR 0 or ECONNREFUSED), create_connection() to a
# closed port with all_errors=True (an ExceptionGroup over localhost's addresses) and without, a connect timeout
# of a socket with settimeout(), and reconnecting after the server restarts on the same port.
import errno
import select
import socket
import threading
import time

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()  # a port that nobody listens on, for now


def late_server(delay, count):
    time.sleep(delay)
    lsock = socket.create_server(("127.0.0.1", port))
    for _ in range(count):
        conn, _ = lsock.accept()
        with conn:
            conn.sendall(b"hello after start\n")
    lsock.close()


t = threading.Thread(target=late_server, args=(0.6, 1))
t.start()
delay, refused, attempts = 0.05, 0, 0
while True:
    attempts += 1
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
        break
    except ConnectionRefusedError as e:
        refused += 1
        assert e.errno == errno.ECONNREFUSED
        s.close()
        time.sleep(delay)
        delay = min(delay * 2, 0.4)
print("connected after refusals:", refused >= 2, "attempts == refused + 1:", attempts == refused + 1)
print("got", s.recv(100))
s.close()
t.join()

s = socket.socket()
print("connect_ex to a closed port:", errno.errorcode[s.connect_ex(("127.0.0.1", port))])
s.close()

lsock = socket.create_server(("127.0.0.1", 0))
for target, name in ((lsock.getsockname(), "listener"), (("127.0.0.1", port), "closed port")):
    s = socket.socket()
    s.setblocking(False)
    rc = s.connect_ex(target)
    print(name, "non-blocking connect_ex:", errno.errorcode.get(rc, rc))
    _, w, _ = select.select([], [s], [], 5)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    print(name, "writable:", w == [s], "SO_ERROR:", errno.errorcode.get(err, err))
    if not err:
        print(name, "peer:", s.getpeername() == lsock.getsockname())
    s.close()
lsock.accept()[0].close()
lsock.close()

for all_errors in (False, True):
    try:
        socket.create_connection(("localhost", port), timeout=2, all_errors=all_errors)
    except ExceptionGroup as eg:
        print("all_errors:", str(eg), sorted({type(e).__name__ for e in eg.exceptions}))
    except OSError as e:
        print("first error:", type(e).__name__, e.errno == errno.ECONNREFUSED)

t = threading.Thread(target=late_server, args=(0, 2))
t.start()
got = []
for i in range(2):
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                got.append(s.recv(100))
            break
        except ConnectionRefusedError:
            time.sleep(0.02)
t.join()
print("two connections to the restarted server:", got)
