# A toy HTTP/1.1 server on ThreadingTCPServer with persistent connections, as http.server reads requests:
# rfile.readline(65537) with a length check (414 for a long request line), headers until a blank line,
# a body read with rfile.read(Content-Length), "Connection: close" honoured. Clients: three pipelined
# requests in one sendall, a POST whose body arrives in pieces, a request line too long, a client that
# sends half a request and half-closes.
import socket
import socketserver
import threading
import time


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        served = 0
        while True:
            line = self.rfile.readline(65537)
            if not line:
                break
            if len(line) > 65536:
                while not line.endswith(b"\n") and line:  # drain the rest before closing
                    line = self.rfile.readline(65537)
                self.reply(414, b"URI Too Long", close=True)
                break
            method, path, version = line.decode("iso-8859-1").rstrip("\r\n").split(" ")
            headers = {}
            while True:
                h = self.rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                k, v = h.decode("iso-8859-1").split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = self.rfile.read(int(headers.get("content-length", "0")))
            served += 1
            close = headers.get("connection", "").lower() == "close"
            text = "%s %s #%d body=%d %r" % (method, path, served, len(body), body[:12])
            self.reply(200, text.encode(), close=close)
            if close:
                break

    def reply(self, code, text, close=False):
        head = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n" % (code, "OK" if code == 200 else "Error", len(text))
        if close:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode() + b"\r\n" + text)


def read_response(f):
    status = f.readline()
    if not status:
        return None
    length = 0
    closing = False
    while True:
        h = f.readline()
        if h == b"\r\n":
            break
        k, v = h.decode().split(":", 1)
        if k.lower() == "content-length":
            length = int(v)
        if k.lower() == "connection":
            closing = True
    return status.decode().strip(), f.read(length).decode(), closing


with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    addr = server.server_address

    with socket.create_connection(addr, timeout=10) as c:
        c.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        f = c.makefile("rb")
        while True:
            r = read_response(f)
            if r is None:
                break
            print("pipelined", r)
        f.close()

    with socket.create_connection(addr, timeout=10) as c:
        body = b"name=value&" * 300
        c.sendall(b"POST /form HTTP/1.1\r\nContent-Length: %d\r\n" % len(body))
        time.sleep(0.05)
        c.sendall(b"\r\n" + body[:100])
        time.sleep(0.05)
        c.sendall(body[100:])
        f = c.makefile("rb")
        print("post", read_response(f))
        c.sendall(b"GET /after HTTP/1.1\r\n\r\n")
        print("keep-alive", read_response(f))
        c.shutdown(socket.SHUT_WR)
        print("after SHUT_WR", read_response(f))
        f.close()

    with socket.create_connection(addr, timeout=10) as c:
        c.sendall(b"GET /" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n")
        f = c.makefile("rb")
        print("long", read_response(f))
        print("then", read_response(f))
        f.close()

    with socket.create_connection(addr, timeout=10) as c:
        c.sendall(b"GET /half HTTP/1.1\r\nHost: x\r\n")
        c.shutdown(socket.SHUT_WR)
        f = c.makefile("rb")
        print("half", read_response(f))
        f.close()

    server.shutdown()
    t.join(5)
print("done")
