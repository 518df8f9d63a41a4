# A syslog-over-TCP collector (RFC 6587) on one select.poll() loop over non-blocking sockets: each connection's
# buffer holds frames in either framing, octet counting ("LEN SP MSG", so a message may hold newlines) or
# LF-terminated lines, told apart by the frame's first byte; a line left without its LF is taken at EOF. Each
# message's PRI is split into facility and severity, and RFC 5424 (version 1) and RFC 3164 headers are parsed.
# Three clients send at once: frames cut at odd places, several frames in one send, a counted message with
# newlines inside, a bad PRI, and a counted frame cut short by the close.
import select
import socket
import threading

FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
              "ftp", "ntp", "audit", "alert", "clock"] + ["local%d" % i for i in range(8)]
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
collected = []
log = []


def parse(msg):
    text = msg.decode("utf-8", "replace")
    if not text.startswith("<") or ">" not in text[:5]:
        return "unparsed %r" % text
    pri_text, _, rest = text[1:].partition(">")
    if not pri_text.isdigit() or int(pri_text) > 191:
        return "bad PRI %r" % pri_text
    pri = int(pri_text)
    fac, sev = FACILITIES[pri >> 3], SEVERITIES[pri & 7]
    if rest.startswith("1 "):
        _, ts, host, app, procid, msgid, rest = rest.split(" ", 6)
        if rest.startswith("- "):
            rest = rest[2:]
        return "%s.%s 5424 host=%s app=%s msgid=%s msg=%r" % (fac, sev, host, app, msgid, rest)
    # RFC 3164: "Mmm dd hh:mm:ss host tag: msg"
    parts = rest.split(" ", 4)
    host, tag_msg = parts[3], parts[4] if len(parts) > 4 else ""
    tag, _, body = tag_msg.partition(": ")
    return "%s.%s 3164 host=%s tag=%s msg=%r" % (fac, sev, host, tag, body)


def frames(buf, at_eof):
    out = []
    while buf:
        if buf[:1].isdigit():
            length, sp, rest = buf.partition(b" ")
            if not sp:
                break
            n = int(length)
            if len(rest) < n:
                if at_eof:
                    log.append("collector: counted frame cut short (%d of %d bytes)" % (len(rest), n))
                    buf = b""
                break
            out.append(rest[:n])
            buf = rest[n:]
        else:
            line, nl, rest = buf.partition(b"\n")
            if not nl and not at_eof:
                break
            out.append(line.rstrip(b"\r"))
            buf = rest
    return out, buf


def collector(lsock, nclients):
    lsock.setblocking(False)
    poller = select.poll()
    poller.register(lsock, select.POLLIN)
    conns, bufs, names = {}, {}, {}
    done = 0
    while done < nclients:
        for fd, ev in poller.poll(5000):
            if fd == lsock.fileno():
                conn, _ = lsock.accept()
                conn.setblocking(False)
                conns[conn.fileno()] = conn
                bufs[conn.fileno()] = b""
                poller.register(conn, select.POLLIN)
                continue
            conn = conns[fd]
            try:
                data = conn.recv(64)
            except BlockingIOError:
                continue
            msgs, bufs[fd] = frames(bufs[fd] + data, at_eof=not data)
            for m in msgs:
                result = parse(m)
                # the client's name is the first word after the header's host field, or the first message's
                names.setdefault(fd, result.split("host=")[1].split(" ")[0] if "host=" in result else "?")
                collected.append((names[fd], len([c for c in collected if c[0] == names[fd]]), result))
            if not data:
                poller.unregister(fd)
                conn.close()
                # the number may be reused by the next connection accepted
                conns.pop(fd), bufs.pop(fd), names.pop(fd, None)
                done += 1
    lsock.close()


def send_all(addr, pieces):
    with socket.create_connection(addr, timeout=5) as s:
        for p in pieces:
            s.sendall(p)


def octet(msg):
    return b"%d %s" % (len(msg), msg)


lsock = socket.create_server(("127.0.0.1", 0))
addr = lsock.getsockname()
ct = threading.Thread(target=collector, args=(lsock, 3))
ct.start()

a = (octet(b"<34>1 2023-10-11T22:14:15.003Z alpha su - ID47 - 'su root' failed on /dev/pts/8") +
     octet(b"<165>1 2023-10-11T22:14:15.000003-07:00 alpha evntslog - ID47 [ex@32473 iut=\"3\"] app event") +
     octet(b"<14>1 2023-10-11T22:14:16Z alpha backup 42 - - line one\nline two\nline three"))
b_ = (b"<13>Oct 11 22:14:15 bravo sshd[42]: Accepted publickey for ops\n"
      b"<86>Oct 11 22:14:16 bravo sudo: ops : TTY=pts/0 ; COMMAND=/bin/true\r\n"
      b"<999>Oct 11 22:14:17 bravo bad: priority out of range\n"
      b"no header at all\n"
      b"<191>Oct 11 22:14:18 bravo cron[7]: last line without LF")
c = (octet(b"<0>1 - charlie kernel - - - panic") + b"30 <3>1 - charlie cut")
threads = [
    threading.Thread(target=send_all, args=(addr, [a[i:i + 37] for i in range(0, len(a), 37)])),
    threading.Thread(target=send_all, args=(addr, [b_])),
    threading.Thread(target=send_all, args=(addr, [c[:5], c[5:]])),
]
for t in threads:
    t.start()
for t in threads:
    t.join(5)
ct.join(10)

for name, seq, result in sorted(collected):
    print(name, seq, result)
for line in log:
    print(line)
