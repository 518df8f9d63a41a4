# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.9: simple authentication of clients. The recipe's
# client_authenticate() and server_authenticate() (a 32-byte os.urandom challenge, hmac digest, compare_digest)
# and its echo server that authenticates each client first. hmac.new() needs a digestmod since Python 3.8:
# 'md5', the default the book relied on. The server (a thread) serves a set number of clients over TCP and
# over AF_UNIX: a client with the right key (echoes), one with a wrong key (the server closes: b''), one that
# sends a short digest and half-closes, and over AF_UNIX one that connects and hangs up while the server is
# busy (the challenge's send() raises BrokenPipeError, printed; over TCP whether the next recv() sees EOF or a
# reset is a race).
import hmac
import os
import socket
import tempfile
import threading
from socket import AF_INET, AF_UNIX, SOCK_STREAM


def client_authenticate(connection, secret_key):
    '''
    Authenticate client to a remote service.
    connection represents a network connection.
    secret_key is a key known only to both client/server.
    '''
    message = connection.recv(32)
    hash = hmac.new(secret_key, message, 'md5')
    digest = hash.digest()
    connection.send(digest)


def server_authenticate(connection, secret_key):
    '''
    Request client authentication.
    '''
    message = os.urandom(32)
    connection.send(message)
    hash = hmac.new(secret_key, message, 'md5')
    digest = hash.digest()
    response = connection.recv(len(digest))
    return hmac.compare_digest(digest, response)


secret_key = b'peekaboo'
log = []  # the server's lines, printed after the clients' (threads print in any order)


def echo_handler(client_sock):
    if not server_authenticate(client_sock, secret_key):
        log.append('server: authentication failed')
        client_sock.close()
        return
    log.append('server: authenticated')
    while True:
        msg = client_sock.recv(8192)
        if not msg:
            break
        client_sock.sendall(msg)
    client_sock.close()


def echo_server(s, count):
    for _ in range(count):
        c, a = s.accept()
        try:
            echo_handler(c)
        except OSError as e:
            log.append('server: %s %s' % (type(e).__name__, e))
            c.close()


def run(family, address):
    s = socket.socket(family, SOCK_STREAM)
    s.bind(address)
    s.listen(5)
    t = threading.Thread(target=echo_server, args=(s, 4 if family == AF_UNIX else 3))
    t.start()
    where = s.getsockname()

    c = socket.socket(family, SOCK_STREAM)
    c.connect(where)
    client_authenticate(c, secret_key)
    c.send(b'Hello World')
    print('good key:', c.recv(1024))
    c.close()

    c = socket.socket(family, SOCK_STREAM)
    c.connect(where)
    client_authenticate(c, b'guessing')
    print('wrong key:', c.recv(1024))
    c.close()

    c = socket.socket(family, SOCK_STREAM)
    c.connect(where)
    print('challenge length:', len(c.recv(32)))
    if family == AF_UNIX:
        # while the server waits for this client's digest, another connects and hangs up
        c4 = socket.socket(family, SOCK_STREAM)
        c4.connect(where)
        c4.close()
    c.send(b'short')
    c.shutdown(socket.SHUT_WR)
    print('short digest:', c.recv(1024))
    c.close()

    t.join()
    s.close()
    for line in log:
        print(line)
    log.clear()


run(AF_INET, ('127.0.0.1', 0))
run(AF_UNIX, os.path.join(tempfile.mkdtemp(), 'auth.sock'))
