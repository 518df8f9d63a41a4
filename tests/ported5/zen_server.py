# Foundations of Python Network Programming, 3rd ed., chapter 7: zen_utils.py with srv_threaded.py — a
# question/answer protocol (an aphorism ending in b'?' gets its answer ending in b'.'), recv_until() reading
# until the suffix, four worker threads each running accept_connections_forever() on one listener. Exits after
# a set number of conversations. argv: port.
import socket
import sys
import threading
import time

aphorisms = {b'Beautiful is better than?': b'Ugly.',
             b'Explicit is better than?': b'Implicit.',
             b'Simple is better than?': b'Complex.'}

CONVERSATIONS = 8
done = []
lock = threading.Lock()
finished = threading.Event()


def get_answer(aphorism):
    """Return the string response to a particular Zen-of-Python aphorism."""
    time.sleep(0.0)  # increase to simulate an expensive operation
    return aphorisms.get(aphorism, b'Error: unknown aphorism.')


def create_srv_socket(address):
    """Build and return a listening server socket."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(64)
    print('Listening at {}'.format(listener.getsockname()[1]))
    return listener


def accept_connections_forever(listener):
    """Forever answer incoming connections on a listening socket."""
    while True:
        try:
            sock, address = listener.accept()
        except OSError:
            return
        print('Accepted connection from {}'.format(address[0]))
        handle_conversation(sock, address)


def handle_conversation(sock, address):
    """Converse with a client over `sock` until they are done talking."""
    try:
        while True:
            handle_request(sock)
    except EOFError:
        print('Client socket to {} has closed'.format(address[0]))
    except Exception as e:
        print('Client {} error: {}'.format(address[0], e))
    finally:
        sock.close()
        with lock:
            done.append(address)
            if len(done) == CONVERSATIONS:
                finished.set()


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


def start_threads(listener, workers=4):
    t = (listener,)
    for i in range(workers):
        threading.Thread(target=accept_connections_forever, args=t, daemon=True).start()


listener = create_srv_socket(('127.0.0.1', int(sys.argv[1])))
start_threads(listener)
print('all conversations done:', finished.wait(60))
listener.close()
