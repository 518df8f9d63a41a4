# Receives the length line with makefile("rb"), then exactly that many bytes, then the rest.
import hashlib
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
size = int(f.readline())
data = f.read(size)
print("size", size, "got", len(data), hashlib.md5(data).hexdigest())
rest = f.read()
print("rest", len(rest), rest[:10])
f.close()
s.close()
