# Foundations of Python Network Programming, 3rd ed., chapter 7: srv_legacy1.py, the Zen server written as
# an event loop on select.poll(): sockets by fileno, POLLIN then modify() to POLLOUT and back, non-blocking
# send() of what is left, close() on EOF so that the next poll() reports POLLNVAL and the fd is cleaned up.
# Stops after a set number of conversations (zen_client.py drives it). argv: port.
import select
import socket
import sys

aphorisms = {b'Beautiful is better than?': b'Ugly.',
             b'Explicit is better than?': b'Implicit.',
             b'Simple is better than?': b'Complex.'}
CONVERSATIONS = 8


def get_answer(aphorism):
    return aphorisms.get(aphorism, b'Error: unknown aphorism.')


def all_events_forever(poll_object):
    while True:
        for fd, event in poll_object.poll():
            yield fd, event


def serve(listener):
    sockets = {listener.fileno(): listener}
    addresses = {}
    bytes_received = {}
    bytes_to_send = {}
    done = 0

    poll_object = select.poll()
    poll_object.register(listener, select.POLLIN)

    for fd, event in all_events_forever(poll_object):
        sock = sockets[fd]

        # Socket closed: remove it from our data structures.

        if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
            address = addresses.pop(sock)
            rb = bytes_received.pop(sock, b'')
            sb = bytes_to_send.pop(sock, b'')
            if rb:
                print('Client {} sent {} but then closed'.format(address[0], rb))
            elif sb:
                print('Client {} closed before we sent {}'.format(address[0], sb))
            else:
                print('Client {} closed socket normally'.format(address[0]))
            poll_object.unregister(fd)
            del sockets[fd]
            done += 1
            if done == CONVERSATIONS:
                return

        # New socket: add it to our data structures.

        elif sock is listener:
            sock, address = sock.accept()
            print('Accepted connection from {}'.format(address[0]))
            sock.setblocking(False)  # force socket.timeout if we blunder
            sockets[sock.fileno()] = sock
            addresses[sock] = address
            poll_object.register(sock, select.POLLIN)

        # Incoming data: keep receiving until we see the suffix.

        elif event & select.POLLIN:
            more_data = sock.recv(4096)
            if not more_data:  # end-of-file
                sock.close()  # next poll() will POLLNVAL, and thus clean up
                continue
            data = bytes_received.pop(sock, b'') + more_data
            if data.endswith(b'?'):
                bytes_to_send[sock] = get_answer(data)
                poll_object.modify(sock, select.POLLOUT)
            else:
                bytes_received[sock] = data

        # Socket ready to send: keep sending until all bytes are delivered.

        elif event & select.POLLOUT:
            data = bytes_to_send.pop(sock)
            n = sock.send(data)
            if n < len(data):
                bytes_to_send[sock] = data[n:]
            else:
                poll_object.modify(sock, select.POLLIN)


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', int(sys.argv[1])))
listener.listen(64)
print('Listening at {}'.format(listener.getsockname()[1]))
serve(listener)
p = select.poll()
try:
    p.modify(listener, select.POLLIN)
except OSError as e:
    print('modify() of an unregistered socket:', type(e).__name__, e)
try:
    p.unregister(listener)
except KeyError as e:
    print('unregister() of an unregistered socket: KeyError')
p.register(listener)
print('a listener with nobody waiting:', p.poll(0))
listener.close()
print('after close():', [event == select.POLLNVAL for fd, event in p.poll(0)])
