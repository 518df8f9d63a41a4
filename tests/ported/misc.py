# More things course programs print: reverse lookups, passive and default addresses, create_server's address.
import socket

print(socket.gethostbyaddr("127.0.0.1")[0])
for res in socket.getaddrinfo(None, 8080, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    print("passive", res[4])
for res in socket.getaddrinfo(None, 8080, socket.AF_INET, socket.SOCK_STREAM):
    print("loopback", res[4])
for res in socket.getaddrinfo(None, "8080", socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    print("passive6", res[4])
for res in socket.getaddrinfo("localhost", None, socket.AF_INET, socket.SOCK_DGRAM):
    print("no port", res[4])
srv = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(srv.getsockname())
conn, addr = srv.accept()
print("create_server", srv.family == socket.AF_INET, addr == c.getsockname())
print(socket.getnameinfo(c.getpeername(), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)[1] == str(srv.getsockname()[1]))
for x in (c, conn, srv):
    x.close()
