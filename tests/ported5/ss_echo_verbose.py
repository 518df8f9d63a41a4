# PyMOTW-3 socketserver_echo.py: an echo TCPServer and BaseRequestHandler that log every method the framework
# calls (logging's "%(name)s: %(message)s" becomes print; the server thread's lines are kept and printed
# after the client's, as two threads' prints would interleave). Two requests under serve_forever(), one more
# by handle_request(), one refused by verify_request.
import socket
import socketserver
import threading

server_log = []
client_log = []


class Logger:
    def __init__(self, name, sink):
        self.name = name
        self.sink = sink

    def debug(self, msg, *args):
        self.sink.append('%s: %s' % (self.name, msg % args))


class EchoRequestHandler(socketserver.BaseRequestHandler):

    def __init__(self, request, client_address, server):
        self.logger = Logger('EchoRequestHandler', server_log)
        self.logger.debug('__init__')
        socketserver.BaseRequestHandler.__init__(self, request, client_address, server)
        return

    def setup(self):
        self.logger.debug('setup')
        return socketserver.BaseRequestHandler.setup(self)

    def handle(self):
        self.logger.debug('handle')
        # Echo the back to the client
        data = self.request.recv(1024)
        self.logger.debug('recv()->"%s"', data)
        self.request.send(data)
        return

    def finish(self):
        self.logger.debug('finish')
        return socketserver.BaseRequestHandler.finish(self)


class EchoServer(socketserver.TCPServer):

    def __init__(self, server_address, handler_class=EchoRequestHandler):
        self.logger = Logger('EchoServer', server_log)
        self.logger.debug('__init__')
        socketserver.TCPServer.__init__(self, server_address, handler_class)
        return

    def server_activate(self):
        self.logger.debug('server_activate')
        socketserver.TCPServer.server_activate(self)
        return

    def serve_forever(self, poll_interval=0.5):
        self.logger.debug('waiting for request')
        self.logger.info = self.logger.debug
        self.logger.info('Handling requests, press <Ctrl-C> to quit')
        socketserver.TCPServer.serve_forever(self, poll_interval)
        self.logger.debug('serve_forever returned')
        return

    def handle_request(self):
        self.logger.debug('handle_request')
        return socketserver.TCPServer.handle_request(self)

    def verify_request(self, request, client_address):
        self.logger.debug('verify_request(%s, %s)', type(request).__name__, client_address[0])
        if getattr(self, 'refuse_next', False):
            self.refuse_next = False
            return False
        return socketserver.TCPServer.verify_request(self, request, client_address)

    def process_request(self, request, client_address):
        self.logger.debug('process_request(%s, %s)', type(request).__name__, client_address[0])
        return socketserver.TCPServer.process_request(self, request, client_address)

    def server_close(self):
        Logger('EchoServer', client_log).debug('server_close')  # the main thread's line
        return socketserver.TCPServer.server_close(self)

    def finish_request(self, request, client_address):
        self.logger.debug('finish_request(%s, %s)', type(request).__name__, client_address[0])
        return socketserver.TCPServer.finish_request(self, request, client_address)

    def shutdown_request(self, request):
        self.logger.debug('shutdown_request(%s)', type(request).__name__)
        return socketserver.TCPServer.shutdown_request(self, request)

    def close_request(self, request_address):
        self.logger.debug('close_request(%s)', type(request_address).__name__)
        return socketserver.TCPServer.close_request(self, request_address)

    def shutdown(self):
        Logger('EchoServer', client_log).debug('shutdown()')  # the main thread's line
        return socketserver.TCPServer.shutdown(self)


def client(ip, port, message):
    logger = Logger('client', client_log)
    logger.debug('creating socket')
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    logger.debug('connecting to server')
    s.connect((ip, port))
    logger.debug('sending data: "%s"', message)
    len_sent = s.send(message)
    logger.debug('sent %d bytes', len_sent)
    logger.debug('waiting for response')
    response = s.recv(len_sent)
    logger.debug('response from server: "%s"', response)
    logger.debug('closing socket')
    s.close()
    logger.debug('done')
    return response


address = ('localhost', 0)  # let the kernel assign a port
server = EchoServer(address, EchoRequestHandler)
ip, port = server.server_address  # what port was assigned?
print('server address', ip)
t = threading.Thread(target=server.serve_forever)
t.daemon = True  # don't hang on exit
t.start()
for message in [b'Hello, world', b'second request']:
    print('echoed:', client(ip, port, message))
server.shutdown()
t.join()
t = threading.Thread(target=client, args=(ip, port, b'by handle_request'))
t.start()
server.handle_request()
t.join()
server.refuse_next = True
s = socket.create_connection((ip, port))
s.send(b'refused?')
server.handle_request()
print('refused client reads', s.recv(10))
s.close()
server.server_close()
for line in server_log + client_log:
    print(line)
