# Mark Lutz, Programming Python 4th ed., ch. 12: echo-server.py. Server side: open a TCP/IP socket on a
# port, listen for a message from a client, and send an echo reply. The book serves forever on port 50007;
# here it binds argv[1] (0: any free port, printed) on loopback and serves a set number of clients. The
# client's port changes each run, so only its host is printed.
import sys
from socket import *

myHost = '127.0.0.1'
myPort = int(sys.argv[1])
count = 3

sockobj = socket(AF_INET, SOCK_STREAM)
sockobj.bind((myHost, myPort))
sockobj.listen(5)
print('echo server on port', sockobj.getsockname()[1])

for _ in range(count):
    connection, address = sockobj.accept()
    print('Server connected by', address[0])
    while True:
        data = connection.recv(1024)
        if not data: break
        connection.send(b'Echo=>' + data)
    connection.close()
sockobj.close()
print('server done')
