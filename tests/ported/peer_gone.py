# A peer that went away: recv sees EOF, sends fail, shutdown() then says ENOTCONN (blocking and timed sockets).
import socket, time
l = socket.create_server(("127.0.0.1", 0))
for timeout in [None, 5]:
    c = socket.create_connection(l.getsockname())
    s, _ = l.accept()
    s.settimeout(timeout)
    c.close()
    time.sleep(0.2)
    print("timeout", timeout, "recv:", s.recv(10))
    ok = 0
    try:
        for i in range(20):
            s.send(b"x" * 100)
            ok += 1
            time.sleep(0.05)
        print("no error")
    except OSError as e:
        print("after", ok, "sends:", type(e).__name__, e)
    try:
        s.shutdown(socket.SHUT_RDWR)
        print("shutdown ok")
    except OSError as e:
        print("shutdown:", e)
    s.close()
u = socket.socket()
try:
    u.shutdown(socket.SHUT_RDWR)
except OSError as e:
    print("shutdown unconnected:", e)
print(u.getsockname())
