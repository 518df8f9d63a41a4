# Client of the line protocol: makefile("rwb") and readline().
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rwb")
print(f.readline())
for cmd in [b"ADD 1 2 3\r\n", b"MUL 2 3\r\n", b"\r\n", b"ADD 40 2\n"]:
    f.write(cmd)
    f.flush()
    if cmd.strip():
        print(cmd.strip(), "->", f.readline())
f.write(b"QUIT\r\n")
f.flush()
print(f.readline())
print("eof", f.readline() == b"")
f.close()
s.close()
