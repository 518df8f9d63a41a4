# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.10: adding SSL to network services. First the
# recipe's echo_server(): a listening socket wrapped with ssl.wrap_socket(..., server_side=True), whose
# accept() does the handshake, errors printed as '{}: {}'.format(e.__class__.__name__, e) in the accept loop;
# clients wrapped with ssl.wrap_socket(cert_reqs=CERT_REQUIRED, ca_certs=<the server's self-signed cert>),
# and one that speaks plain text. Then the recipe's SSLMixin (get_request() wraps each connection) on a
# TCPServer that requires client certificates: a client with one, and (argv[2] 'nocert') a client without one. The book's certs
# are made with openssl req; here argv[1] is a directory of test certificates. Ports and descriptor numbers
# change each run: they are not printed. ssl.wrap_socket() is deprecated (a warning on stderr, not compared).
import socket
import ssl
import sys
import threading
import warnings
from socket import AF_INET, SOCK_STREAM
from socketserver import StreamRequestHandler, TCPServer

warnings.simplefilter('ignore', DeprecationWarning)
d = sys.argv[1]
NOCERT = sys.argv[2:] == ['nocert']
KEYFILE = d + '/self.key'  # Private key of the server
CERTFILE = d + '/self.pem'  # Server certificate (given to client)
log = []  # the server thread's lines, printed after the clients' (threads print in any order)


def echo_client(s):
    while True:
        data = s.recv(8192)
        if data == b'':
            break
        s.send(data)
    s.close()
    log.append('Connection closed')


def echo_server(s_ssl, count):
    # Wait for connections
    for _ in range(count):
        try:
            c, a = s_ssl.accept()
            log.append('Got connection %s %s' % (type(c).__name__, a[0]))
            echo_client(c)
        except Exception as e:
            log.append('{}: {}'.format(e.__class__.__name__, e))


s = socket.socket(AF_INET, SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(1)
# Wrap with an SSL layer
s_ssl = ssl.wrap_socket(s, keyfile=KEYFILE, certfile=CERTFILE, server_side=True)
t = threading.Thread(target=echo_server, args=(s_ssl, 2))
t.start()
addr = s_ssl.getsockname()

c = socket.socket(AF_INET, SOCK_STREAM)
c_ssl = ssl.wrap_socket(c, cert_reqs=ssl.CERT_REQUIRED, ca_certs=CERTFILE)
c_ssl.connect(addr)
print(c_ssl.send(b'Hello World?'))
print(c_ssl.recv(8192))
print('version:', c_ssl.version(), 'subject:', c_ssl.getpeercert()['subject'])
c_ssl.close()

c = socket.create_connection(addr)
c.sendall(b'Hello World?')  # no TLS
print('plain client done')
t.join()
c.close()
s_ssl.close()
for line in log:
    print(line)
log.clear()


class SSLMixin:
    '''
    Mixin class that adds support for SSL to existing servers based
    on the socketserver module.
    '''
    def __init__(self, *args,
                 keyfile=None, certfile=None, ca_certs=None,
                 cert_reqs=ssl.CERT_NONE,
                 **kwargs):
        self._keyfile = keyfile
        self._certfile = certfile
        self._ca_certs = ca_certs
        self._cert_reqs = cert_reqs
        super().__init__(*args, **kwargs)

    def get_request(self):
        client, addr = super().get_request()
        client_ssl = ssl.wrap_socket(client,
                                     keyfile=self._keyfile,
                                     certfile=self._certfile,
                                     ca_certs=self._ca_certs,
                                     cert_reqs=self._cert_reqs,
                                     server_side=True)
        return client_ssl, addr


class SSLTCPServer(SSLMixin, TCPServer):
    pass


class EchoHandler(StreamRequestHandler):
    def handle(self):
        cn = dict(x[0] for x in self.request.getpeercert()['subject'])['commonName']
        log.append('handler: client %s' % cn)
        for line in self.rfile:
            self.wfile.write(line.upper())


serv = SSLTCPServer(('127.0.0.1', 0), EchoHandler, keyfile=d + '/server.key', certfile=d + '/server.pem',
                    ca_certs=d + '/ca.pem', cert_reqs=ssl.CERT_REQUIRED)
t = threading.Thread(target=serv.serve_forever)
t.start()
ctx = ssl.create_default_context(cafile=d + '/ca.pem')
ctx.load_cert_chain(d + '/client.pem', d + '/client.key')
with ctx.wrap_socket(socket.create_connection(serv.server_address), server_hostname='localhost') as c:
    f = c.makefile('rwb')
    f.write(b'with a certificate\n')
    f.flush()
    print(f.readline())
    f.close()
if NOCERT:
    ctx = ssl.create_default_context(cafile=d + '/ca.pem')
    with ctx.wrap_socket(socket.create_connection(serv.server_address), server_hostname='localhost') as c:
        print('handshake done:', c.version())
        try:
            c.sendall(b'without a certificate\n')
            print(c.recv(100))
        except ssl.SSLError as e:
            print('{}: {}'.format(e.__class__.__name__, e))
serv.shutdown()
t.join()
serv.server_close()
for line in log:
    print(line)
