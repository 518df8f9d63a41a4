# Server-Sent Events over HTTP/1.1: a socketserver.ThreadingTCPServer (daemon_threads) whose StreamRequestHandler
# reads the request head from rfile and streams "text/event-stream" to wfile without a length (the end of the body
# is the close), three events per connection, then drops it; an EventSource-style client on a socket's
# makefile('rb') that parses fields (id, event, data over several lines, retry, comments, a field without a colon,
# CRLF and LF line ends, UTF-8), dispatches at each blank line, and reconnects after the server drops it with a
# Last-Event-ID header, until an "end" event. A 404 for another path has a Content-Length.
import socket
import socketserver
import threading
import time

EVENTS = [
    (1, None, ["hello"]),
    (2, "price", ["AAPL 187.5"]),
    (3, "note", ["first line", "second line"]),
    (4, None, ["caf\u00e9 \u2615"]),
    (5, "price", ["MSFT 402.1"]),
    (6, "end", ["bye"]),
]
log = []


class SSEHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request = self.rfile.readline().decode("latin-1").rstrip("\r\n")
        headers = {}
        while True:
            line = self.rfile.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        method, path, _ = request.split(" ")
        last = headers.get("last-event-id")
        log.append("%s %s last-event-id=%s" % (method, path, last))
        if path != "/events":
            body = b"no such stream\n"
            self.wfile.write(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            return
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                         b"Connection: close\r\n\r\n")
        self.wfile.write(b": stream opened\n\nretry: 50\n\n")
        sent = 0
        for eid, etype, lines in EVENTS:
            if last is not None and eid <= int(last):
                continue
            out = "id: %d\n" % eid
            if etype:
                out += "event: %s\n" % etype
            out += "".join("data: %s\n" % line for line in lines) + "\n"
            if eid == 4:
                out = out.replace("\n", "\r\n") + "data\n\n"
            self.wfile.write(out.encode())
            self.wfile.flush()
            sent += 1
            if sent == 3:
                break


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True


def connect(addr, path, last_id):
    s = socket.create_connection(addr, timeout=5)
    head = "GET %s HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n" % path
    if last_id is not None:
        head += "Last-Event-ID: %s\r\n" % last_id
    s.sendall((head + "\r\n").encode())
    f = s.makefile("rb")
    status = f.readline().decode().rstrip("\r\n")
    headers = {}
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        k, _, v = line.partition(":")
        headers[k.lower()] = v.strip()
    return s, f, status, headers


def event_source(addr):
    last_id, retry, connections = None, None, 0
    while connections < 5:
        s, f, status, headers = connect(addr, "/events", last_id)
        connections += 1
        print("connection %d: %s, %s" % (connections, status, headers.get("content-type")))
        etype, data, ended = "message", [], False
        while True:
            raw = f.readline()
            if not raw:
                print("  stream closed by the server")
                break
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    print("  event %r id=%s data=%r" % (etype, last_id, "\n".join(data)))
                    if etype == "end":
                        ended = True
                        break
                etype, data = "message", []
                continue
            if line.startswith(":"):
                print("  comment %r" % line[1:].strip())
                continue
            field, sep, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if field == "id":
                last_id = value
            elif field == "event":
                etype = value
            elif field == "data":
                data.append(value)
            elif field == "retry":
                retry = int(value)
                print("  retry set to %d ms" % retry)
        f.close()
        s.close()
        if ended:
            return connections
        time.sleep(retry / 1000)


with Server(("127.0.0.1", 0), SSEHandler) as server:
    addr = server.server_address
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    print("connections used:", event_source(addr))
    s, f, status, headers = connect(addr, "/nope", None)
    print("other path:", status, headers.get("content-length"), f.read(int(headers["content-length"])))
    f.close()
    s.close()
    server.shutdown()
    t.join(5)

for line in log:
    print(line)
