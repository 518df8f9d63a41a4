# Mark Lutz, Programming Python 4th ed., ch. 12: echo-client.py. Client side: use sockets to send data to
# the server, and print the server's reply to each message line. The book takes host and words from argv;
# here argv[1] is the port and the client runs three times as the book's examples do: the default message,
# words given on the command line (a generator of bytes), and several lines.
import sys
from socket import *

serverHost = '127.0.0.1'
serverPort = int(sys.argv[1])


def run(message):
    sockobj = socket(AF_INET, SOCK_STREAM)
    sockobj.connect((serverHost, serverPort))
    for line in message:
        sockobj.send(line)
        data = sockobj.recv(1024)
        print('Client received:', data)
    sockobj.close()


run([b'Hello network world'])
run(x.encode() for x in ['Spam', 'Eggs', 'Ham'])
run([b'line one\n', b'line two\n', b'\x00\xff binary'])
