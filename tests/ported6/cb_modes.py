# Python Network Programming Cookbook ch. 1: 1_8 socket timeout, 1_9 blocking and non-blocking modes, 1_10
# reusing a socket address. The book's servers loop forever on a fixed port; here they listen on a free
# loopback port (not printed), accept a bounded number of clients, and the address is rebound after a
# connection the server closed first (its TIME_WAIT holds the port).
import socket
import time


def test_socket_timeout():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("Default socket timeout: %s" % s.gettimeout())
    s.settimeout(100)
    print("Current socket timeout: %s" % s.gettimeout())
    s.settimeout(None)
    print("After settimeout(None): %s" % s.gettimeout())
    socket.setdefaulttimeout(2.5)
    t = socket.socket()
    print("With setdefaulttimeout(2.5): %s %s" % (t.gettimeout(), socket.getdefaulttimeout()))
    socket.setdefaulttimeout(None)
    t.close()
    s.close()


def test_blocking_modes():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Set socket to blocking mode
    s.setblocking(1)
    print("blocking:", s.getblocking(), s.gettimeout())
    s.settimeout(0.5)
    print("after settimeout(0.5):", s.getblocking(), s.gettimeout())
    s.bind(("127.0.0.1", 0))
    socket_address = s.getsockname()
    print("Trivial Server launched on socket: %s" % socket_address[0])
    s.listen(1)
    try:
        s.accept()
    except socket.timeout as e:
        print("accept with timeout 0.5:", type(e).__name__, e)
    s.setblocking(0)
    print("non-blocking:", s.getblocking(), s.gettimeout())
    try:
        s.accept()
    except BlockingIOError as e:
        print("accept non-blocking:", type(e).__name__, e.errno, e)
    c = socket.create_connection(socket_address)
    c.setblocking(False)
    try:
        c.recv(10)
    except BlockingIOError as e:
        print("recv non-blocking:", e)
    for _ in range(200):
        try:
            conn, addr = s.accept()
            break
        except BlockingIOError:
            time.sleep(0.01)
    print("accepted socket of a non-blocking listener:", conn.getblocking(), conn.gettimeout())
    s.setblocking(True)
    print("blocking again:", s.getblocking(), s.gettimeout())
    s.settimeout(0.0)
    print("settimeout(0.0):", s.getblocking(), s.gettimeout())
    conn.close()
    c.close()
    s.close()


def reuse_socket_addr(clients):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Get the old state of the SO_REUSEADDR option
    old_state = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    print("Old sock state: %s" % old_state)
    # Enable the SO_REUSEADDR option
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    new_state = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    print("New sock state: %s" % new_state)
    sock.close()

    port = 0
    for round in range(2):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(('127.0.0.1', port))
        port = srv.getsockname()[1]
        srv.listen(1)
        print("Listening (round %d)" % round)
        for i in range(clients):
            c = socket.create_connection(('127.0.0.1', port))
            try:
                connection, addr = srv.accept()
                print('Connected by %s' % addr[0])
                connection.sendall(b'bye %d\n' % i)
                connection.close()  # the server closes first: its side waits in TIME_WAIT
                print('client read', c.recv(100), c.recv(100))
            except socket.error as msg:
                print('%s' % (msg,))
            c.close()
        srv.close()


test_socket_timeout()
test_blocking_modes()
reuse_socket_addr(2)
