# FTP's passive mode, all on 127.0.0.1: a control connection speaking CRLF lines, PASV answered with
# "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)" from a fresh data listener, STOR read to EOF on the data
# connection, RETR and LIST sent and closed, the 150 reply before the data and 226 after it (the client reads both
# around the transfer), a RETR without PASV (425), a PASV whose data connection never comes (the server's accept
# times out: 425), a missing file (550), then QUIT. The client prints every reply, the data port masked.
import re
import socket
import threading

files = {"readme.txt": b"hello from the server\r\n"}


def control(conn):
    f = conn.makefile("rwb")

    def reply(text):
        f.write(text.encode() + b"\r\n")
        f.flush()

    reply("220 pyftpd ready")
    data_l = None
    for _ in range(50):
        line = f.readline()
        if not line:
            break
        cmd, _, arg = line.decode().strip().partition(" ")
        cmd = cmd.upper()
        if cmd == "USER":
            reply("331 Password required for " + arg)
        elif cmd == "PASS":
            reply("230 Logged in")
        elif cmd == "TYPE":
            reply("200 Type set to " + arg)
        elif cmd == "PASV":
            if data_l:
                data_l.close()
            data_l = socket.create_server(("127.0.0.1", 0))
            data_l.settimeout(0.5)
            host, port = data_l.getsockname()
            reply("227 Entering Passive Mode (%s,%d,%d)" % (host.replace(".", ","), port >> 8, port & 0xFF))
        elif cmd in ("RETR", "STOR", "LIST"):
            if cmd == "RETR" and arg not in files:
                reply("550 %s: No such file" % arg)
                continue
            if data_l is None:
                reply("425 Use PASV first")
                continue
            reply("150 Opening BINARY mode data connection for " + (arg or "file list"))
            try:
                dconn, _ = data_l.accept()
            except socket.timeout:
                reply("425 Can't open data connection")
                data_l.close()
                data_l = None
                continue
            data_l.close()
            data_l = None
            with dconn:
                dconn.settimeout(5)
                if cmd == "RETR":
                    dconn.sendall(files[arg])
                elif cmd == "LIST":
                    for name in sorted(files):
                        dconn.sendall(b"-rw-r--r-- 1 ftp ftp %6d %s\r\n" % (len(files[name]), name.encode()))
                else:
                    chunks = []
                    while True:
                        d = dconn.recv(1000)
                        if not d:
                            break
                        chunks.append(d)
                    files[arg] = b"".join(chunks)
            reply("226 Transfer complete")
        elif cmd == "SIZE":
            reply("213 %d" % len(files[arg]) if arg in files else "550 %s: No such file" % arg)
        elif cmd == "QUIT":
            reply("221 Goodbye")
            break
        else:
            reply("502 Command not implemented")
    f.close()
    conn.close()


def server(lsock):
    conn, _ = lsock.accept()
    conn.settimeout(5)
    control(conn)


lsock = socket.create_server(("127.0.0.1", 0))
t = threading.Thread(target=server, args=(lsock,))
t.start()

c = socket.create_connection(lsock.getsockname(), timeout=5)
cf = c.makefile("rwb")


def resp():
    line = cf.readline().decode().rstrip("\r\n")
    print("<", re.sub(r"\(127,0,0,1,\d+,\d+\)", "(127,0,0,1,<p1>,<p2>)", line))
    return line


def cmd(text):
    print(">", text)
    cf.write(text.encode() + b"\r\n")
    cf.flush()
    return resp()


def pasv():
    line = cmd("PASV")
    nums = [int(x) for x in re.search(r"\((.*)\)", line).group(1).split(",")]
    return ".".join(map(str, nums[:4])), nums[4] * 256 + nums[5]


resp()
cmd("USER anonymous")
cmd("PASS guest@")
cmd("TYPE I")
cmd("RETR readme.txt")
d = socket.create_connection(pasv(), timeout=5)
cmd("RETR readme.txt")
print("data:", d.recv(1000), d.recv(1000))
d.close()
resp()
d = socket.create_connection(pasv(), timeout=5)
cmd("STOR upload.bin")
d.sendall(bytes(range(256)) * 12)
d.shutdown(socket.SHUT_WR)
print("stor data side reads:", d.recv(10))
d.close()
resp()
cmd("SIZE upload.bin")
d = socket.create_connection(pasv(), timeout=5)
cmd("LIST")
listing = b""
while True:
    chunk = d.recv(7)
    if not chunk:
        break
    listing += chunk
d.close()
print("list:", listing.decode().splitlines())
resp()
pasv()
cmd("RETR readme.txt")
resp()
cmd("RETR missing.txt")
cmd("NOOP")
cmd("QUIT")
print("after QUIT:", cf.readline())
cf.close()
c.close()
t.join()
lsock.close()
