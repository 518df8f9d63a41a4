# MSG_PEEK then MSG_WAITALL: read exactly 1000 bytes that arrive in pieces.
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("peek", s.recv(5, socket.MSG_PEEK))
data = s.recv(1000, socket.MSG_WAITALL)
print("waitall", len(data), data[:12], data[-3:])
print("rest", s.recv(1000, socket.MSG_WAITALL))
s.close()
