# The networking course's "simple web server" assignment: one request per connection, 200 or 404.
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(("127.0.0.1", int(sys.argv[1])))
serverSocket.listen(1)
for _ in range(int(sys.argv[2])):
    print("Ready to serve...")
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024).decode()
        filename = message.split()[1]
        print("request for", filename)
        if filename != "/hello.txt":
            raise IOError
        outputdata = "Hello from the course web server\n" * 20
        connectionSocket.send(("HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(outputdata)).encode())
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i].encode())
        connectionSocket.send("\r\n".encode())
        connectionSocket.close()
    except IOError:
        connectionSocket.send("HTTP/1.0 404 Not Found\r\n\r\n".encode())
        connectionSocket.send("<html><body><h1>404 Not Found</h1></body></html>\r\n".encode())
        connectionSocket.close()
serverSocket.close()
print("done")
