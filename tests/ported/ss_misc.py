# socketserver details: bind_and_activate=False, verify_request, a handler error, shutdown() asked for
# by a handler, DatagramRequestHandler's rfile/wfile.
import socket
import socketserver
import sys
import threading


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().strip()
        if line == b"boom":
            raise ValueError("handler failed on purpose")
        if line == b"quit":
            self.wfile.write(b"bye\n")
            threading.Thread(target=self.server.shutdown).start()
            return
        self.wfile.write(b"echo " + line + b"\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        return client_address[0] == "127.0.0.1"

    def handle_error(self, request, client_address):
        print("handle_error:", sys.exc_info()[0].__name__, sys.exc_info()[1])


def talk(addr, line):
    with socket.create_connection(addr) as s:
        s.sendall(line + b"\n")
        return s.makefile("rb").readline()


server = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
server.allow_reuse_address = True
server.server_bind()
server.server_activate()
print("bound", server.server_address[0], server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
t = threading.Thread(target=server.serve_forever)
t.start()
addr = server.server_address
print(talk(addr, b"hello"))
print(talk(addr, b"boom"))
print(talk(addr, b"quit"))
t.join(10)
print("serve_forever returned:", not t.is_alive())
server.server_close()


class DHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        print("datagram handler read", line, "rest", self.rfile.read())
        self.wfile.write(b"got " + line.upper())


with socketserver.UDPServer(("127.0.0.1", 0), DHandler) as userver:
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(5)
    c.sendto(b"first line\nsecond", userver.server_address)
    userver.handle_request()
    print("udp reply", c.recv(100))
    c.close()
