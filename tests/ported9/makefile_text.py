# Text protocols through socket.makefile() in text modes, as line-oriented servers (SMTP, POP3, IRC, HTTP
# headers) write them: makefile("rw", newline="\r\n") with an explicit codec, so print() and write() send CRLF;
# newline=None on the reading side (universal newlines: \r\n and \r read as \n), newline="" (lines kept as
# sent), readline(limit), read(n) counting characters (multi-byte UTF-8 split across sends), latin-1 and
# errors="replace" on bytes that are not UTF-8, writelines(), the count write() returns, and for-line-in-file.
import socket
import threading
import time


def server(lsock):
    conn, _ = lsock.accept()
    with conn:
        f = conn.makefile("rw", encoding="utf-8", newline="\r\n")
        print("220 text service ready", file=f, flush=True)
        for line in f:  # newline="\r\n" on reading: a line ends at \r\n only
            cmd = line.rstrip("\r\n")
            if cmd == "QUIT":
                print("221 bye", file=f, flush=True)
                break
            n = f.write("250 " + cmd.upper() + "\n")
            f.writelines(["250-count ", str(n), "\n"])
            f.flush()
        f.close()
    lsock.close()


lsock = socket.create_server(("127.0.0.1", 0))
port = lsock.getsockname()[1]
t = threading.Thread(target=server, args=(lsock,))
t.start()
with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
    r = s.makefile("r", encoding="utf-8", newline="")
    w = s.makefile("w", encoding="utf-8", newline="\r\n")
    print("greeting", repr(r.readline()))
    for cmd in ["hello", "héllo wörld", "日本語"]:
        print(cmd, "->", w.write(cmd + "\n"), "chars")
        w.flush()
        print(repr(r.readline()), repr(r.readline()))
    w.write("QUIT\n")
    w.flush()
    print(repr(r.readline()), repr(r.read()))
    r.close()
    w.close()
t.join()

# The reading side in every newline mode, the peer sending mixed line ends in pieces.
for newline in (None, "", "\n", "\r", "\r\n"):
    a, b = socket.socketpair()
    with a, b:
        f = b.makefile("r", encoding="utf-8", newline=newline)
        for piece in (b"one\r\ntwo\rthree\nfo", b"ur\r", b"\nfive\xe2\x82", b"\xac\r\n"):
            a.sendall(piece)
        a.shutdown(socket.SHUT_WR)
        print("newline=%r" % (newline,), [f.readline() for _ in range(6)])
        f.close()

# readline(limit), read(n) in characters with a character split across two sends, latin-1, errors="replace".
a, b = socket.socketpair()
with a, b:
    f = b.makefile("r", encoding="utf-8")
    a.sendall(b"abcdefghij\n\xc3")
    th = threading.Thread(target=lambda: (time.sleep(0.2), a.sendall(b"\xa9t\xc3\xa9\nrest\n")))
    th.start()
    print(repr(f.readline(4)), repr(f.readline(100)), repr(f.read(3)), repr(f.readline()))
    th.join()
    print(repr(f.readline()))
    f.close()
a, b = socket.socketpair()
with a, b:
    a.sendall(b"caf\xe9 \xff\xfe end\n" * 2)
    a.shutdown(socket.SHUT_WR)
    f1 = b.makefile("r", encoding="latin-1")
    print("latin-1", repr(f1.readline()), f1.encoding)
    f2 = b.makefile("r", encoding="utf-8", errors="replace")
    print("replace", repr(f2.read()), f2.errors)
    f1.close()
    f2.close()
