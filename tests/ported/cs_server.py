# create_server (socket docs): accept one client, echo upper-case lines until EOF.
import socket
import sys

PORT = int(sys.argv[1])
with socket.create_server(("127.0.0.1", PORT)) as server:
    conn, addr = server.accept()
    with conn:
        print("family", conn.family == socket.AF_INET, "peer is", addr[0])
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())
    print("done")
