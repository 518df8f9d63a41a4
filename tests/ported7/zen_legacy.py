# Foundations of Python Network Programming, 3rd ed., chapter 7: zen_utils.py with srv_single.py (one
# connection at a time, on the main thread's accept loop, here in a thread) and srv_legacy1.py
# (socketserver: ThreadingMixIn + TCPServer, a BaseRequestHandler whose handle() calls
# zen_utils.handle_conversation), each driven by client.py: three aphorisms in a fixed order (random.sample
# in the book), and client(cause_error=True), which sends a partial question and returns without closing:
# its socket closes when the function's last reference goes (CPython's reference counting), and the server
# reports "received ... then socket closed". Addresses print without ports; server lines print per phase.
import socket
import socketserver
import threading

aphorisms = {b'Beautiful is better than?': b'Ugly.',
             b'Explicit is better than?': b'Implicit.',
             b'Simple is better than?': b'Complex.'}
lines = []


def get_answer(aphorism):
    """Return the string response to a particular Zen-of-Python aphorism."""
    return aphorisms.get(aphorism, b'Error: unknown aphorism.')


def create_srv_socket(address):
    """Build and return a listening server socket."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(64)
    lines.append('Listening at {}'.format(listener.getsockname()[0]))
    return listener


def accept_connections_forever(listener, count):
    """Answer incoming connections on a listening socket (count of them)."""
    for _ in range(count):
        sock, address = listener.accept()
        lines.append('Accepted connection from {}'.format(address[0]))
        handle_conversation(sock, address)


def handle_conversation(sock, address):
    """Converse with a client over `sock` until they are done talking."""
    try:
        while True:
            handle_request(sock)
    except EOFError:
        lines.append('Client socket to {} has closed'.format(address[0]))
    except Exception as e:
        lines.append('Client {} error: {}'.format(address[0], e))
    finally:
        sock.close()


def handle_request(sock):
    """Receive a single client request on `sock` and send the answer."""
    aphorism = recv_until(sock, b'?')
    answer = get_answer(aphorism)
    sock.sendall(answer)


def recv_until(sock, suffix):
    """Receive bytes over socket `sock` until we receive the `suffix`."""
    message = sock.recv(4096)
    if not message:
        raise EOFError('socket closed')
    while not message.endswith(suffix):
        data = sock.recv(4096)
        if not data:
            raise IOError('received {!r} then socket closed'.format(message))
        message += data
    return message


def client(address, cause_error=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(address)
    aphorisms_list = list(aphorisms)
    if cause_error:
        sock.sendall(aphorisms_list[0][:-1])
        return
    for aphorism in aphorisms_list:
        sock.sendall(aphorism)
        print(aphorism, recv_until(sock, b'.'))
    sock.close()


def show(title, order=False):
    print(title)
    for line in (sorted(lines) if order else lines):
        print('  ' + line)
    del lines[:]


# srv_single.py
listener = create_srv_socket(('127.0.0.1', 0))
address = listener.getsockname()
t = threading.Thread(target=accept_connections_forever, args=(listener, 2))
t.start()
client(address)
client(address, cause_error=True)
t.join(30)
listener.close()
show('srv_single')


# srv_legacy1.py
class ZenHandler(socketserver.BaseRequestHandler):
    def handle(self):
        handle_conversation(self.request, self.client_address)


class ZenServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = 1
    # address_family = socket.AF_INET6  # uncomment if you need IPv6


server = ZenServer(('127.0.0.1', 0), ZenHandler)
address = server.server_address
t = threading.Thread(target=server.serve_forever)
t.start()
client(address)
client(address, cause_error=True)
client(address)
server.shutdown()
server.server_close()
t.join(30)
show('srv_legacy1', order=True)  # handler threads finish in any order
