# Python Network Programming Cookbook ch. 2, 2_4: a chat server on one select() loop. Messages are framed
# as in the book: struct.pack("L", htonl(len)) (8 native bytes on 64-bit Linux) then the pickled arguments;
# pickle has no port, so the arguments travel as JSON. The book's server stops on a line from stdin; this one
# stops once its clients have all hung up after the third arrived, and prints no descriptor numbers. As in
# the book, every client socket is also watched for writability (select returns at once while any is
# connected).
import json
import select
import socket
import struct
import sys

SERVER_HOST = '127.0.0.1'


def send(channel, *args):
    buffer = json.dumps(args).encode()
    value = socket.htonl(len(buffer))
    size = struct.pack("L", value)
    channel.send(size)
    channel.send(buffer)


def receive(channel):
    size = struct.calcsize("L")
    size = channel.recv(size)
    try:
        size = socket.ntohl(struct.unpack("L", size)[0])
    except struct.error as e:
        return ''
    buf = b""
    while len(buf) < size:
        buf = channel.recv(size - len(buf))
    return json.loads(buf)[0]


class ChatServer(object):
    """ An example chat server using select """

    def __init__(self, port, backlog=5):
        self.clients = 0
        self.served = 0
        self.clientmap = {}
        self.outputs = []  # list output sockets
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((SERVER_HOST, port))
        print('Server listening to port: %s' % self.server.getsockname()[1])
        self.server.listen(backlog)

    def shutdown(self):
        print('Shutting down server...')
        # Close existing client sockets
        for output in self.outputs:
            output.close()
        self.server.close()

    def get_client_name(self, client):
        """ Return the name of the client """
        info = self.clientmap[client]
        host, name = info[0][0], info[1]
        return '@'.join((name, host))

    def run(self):
        inputs = [self.server]
        self.outputs = []
        running = True
        rounds = 0
        while running:
            rounds += 1
            try:
                readable, writeable, exceptional = select.select(inputs, self.outputs, [])
            except select.error as e:
                break

            for sock in readable:
                if sock == self.server:
                    # handle the server socket
                    client, address = self.server.accept()
                    print("Chat server: got connection from %s" % address[0])
                    # Read the login name
                    cname = receive(client).split('NAME: ')[1]

                    # Compute client name and send back
                    self.clients += 1
                    self.served += 1
                    send(client, 'CLIENT: ' + str(address[0]))
                    inputs.append(client)
                    self.clientmap[client] = (address, cname)
                    # Send joining information to other clients
                    msg = "\n(Connected: New client (%d) from %s)" % (self.clients, self.get_client_name(client))
                    for output in self.outputs:
                        send(output, msg)
                    self.outputs.append(client)
                else:
                    # handle all other sockets
                    try:
                        data = receive(sock)
                        if data:
                            # Send as new client's message...
                            msg = '\n#[' + self.get_client_name(sock) + ']>>' + data
                            # Send data to all except ourself
                            for output in self.outputs:
                                if output != sock:
                                    send(output, msg)
                        else:
                            print("Chat server: %s hung up" % self.get_client_name(sock))
                            self.clients -= 1
                            sock.close()
                            inputs.remove(sock)
                            self.outputs.remove(sock)

                            # Sending client leaving information to others
                            msg = "\n(Now hung up: Client from %s)" % self.get_client_name(sock)
                            for output in self.outputs:
                                send(output, msg)
                            if self.clients == 0 and self.served >= 3:
                                running = False
                    except socket.error as e:
                        # Remove
                        print("Chat server: error", e)
                        inputs.remove(sock)
                        self.outputs.remove(sock)
        print('select() returned more than once:', rounds > 1)
        self.shutdown()


if __name__ == "__main__":
    server = ChatServer(int(sys.argv[1]))
    server.run()
