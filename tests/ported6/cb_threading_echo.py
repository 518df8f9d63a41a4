# Python Network Programming Cookbook ch. 2, 2_3: an echo server with ThreadingMixIn (serve_forever in a
# daemon thread, each request in a thread of its own) and ThreadedClient objects. The book prints the process
# id and the handler thread's name, which differ run to run: here the client prints its number and the
# handler answers with a request count. Three clients in a row, then three connected at once answering in
# reverse order (each handler waits in its own thread), then shutdown() from the main thread.
import socket
import socketserver
import threading

SERVER_HOST = 'localhost'
SERVER_PORT = 0  # tells the kernel to pick up a port dynamically
BUF_SIZE = 1024
ECHO_MSG = 'Hello echo server!'
count = 0
lock = threading.Lock()


class ThreadedClient():
    """ A client to test threading mixin server"""

    def __init__(self, ip, port, n):
        # Create a socket
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Connect to the server
        self.sock.connect((ip, port))
        self.n = n

    def run(self, msg=ECHO_MSG):
        """ Client playing with the server"""
        # Send the data to server
        print('Client %s Sending echo message to the server : "%s"' % (self.n, msg))
        sent_data_length = self.sock.send(bytes(msg, 'utf-8'))
        print("Sent: %d characters, so far..." % sent_data_length)

        # Display server response
        response = self.sock.recv(BUF_SIZE)
        print("Client %s received: %s" % (self.n, response[5:]))

    def shutdown(self):
        """ Cleanup the client socket """
        self.sock.close()


class ThreadedRequestHandler(socketserver.BaseRequestHandler):
    """ An example of threaded TCP request handler """

    def handle(self):
        global count
        # Send the echo back to the client
        data = self.request.recv(1024)
        with lock:
            count += 1
            n = count
        response = "request %d: %s" % (n, data)
        self.request.sendall(bytes(response, 'utf-8'))


class ThreadedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Nothing to add here, inherited everything necessary from parents"""
    pass


if __name__ == "__main__":
    # Run server
    server = ThreadedServer((SERVER_HOST, SERVER_PORT), ThreadedRequestHandler)
    ip, port = server.server_address  # retrieve ip address
    print("Server bound to", ip, "daemon_threads", server.daemon_threads)

    # Start a thread with the server -- one thread per request
    server_thread = threading.Thread(target=server.serve_forever)
    # Exit the server thread when the main thread exits
    server_thread.daemon = True
    server_thread.start()
    print("Server loop running")

    # Run clients
    client1 = ThreadedClient(ip, port, 1)
    client1.run()

    client2 = ThreadedClient(ip, port, 2)
    client2.run()

    client3 = ThreadedClient(ip, port, 3)
    client3.run('x' * 60)

    # three at once, answered last first
    clients = [ThreadedClient(ip, port, n) for n in (4, 5, 6)]
    for c in reversed(clients):
        c.run('from %d' % c.n)

    # Server cleanup
    server.shutdown()
    server_thread.join()
    print("serve_forever returned")

    # Client cleanup
    client1.shutdown()
    client2.shutdown()
    client3.shutdown()
    for c in clients:
        c.shutdown()
    server.socket.close()
    try:
        ThreadedClient(ip, port, 7)
    except ConnectionRefusedError as e:
        print("after close:", e)
