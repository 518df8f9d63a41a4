# Black Hat Python ch. 2: the TCP client, the threaded TCP server (handle_client in a thread per client,
# "ACK" back), and the UDP client against a small UDP server. The book's target host is a web site; here
# every peer is a thread on loopback. Server prints are collected and printed once its threads are done.
import socket
import threading

bind_ip = "127.0.0.1"
log = []

# ---- the threaded TCP server ----
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind((bind_ip, 0))
server.listen(5)
bind_port = server.getsockname()[1]
log.append("[*] Listening on %s" % bind_ip)


def handle_client(client_socket):
    request = client_socket.recv(1024)
    log.append("[*] Received: %s" % request)
    client_socket.send(b"ACK!")
    client_socket.close()


def accept_loop(n):
    workers = []
    for _ in range(n):
        client, addr = server.accept()
        log.append("[*] Accepted connection from: %s" % addr[0])
        client_handler = threading.Thread(target=handle_client, args=(client,))
        client_handler.start()
        workers.append(client_handler)
    for w in workers:
        w.join()


acceptor = threading.Thread(target=accept_loop, args=(3,))
acceptor.start()

# ---- the TCP client ----
target_host = "localhost"
target_port = bind_port
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((target_host, target_port))
client.send(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
response = client.recv(4096)
print(response)
client.close()

# two more clients at once, each waiting for its ACK
clients = [socket.create_connection(("127.0.0.1", bind_port)) for _ in range(2)]
for i, c in enumerate(clients):
    c.sendall(b"client %d says hi" % i)
for c in clients:
    print(c.recv(4096), c.recv(4096))
    c.close()
acceptor.join()
server.close()
for line in sorted(log):
    print(line)

# ---- the UDP client, against a UDP server that answers each datagram ----
udp_server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_server.bind(("127.0.0.1", 0))
udp_port = udp_server.getsockname()[1]


def udp_answer(n):
    for _ in range(n):
        data, addr = udp_server.recvfrom(4096)
        udp_server.sendto(b"got " + data, addr)


t = threading.Thread(target=udp_answer, args=(2,))
t.start()
target_host = "127.0.0.1"
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.sendto(b"AAABBBCCC", (target_host, udp_port))
data, addr = client.recvfrom(4096)
print(data, addr == ("127.0.0.1", udp_port))
client.sendto(b"", (target_host, udp_port))
data, addr = client.recvfrom(4096)
print(data)
t.join()
client.close()
udp_server.close()
