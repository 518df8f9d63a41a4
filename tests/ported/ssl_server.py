# ssl docs: server side, wrapping each accepted socket; cert and key paths from argv.
import socket
import ssl
import sys

PORT = int(sys.argv[1])
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(certfile=sys.argv[2], keyfile=sys.argv[3])

bindsocket = socket.socket()
bindsocket.bind(('127.0.0.1', PORT))
bindsocket.listen(5)


def do_something(connstream, data):
    print("request line:", data.split(b"\r\n")[0])
    connstream.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + data.split(b" ")[1])
    return False


def deal_with_client(connstream):
    data = connstream.recv(1024)
    # empty data means the client is finished with us
    while data:
        if not do_something(connstream, data):
            # we'll assume do_something returns False
            # when we're finished with client
            break
        data = connstream.recv(1024)
    # finished with client


for _ in range(1):
    newsocket, fromaddr = bindsocket.accept()
    connstream = context.wrap_socket(newsocket, server_side=True)
    print("version", connstream.version())
    try:
        deal_with_client(connstream)
    finally:
        connstream.shutdown(socket.SHUT_RDWR)
        connstream.close()
bindsocket.close()
