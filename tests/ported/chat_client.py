# Scripted chat clients (two users) for the select chat server; ports in messages normalised by the test.
import socket
import sys

PORT = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", PORT), timeout=10)
b = socket.create_connection(("127.0.0.1", PORT), timeout=10)
print("a got:", a.recv(4096).decode().split("]")[1])
b.sendall(b"hello from b\n")
print("a got:", a.recv(4096).decode().split("] ")[1])
a.sendall(b"hi b\n")
print("b got:", b.recv(4096).decode().split("] ")[1])
b.close()
print("a got:", a.recv(4096).decode().startswith("Client ("))
a.close()
