# Telnet option negotiation (RFC 854/855/1073/1091), as a MUD or BBS server and a telnetlib-style client do it:
# the server asks DO TTYPE, DO NAWS, WILL ECHO, WILL SGA; the client agrees or refuses (WONT/DONT), answers the
# terminal-type subnegotiation (SB TTYPE SEND -> SB TTYPE IS XTERM) and reports its window size with NAWS (a width
# of 255 doubled as IAC IAC inside SB). Both ends parse IAC sequences with a state machine fed by whatever recv()
# returns: the client sends its replies in pieces that split IAC sequences. Then a login line, data carrying a
# 0xff byte (IAC IAC) and CR NUL, and logout. Each side's log is printed at the end.
import socket
import threading
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA, TTYPE, NAWS, LINEMODE = 1, 3, 24, 31, 34
NAMES = {DO: "DO", DONT: "DONT", WILL: "WILL", WONT: "WONT"}
OPTS = {ECHO: "ECHO", SGA: "SGA", TTYPE: "TTYPE", NAWS: "NAWS", LINEMODE: "LINEMODE"}


class Parser:
    def __init__(self):
        self.state = "data"
        self.cmd = None
        self.sb = bytearray()

    def feed(self, data):
        """Yield ('data', bytes), ('cmd', verb, opt) or ('sb', bytes) events."""
        out = bytearray()
        for c in data:
            if self.state == "data":
                if c == IAC:
                    self.state = "iac"
                elif out[-1:] == b"\r" and c == 0:
                    pass  # CR NUL is a bare CR
                else:
                    out.append(c)
            elif self.state == "iac":
                if c == IAC:
                    out.append(IAC)
                    self.state = "data"
                elif c in NAMES:
                    self.cmd, self.state = c, "opt"
                elif c == SB:
                    self.sb.clear()
                    self.state = "sb"
                else:
                    self.state = "data"
            elif self.state == "opt":
                if out:
                    yield ("data", bytes(out))
                    out.clear()
                yield ("cmd", self.cmd, c)
                self.state = "data"
            elif self.state == "sb":
                if c == IAC:
                    self.state = "sb_iac"
                else:
                    self.sb.append(c)
            elif self.state == "sb_iac":
                if c == SE:
                    if out:
                        yield ("data", bytes(out))
                        out.clear()
                    yield ("sb", bytes(self.sb))
                    self.state = "data"
                else:
                    self.sb.append(c)  # IAC IAC inside SB
                    self.state = "sb"
        if out:
            yield ("data", bytes(out))


def verb(v, o):
    return f"{NAMES[v]} {OPTS.get(o, o)}"


def esc(data):
    return data.replace(b"\xff", b"\xff\xff").replace(b"\r", b"\r\x00")


slog, clog = [], []
lsock = socket.create_server(("127.0.0.1", 0))


def server():
    conn, _ = lsock.accept()
    conn.settimeout(5)
    with conn:
        conn.sendall(bytes([IAC, DO, TTYPE, IAC, DO, NAWS, IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, LINEMODE]))
        p = Parser()
        line = b""
        stage = "negotiate"
        while True:
            data = conn.recv(7)
            if not data:
                slog.append("EOF")
                break
            for ev in p.feed(data):
                if ev[0] == "cmd":
                    slog.append("got " + verb(ev[1], ev[2]))
                    if ev[1:] == (WILL, TTYPE):
                        conn.sendall(bytes([IAC, SB, TTYPE, 1, IAC, SE]))
                elif ev[0] == "sb":
                    sb = ev[1]
                    if sb[0] == TTYPE:
                        slog.append("terminal type " + repr(sb[2:].decode()))
                    elif sb[0] == NAWS:
                        slog.append(f"window {sb[1] * 256 + sb[2]}x{sb[3] * 256 + sb[4]}")
                        conn.sendall(b"login: ")
                else:
                    line += ev[1]
                    while b"\n" in line:
                        one, line = line.split(b"\n", 1)
                        slog.append("line " + repr(one))
                        if stage == "negotiate":
                            stage = "logged in"
                            conn.sendall(esc(b"welcome " + one.strip() + b"\r\nbyte \xff and a bare \r here\r\n"))
                        elif one.strip() == b"logout":
                            conn.sendall(b"bye\r\n")
                            conn.shutdown(socket.SHUT_WR)


t = threading.Thread(target=server)
t.start()
c = socket.create_connection(lsock.getsockname(), timeout=5)
p = Parser()
text = b""
pending = []
while True:
    data = c.recv(5)
    if not data:
        clog.append("EOF")
        break
    for ev in p.feed(data):
        if ev[0] == "cmd":
            v, o = ev[1], ev[2]
            clog.append("got " + verb(v, o))
            if v == DO:
                answer = WILL if o in (TTYPE, NAWS) else WONT
            else:
                answer = DO if o in (ECHO, SGA) else DONT
            reply = bytes([IAC, answer, o])
            if o == NAWS and answer == WILL:
                reply += bytes([IAC, SB, NAWS, 0, 255, 255, 0, 24, IAC, SE])
            pending.append(reply)
        elif ev[0] == "sb":
            clog.append("asked " + repr(ev[1]))
            pending.append(bytes([IAC, SB, TTYPE, 0]) + b"XTERM" + bytes([IAC, SE]))
        else:
            text += ev[1]
            if text.endswith(b"login: "):
                clog.append("prompt " + repr(text))
                text = b""
                pending.append(b"alice\r\n")
            elif text.count(b"\r\n") == 2:
                clog.append("text " + repr(text))
                text = b""
                pending.append(b"logout\r\n")
    if pending:
        blob = b"".join(pending)
        pending.clear()
        for i in range(0, len(blob), 4):  # split IAC sequences across sends
            c.sendall(blob[i:i + 4])
            time.sleep(0.005)
clog.append("rest " + repr(text))
c.close()
t.join()
lsock.close()
print("server:")
for x in slog:
    print("  " + x)
print("client:")
for x in clog:
    print("  " + x)
