# A FastCGI responder and the web server's side of it over an AF_UNIX stream socket in a temp dir: records with
# the 8-byte header (struct "!BBHHBx": version, type, request id, content length, padding), name-value pairs with
# 1- and 4-byte lengths, BEGIN_REQUEST (role, keep-connection flag), PARAMS and STDIN streams ended by an empty
# record, STDOUT/STDERR back, END_REQUEST with the app status and protocol status; two requests multiplexed on one
# kept connection, GET_VALUES, an unknown record type, an unknown role, and a connection closed by the app after
# a request without the keep flag.
import os
import shutil
import socket
import struct
import tempfile
import threading

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR, GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = (
    1, 2, 3, 4, 5, 6, 7, 9, 10, 11)
RESPONDER, KEEP_CONN = 1, 1
NAMES = {1: "BEGIN", 2: "ABORT", 3: "END", 4: "PARAMS", 5: "STDIN", 6: "STDOUT", 7: "STDERR",
         10: "GET_VALUES_RESULT", 11: "UNKNOWN_TYPE"}
log = []


def record(rtype, rid, content=b"", padding=0):
    return struct.pack("!BBHHBx", 1, rtype, rid, len(content), padding) + content + bytes(padding)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None if not buf else buf
        buf += chunk
    return buf


def read_record(s):
    head = recv_exact(s, 8)
    if head is None:
        return None
    version, rtype, rid, length, padding = struct.unpack("!BBHHBx", head)
    content = recv_exact(s, length) if length else b""
    if padding:
        recv_exact(s, padding)
    return rtype, rid, content


def pairs(data):
    out, i = [], 0
    while i < len(data):
        lens = []
        for _ in range(2):
            if data[i] >> 7:
                lens.append(struct.unpack("!I", data[i:i + 4])[0] & 0x7FFFFFFF)
                i += 4
            else:
                lens.append(data[i])
                i += 1
        out.append((data[i:i + lens[0]].decode(), data[i + lens[0]:i + lens[0] + lens[1]].decode()))
        i += lens[0] + lens[1]
    return out


def encode_pairs(items):
    out = b""
    for k, v in items:
        for x in (k, v):
            n = len(x.encode())
            out += bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)
        out += k.encode() + v.encode()
    return out


def app(params, body):
    if params.get("SCRIPT_NAME") == "/fail":
        return b"Status: 500 Internal Server Error\r\n\r\n", b"app: something broke\n", 1
    text = "%s %s len=%s ua=%d bytes\n" % (params["REQUEST_METHOD"], params["SCRIPT_NAME"],
                                           params.get("CONTENT_LENGTH", "0"), len(params.get("HTTP_USER_AGENT", "")))
    text += "body: %r\n" % body[:40]
    return b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + text.encode(), b"", 0


def responder(lsock, nconns):
    for c in range(nconns):
        conn, _ = lsock.accept()
        conn.settimeout(5)
        reqs = {}
        while True:
            rec = read_record(conn)
            if rec is None:
                log.append("app conn %d: EOF" % c)
                break
            rtype, rid, content = rec
            if rtype == GET_VALUES:
                asked = [k for k, _ in pairs(content)]
                known = {"FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "4", "FCGI_MPXS_CONNS": "1"}
                conn.sendall(record(GET_VALUES_RESULT, 0, encode_pairs((k, known[k]) for k in asked if k in known)))
            elif rtype == BEGIN:
                role, flags = struct.unpack("!HB5x", content)
                if role != RESPONDER:
                    conn.sendall(record(END, rid, struct.pack("!IB3x", 0, 3)))  # FCGI_UNKNOWN_ROLE
                    continue
                reqs[rid] = {"keep": flags & KEEP_CONN, "params": b"", "stdin": b""}
            elif rtype == PARAMS:
                reqs[rid]["params"] += content
            elif rtype == STDIN and content:
                reqs[rid]["stdin"] += content
            elif rtype == STDIN:
                req = reqs.pop(rid)
                params = dict(pairs(req["params"]))
                out, err, status = app(params, req["stdin"])
                for i in range(0, len(out), 50):
                    conn.sendall(record(STDOUT, rid, out[i:i + 50], padding=(8 - len(out[i:i + 50]) % 8) % 8))
                conn.sendall(record(STDOUT, rid))
                if err:
                    conn.sendall(record(STDERR, rid, err) + record(STDERR, rid))
                conn.sendall(record(END, rid, struct.pack("!IB3x", status, 0)))
                log.append("app conn %d: request %d %s done, keep %d" % (c, rid, params["SCRIPT_NAME"],
                                                                        req["keep"]))
                if not req["keep"]:
                    break
            else:
                conn.sendall(record(UNKNOWN_TYPE, 0, struct.pack("!B7x", rtype)))
        conn.close()


def begin(rid, keep=True, role=RESPONDER):
    return record(BEGIN, rid, struct.pack("!HB5x", role, KEEP_CONN if keep else 0))


def request(rid, method, script, body=b"", keep=True, ua="curl/8"):
    params = encode_pairs([("REQUEST_METHOD", method), ("SCRIPT_NAME", script),
                           ("CONTENT_LENGTH", str(len(body))), ("HTTP_USER_AGENT", ua)])
    recs = [begin(rid, keep), record(PARAMS, rid, params[:30]), record(PARAMS, rid, params[30:]),
            record(PARAMS, rid)]
    recs += [record(STDIN, rid, body[i:i + 16], padding=3) for i in range(0, len(body), 16)]
    return recs + [record(STDIN, rid)]


def collect(s, until_ends):
    got = {}
    ends = 0
    while ends < until_ends:
        rec = read_record(s)
        if rec is None:
            print("  EOF from the app")
            break
        rtype, rid, content = rec
        if rtype == END:
            status, proto = struct.unpack("!IB3x", content)
            print("  END request %d: app status %d, protocol status %d" % (rid, status, proto))
            ends += 1
        elif rtype in (STDOUT, STDERR):
            got.setdefault((rid, NAMES[rtype]), []).append(content)
        else:
            print("  %s: %r" % (NAMES[rtype], pairs(content) if rtype == GET_VALUES_RESULT else content))
            ends += 1
    for (rid, name), chunks in sorted(got.items()):
        print("  request %d %s: %d records, %r" % (rid, name, len(chunks), b"".join(chunks)))


tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "app.sock")
try:
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(path)
    lsock.listen()
    t = threading.Thread(target=responder, args=(lsock, 2))
    t.start()

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    print("GET_VALUES:")
    s.sendall(record(GET_VALUES, 0, encode_pairs([("FCGI_MPXS_CONNS", ""), ("FCGI_MAX_CONNS", ""),
                                                  ("NO_SUCH", "")])))
    collect(s, 1)
    print("two requests interleaved:")
    a = request(1, "POST", "/upload", b"name=value&" * 5)
    b_ = request(2, "GET", "/index", ua="M" * 300)
    mixed = [r for pair in zip(a, b_) for r in pair] + a[len(b_):] + b_[len(a):]
    s.sendall(b"".join(mixed))
    collect(s, 2)
    print("unknown type, unknown role, a failing app:")
    s.sendall(record(42, 0, b"?") + begin(3, role=2) + b"".join(request(4, "GET", "/fail")))
    collect(s, 3)
    s.close()

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    print("without the keep flag:")
    s.sendall(b"".join(request(1, "GET", "/once", keep=False)))
    collect(s, 2)
    s.close()
    t.join(5)
    lsock.close()
finally:
    shutil.rmtree(tmp)

for line in log:
    print(line)
