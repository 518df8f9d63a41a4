# UDP client with a timeout and retransmission (exponential backoff, bounded tries), as in
# "Foundations of Python Network Programming" (udp_remote.py's client).
import socket
import sys

PORT = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(('127.0.0.1', PORT))
for n, text in enumerate([b'zero', b'one', b'two', b'three', b'', b'five\nextra line'], 0):
    delay = 0.8
    for attempt in range(6):
        sock.send(b'%d %s' % (n, text))
        sock.settimeout(delay)
        try:
            data = sock.recv(1024)
        except socket.timeout as exc:
            delay *= 2
            print('request', n, 'attempt', attempt, 'failed:', type(exc).__name__, exc)
            if delay > 12.0:
                raise RuntimeError('I think the server is down') from exc
        else:
            break
    print('reply to', n, repr(data))
sock.settimeout(0.2)
try:
    print('unexpected', sock.recv(1024))
except TimeoutError as e:
    print('no stray replies:', e)
sock.close()
