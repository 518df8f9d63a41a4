# settimeout() and socket.timeout in a retry loop: each request is sent again after a timeout, a bounded
# number of times; the socket stays usable after every timeout, and a late byte is never lost.
import socket
import sys

s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.settimeout(0.8)
print('timeout', s.gettimeout(), 'blocking', s.getblocking())


def request(msg, tries=4):
    for attempt in range(1, tries + 1):
        s.sendall(msg)
        try:
            reply = s.recv(1024)
        except socket.timeout as e:
            print(' ', msg.strip(), 'attempt', attempt, 'timed out:', type(e).__name__, e, e.errno, isinstance(e, OSError))
            continue
        return reply
    return None


for msg in [b'A\n', b'B\n', b'SLOW\n', b'C\n']:
    print(msg.strip(), '->', request(msg, 3))

s.settimeout(0)
try:
    s.recv(10)
except BlockingIOError as e:
    print('non-blocking:', e)
s.settimeout(None)
print('timeout', s.gettimeout(), 'blocking', s.getblocking())
s.shutdown(socket.SHUT_WR)
print('eof', s.recv(10))
s.close()
