# Socket Programming HOWTO: MySocket with fixed-length messages (client side).
import socket
import sys

MSGLEN = 96


class MySocket:
    """demonstration class only
      - coded for clarity, not efficiency
    """

    def __init__(self, sock=None):
        if sock is None:
            self.sock = socket.socket(
                            socket.AF_INET, socket.SOCK_STREAM)
        else:
            self.sock = sock

    def connect(self, host, port):
        self.sock.connect((host, port))

    def mysend(self, msg):
        totalsent = 0
        while totalsent < MSGLEN:
            sent = self.sock.send(msg[totalsent:])
            if sent == 0:
                raise RuntimeError("socket connection broken")
            totalsent = totalsent + sent

    def myreceive(self):
        chunks = []
        bytes_recd = 0
        while bytes_recd < MSGLEN:
            chunk = self.sock.recv(min(MSGLEN - bytes_recd, 2048))
            if chunk == b'':
                raise RuntimeError("socket connection broken")
            chunks.append(chunk)
            bytes_recd = bytes_recd + len(chunk)
        return b''.join(chunks)


ms = MySocket()
ms.connect('127.0.0.1', int(sys.argv[1]))
for i in range(3):
    ms.mysend((b"message %d " % i) * 8 + b"." * (MSGLEN - 8 * len(b"message 0 ")))
    print("reply", ms.myreceive()[:20])
ms.sock.close()
