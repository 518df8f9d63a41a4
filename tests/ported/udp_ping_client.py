# UDPPingerClient (Kurose & Ross): 6 pings with a timeout; RTTs not printed (timing).
from socket import *
import sys
import time

serverName = '127.0.0.1'
serverPort = int(sys.argv[1])
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(0.5)
for i in range(1, 7):
    sendTime = time.time()
    message = 'Ping %d %s' % (i, int(sendTime))
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(1024)
        rtt = time.time() - sendTime
        print('Reply from %s: %s' % (serverAddress[0], ' '.join(modifiedMessage.decode().split(' ')[0:2])))
    except timeout as e:
        print('Request timed out', e)
clientSocket.close()
