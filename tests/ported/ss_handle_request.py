# socketserver: handle_request() with server.timeout and handle_timeout(); a StreamRequestHandler
# that loops `for line in self.rfile`; a client thread (a task when ported) with a text makefile.
import socket
import socketserver
import threading


class LineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        n = 0
        for line in self.rfile:
            n += 1
            self.wfile.write(b"%d %s" % (n, line))
        print("handler: client sent", n, "lines")


class Server(socketserver.TCPServer):
    allow_reuse_address = True
    timeout = 0.3

    def handle_timeout(self):
        print("handle_timeout called")


with Server(("127.0.0.1", 0), LineHandler) as server:
    print("server_address", server.server_address[0], server.socket.getsockname() == server.server_address)
    server.handle_request()  # nobody connects: times out

    def client():
        with socket.create_connection(server.server_address) as s:
            f = s.makefile("rw", encoding="utf-8", newline="\n")
            for word in ["alpha", "beta", "gamma"]:
                f.write(word + "\n")
                f.flush()
                print("client got", repr(f.readline()))
            s.shutdown(socket.SHUT_WR)
            print("client rest", repr(f.read()))
            f.close()

    t = threading.Thread(target=client)
    t.start()
    server.handle_request()
    t.join()


class ServerV6(Server):
    address_family = socket.AF_INET6


with ServerV6(("::1", 0), LineHandler) as server6:
    print("v6", server6.socket.family == socket.AF_INET6, server6.server_address[0], len(server6.server_address))
print("done")
