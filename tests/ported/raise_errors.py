# Errors that programs raise themselves, as smtplib/ftplib-style code does (raise OSError('text'),
# raise socket.timeout('text')), caught and printed by the same `except OSError as e` that catches
# the socket's own errors.
import errno
import socket


def fetch(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError('Connection unexpectedly closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


def wait_reply(sock, tries):
    for _ in range(tries):
        try:
            return sock.recv(10)
        except socket.timeout:
            pass
    raise socket.timeout('no reply after %d tries' % tries)


a, b = socket.socketpair()
a.sendall(b'12345')
a.close()
try:
    fetch(b, 10)
except OSError as e:
    print(type(e).__name__, e.errno, e.strerror, e)
b.close()

a, b = socket.socketpair()
b.settimeout(0.05)
try:
    wait_reply(b, 2)
except socket.timeout as e:
    print(type(e).__name__, e.errno, e.strerror, e)
a.close()
b.close()

for make in [
    lambda: ConnectionError('server hung up'),
    lambda: socket.error('legacy name'),
    lambda: OSError(errno.ECONNREFUSED, 'Connection refused'),
    lambda: OSError(errno.EAGAIN, 'try again'),
    lambda: ConnectionResetError(errno.ECONNRESET, 'reset by peer'),
    lambda: socket.gaierror(socket.EAI_NONAME, 'Name or service not known'),
]:
    try:
        raise make()
    except OSError as e:
        print(type(e).__name__, e.errno, e.strerror, e)
