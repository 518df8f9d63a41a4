# A line-based calculator protocol over makefile (text mode), one client.
import socket
import sys

srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
conn, addr = srv.accept()
rf = conn.makefile("r", encoding="utf-8", newline="")
wf = conn.makefile("w", encoding="utf-8", newline="")
wf.write("READY calc 1.0\r\n")
wf.flush()
for line in rf:
    print("line", repr(line))
    words = line.split()
    if not words:
        continue
    if words[0] == "QUIT":
        wf.write("BYE\r\n")
        wf.flush()
        break
    if words[0] == "ADD":
        wf.write("= %d\r\n" % sum(int(w) for w in words[1:]))
    else:
        wf.write("ERR unknown %s\r\n" % words[0])
    wf.flush()
rf.close()
wf.close()
conn.close()
srv.close()
