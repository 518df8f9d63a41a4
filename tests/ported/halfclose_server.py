# Request/response delimited by shutdown(SHUT_WR): read the request to EOF, reply, close.
import socket
import sys

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(1)
for _ in range(2):
    conn, addr = srv.accept()
    request = b""
    while True:
        chunk = conn.recv(7)
        if not chunk:
            break
        request += chunk
    print("request", request)
    conn.sendall(request[::-1])
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError as e:
        print("shutdown:", e)
    conn.close()
srv.close()
