# UDPPingerServer (Kurose & Ross), dropping every third ping instead of at random.
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('127.0.0.1', int(sys.argv[1])))
count = 0
while True:
    message, address = serverSocket.recvfrom(1024)
    message = message.upper()
    count += 1
    if count % 3 == 0:
        continue
    serverSocket.sendto(message, address)
