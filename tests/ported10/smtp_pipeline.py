# An SMTP-like line server (threaded, makefile("rb")) with ESMTP PIPELINING (RFC 2920) and CHUNKING (RFC 3030):
# a client sends MAIL/RCPT/RCPT/RCPT/DATA in one write and reads the five replies after, sends a dot-stuffed body,
# pipelines BDAT chunks with raw binary bytes (CR, LF, NUL, a lone "."), sends a whole transaction one byte per
# send(), an over-long line, an unknown command; a second client hangs up in the middle of DATA.
import socket
import threading

mailbox = []
events = []
lock = threading.Lock()


def handle(conn, n):
    f = conn.makefile("rb")
    w = conn.makefile("wb")

    def reply(s):
        w.write(s.encode() + b"\r\n")

    reply("220 pysocket ESMTP ready")
    w.flush()
    sender, rcpts, bdat = None, [], b""
    while True:
        line = f.readline(1001)
        if not line:
            with lock:
                events.append("conn %d: EOF" % n)
            break
        if not line.endswith(b"\r\n"):
            f.readline()  # the rest of an over-long line
            reply("500 line too long")
            w.flush()
            continue
        cmd, _, arg = line[:-2].decode("ascii").partition(" ")
        cmd = cmd.upper()
        if cmd == "EHLO":
            reply("250-pysocket greets " + arg)
            reply("250-PIPELINING")
            reply("250-CHUNKING")
            reply("250 SIZE 100000")
        elif cmd == "MAIL":
            sender, rcpts = arg[5:], []
            reply("250 sender ok")
        elif cmd == "RCPT":
            who = arg[3:]
            if who.endswith("@local>"):
                rcpts.append(who)
                reply("250 recipient ok")
            else:
                reply("550 no relay for " + who)
        elif cmd == "DATA":
            if not rcpts:
                reply("503 no valid recipients")
            else:
                reply("354 end with <CRLF>.<CRLF>")
                w.flush()
                body = []
                while True:
                    l = f.readline()
                    if not l:
                        with lock:
                            events.append("conn %d: vanished in DATA after %d lines" % (n, len(body)))
                        return
                    if l == b".\r\n":
                        break
                    body.append(l[1:] if l.startswith(b".") else l)
                with lock:
                    mailbox.append((sender, tuple(rcpts), b"".join(body)))
                reply("250 queued as %d" % len(mailbox))
                sender, rcpts = None, []
        elif cmd == "BDAT":
            size, _, last = arg.partition(" ")
            chunk = f.read(int(size))
            bdat += chunk
            if last == "LAST":
                with lock:
                    mailbox.append((sender, tuple(rcpts), bdat))
                reply("250 %d octets, message queued as %d" % (len(bdat), len(mailbox)))
                sender, rcpts, bdat = None, [], b""
            else:
                reply("250 %d octets received" % len(chunk))
        elif cmd == "RSET":
            sender, rcpts, bdat = None, [], b""
            reply("250 reset")
        elif cmd == "NOOP":
            reply("250 ok")
        elif cmd == "QUIT":
            reply("221 bye")
            w.flush()
            break
        else:
            reply("502 unknown command " + cmd)
        w.flush()
    f.close()
    w.close()
    conn.close()


lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]


def acceptor(count):
    threads = []
    for n in range(count):
        conn, _ = lsock.accept()
        t = threading.Thread(target=handle, args=(conn, n))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


acc = threading.Thread(target=acceptor, args=(2,))
acc.start()

c = socket.create_connection(("127.0.0.1", port), timeout=10)
r = c.makefile("rb")


def replies(k):
    out = []
    for _ in range(k):
        while True:
            line = r.readline().decode().rstrip("\r\n")
            out.append(line)
            if line[3:4] != "-":
                break
    return out


print(replies(1))
c.sendall(b"EHLO client.local\r\n")
print(replies(1))
c.sendall(b"MAIL FROM:<ada@local>\r\nRCPT TO:<bob@local>\r\nRCPT TO:<eve@elsewhere>\r\n"
          b"RCPT TO:<cy@local>\r\nDATA\r\n")
print(replies(5))
c.sendall(b"Subject: dots\r\n\r\n..leading dot\r\n")
c.sendall(b"...two\r\nlast line\r\n.\r\nNOOP\r\n")
print(replies(2))
c.sendall(b"MAIL FROM:<b@local>\r\nRCPT TO:<x@local>\r\nBDAT 12\r\n\r\n.\r\n\x00\xffAB\rC\nBDAT 4 LAST\r\nEND!NOOP\r\n")
print(replies(5))
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for byte in b"RSET\r\nMAIL FROM:<slow@local>\r\nRCPT TO:<z@local>\r\nDATA\r\nbyte by byte\r\n.\r\n":
    c.send(bytes([byte]))
print(replies(5))
c.sendall(b"X" * 1500 + b"\r\nFROB\r\nDATA\r\nRSET\r\nDATA\r\nQUIT\r\n")
print(replies(6))
print("after QUIT:", r.read())
r.close()
c.close()

d = socket.create_connection(("127.0.0.1", port), timeout=10)
rd = d.makefile("rb")
rd.readline()
d.sendall(b"MAIL FROM:<q@local>\r\nRCPT TO:<q@local>\r\nDATA\r\n")
for _ in range(3):
    rd.readline()
d.sendall(b"line 1\r\nline 2\r\npartial")
rd.close()
d.close()
acc.join()
lsock.close()
for m in mailbox:
    print(m)
for e in sorted(events):
    print(e)
