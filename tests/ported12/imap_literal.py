# IMAP's literals (RFC 3501 and LITERAL+, RFC 7888), both ends: a socketserver.StreamRequestHandler server that
# reads a command line with rfile.readline(), and for each "{n}" at its end answers "+ Ready" and reads exactly n
# bytes with rfile.read(n) before the rest of the command line; "{n+}" (non-synchronizing) gets no "+"; a literal
# too big is refused (NO [TOOBIG]) and its bytes never sent. A client that sends a LOGIN with literal user and
# password (one with a space and a quote), APPENDs a message with CRLFs and a NUL byte, FETCHes it back (a literal
# in the response, read with makefile("rb").read(n)), sends a bad command and LOGOUTs.
import re
import socket
import socketserver
import threading

MAX = 4096
log = []
mailbox = []


class IMAPHandler(socketserver.StreamRequestHandler):
    timeout = 5

    def reply(self, text):
        self.wfile.write(text.encode("latin-1") + b"\r\n")

    def read_command(self):
        """Return [tag, verb, args...] with literals as bytes, or None at EOF."""
        parts = []
        while True:
            line = self.rfile.readline(8192)
            if not line:
                return None
            line = line.rstrip(b"\r\n")
            m = re.search(rb"\{(\d+)(\+?)\}$", line)
            text = line[:m.start()] if m else line
            parts.extend(x.decode("latin-1") for x in re.findall(rb'"[^"]*"|\S+', text))
            if not m:
                return parts
            n, plus = int(m.group(1)), m.group(2) == b"+"
            if n > MAX:
                if plus:
                    self.rfile.read(n)  # non-synchronizing: the bytes come anyway
                return parts + [OverflowError(n)]
            if not plus:
                self.reply("+ Ready for literal data")
            parts.append(self.rfile.read(n))
            log.append(f"literal of {n}{' (LITERAL+)' if plus else ''}")

    def handle(self):
        self.reply("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready")
        while True:
            cmd = self.read_command()
            if cmd is None:
                log.append("EOF")
                return
            tag, verb, args = cmd[0], cmd[1].upper() if len(cmd) > 1 else "", cmd[2:]
            log.append(f"{tag} {verb} {[a if isinstance(a, str) else type(a).__name__ for a in args]}")
            if any(isinstance(a, OverflowError) for a in args):
                self.reply(f"{tag} NO [TOOBIG] literal larger than {MAX}")
            elif verb == "CAPABILITY":
                self.reply("* CAPABILITY IMAP4rev1 LITERAL+")
                self.reply(f"{tag} OK done")
            elif verb == "LOGIN" and len(args) == 2:
                user = args[0].decode() if isinstance(args[0], bytes) else args[0].strip('"')
                self.reply(f"{tag} OK [{user}] logged in with a {len(args[1])}-byte password")
            elif verb == "APPEND" and len(args) == 2 and isinstance(args[1], bytes):
                mailbox.append(args[1])
                self.reply(f"{tag} OK [APPENDUID 1 {len(mailbox)}] appended to {args[0]}")
            elif verb == "FETCH" and len(args) == 2 and args[0].isdigit():
                msg = mailbox[int(args[0]) - 1]
                self.wfile.write(f"* {args[0]} FETCH (BODY[] {{{len(msg)}}}\r\n".encode() + msg + b")\r\n")
                self.reply(f"{tag} OK fetched")
            elif verb == "LOGOUT":
                self.reply("* BYE")
                self.reply(f"{tag} OK bye")
                return
            else:
                self.reply(f"{tag} BAD unknown command")


server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), IMAPHandler)
threading.Thread(target=server.serve_forever).start()

s = socket.create_connection(server.server_address, timeout=5)
f = s.makefile("rb")


def line():
    return f.readline().decode("latin-1").rstrip("\r\n")


def command(tag, *pieces):
    """pieces: text, or bytes sent as a literal ({n}, waiting for +), or ("+", bytes) sent as LITERAL+."""
    out = tag
    for p in pieces:
        if isinstance(p, str):
            out += " " + p
            continue
        plus = isinstance(p, tuple)
        data = p[1] if plus else p
        s.sendall(f"{out} {{{len(data)}{'+' if plus else ''}}}\r\n".encode())
        if not plus:
            cont = line()
            print("  server:", cont)
            if not cont.startswith("+"):
                return
        s.sendall(data)
        out = ""
    s.sendall(out.encode() + b"\r\n")
    while True:
        r = line()
        m = re.search(r"\{(\d+)\}$", r)
        if m:
            body = f.read(int(m.group(1)))
            print("  server:", r, "+", len(body), "bytes:", body[:24], "...", repr(line()))
            continue
        print("  server:", r)
        if r.startswith(tag + " ") or not r:
            return


print("greeting:", line())
msg = b"From: a@b\r\nSubject: hi\r\n\r\nline one\r\nNUL:\x00 end\r\n"
print("a1 CAPABILITY")
command("a1", "CAPABILITY")
print("a2 LOGIN with two literals")
command("a2", "LOGIN", b"alice", b'pa ss"word')
print("a3 APPEND with LITERAL+")
command("a3", "APPEND", "INBOX", ("+", msg))
print("a4 APPEND synchronizing")
command("a4", "APPEND", '"Sent Items"', msg.replace(b"hi", b"re: hi"))
print("a5 APPEND too big")
command("a5", "APPEND", "INBOX", b"x" * 5000)
print("a6 FETCH")
command("a6", "FETCH", "2", "BODY[]")
print("a7 bogus")
command("a7", "NOOP2")
print("a8 LOGOUT")
command("a8", "LOGOUT")
print("then:", repr(f.readline()))
f.close()
s.close()
server.shutdown()
server.server_close()
print("server log:")
for x in log:
    print(" ", x)
