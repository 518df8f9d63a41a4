# Kurose & Ross, Computer Networking: A Top-Down Approach, socket programming assignment 1: WebServer.py
# (the lab's skeleton filled in as usually done: recv(1024) of the request, open(filename[1:]), the status line,
# the file sent one character per send(), 404 on IOError) with the lab's optional exercises: a thread per
# request, and an HTTP client that sends the GET and reads the reply through makefile('rb') (status line,
# headers to the blank line, body to EOF). Served from a temporary directory (the lab's current directory);
# port 6789 is a free loopback port; the server (a thread) serves a set number of requests.
import os
import tempfile
import threading
from socket import *


def serve_one(connectionSocket):
    try:
        message = connectionSocket.recv(1024).decode()
        filename = message.split()[1]
        f = open(filename[1:])
        outputdata = f.read()
        f.close()
        # Send one HTTP header line into socket
        connectionSocket.send("HTTP/1.1 200 OK\r\n\r\n".encode())
        # Send the content of the requested file to the client
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i].encode())
        connectionSocket.send("\r\n".encode())
        connectionSocket.close()
    except IOError:
        # Send response message for file not found
        connectionSocket.send("HTTP/1.1 404 Not Found\r\n\r\n".encode())
        connectionSocket.send("<html><head></head><body><h1>404 Not Found</h1></body></html>\r\n".encode())
        # Close client socket
        connectionSocket.close()


def server(serverSocket, count):
    threads = []
    for _ in range(count):
        log.append('Ready to serve...')
        connectionSocket, addr = serverSocket.accept()
        t = threading.Thread(target=serve_one, args=(connectionSocket,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    serverSocket.close()


def client(port, path):
    clientSocket = socket(AF_INET, SOCK_STREAM)
    clientSocket.connect(('127.0.0.1', port))
    clientSocket.sendall(('GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n' % (path, port)).encode())
    f = clientSocket.makefile('rb')
    status = f.readline()
    headers = []
    while True:
        line = f.readline()
        if line in (b'\r\n', b'\n', b''):
            break
        headers.append(line)
    body = f.read()
    f.close()
    clientSocket.close()
    return status, headers, body


log = []
os.chdir(tempfile.mkdtemp())
with open('HelloWorld.html', 'w') as f:
    f.write('<html><head><title>Hello</title></head><body><h1>Hello World</h1></body></html>\n')
with open('notes.txt', 'w') as f:
    f.write(''.join('line %d of the notes\n' % i for i in range(200)))

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', 0))
serverSocket.listen(5)
port = serverSocket.getsockname()[1]
t = threading.Thread(target=server, args=(serverSocket, 6))
t.start()

for path in ['/HelloWorld.html', '/missing.html', '/notes.txt']:
    status, headers, body = client(port, path)
    print(path, status, headers, len(body))
    print(body[:60], body[-30:])

results = {}


def fetch(path):
    results[path] = client(port, path)


threads = [threading.Thread(target=fetch, args=(p,)) for p in ['/notes.txt', '/HelloWorld.html', '/nope']]
for c in threads:
    c.start()
for c in threads:
    c.join()
for path in ['/notes.txt', '/HelloWorld.html', '/nope']:
    status, headers, body = results[path]
    print('at once', path, status, len(body))
t.join()
print('\n'.join(log))
