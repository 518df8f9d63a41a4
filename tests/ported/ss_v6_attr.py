# The common recipe for an IPv6 socketserver: override the class attribute address_family.
import socket
import socketserver


class TCPServerV6(socketserver.TCPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True


with TCPServerV6(("::1", 0), socketserver.StreamRequestHandler) as server:
    print(server.socket.family == socket.AF_INET6, server.server_address[0], server.allow_reuse_address)
