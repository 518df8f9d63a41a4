# Non-blocking sender: send() until EAGAIN, then select() for writability, for 4 MB.
import select
import socket
import sys

N = 4 * 1024 * 1024
payload = b"x" * N
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
sent = 0
would_block = 0
while sent < N:
    try:
        sent += s.send(payload[sent:sent + 65536])
    except BlockingIOError:
        would_block += 1
        r, w, x = select.select([], [s], [], 10)
        if not w:
            print("not writable within 10 s")
            break
print("sent", sent, "blocked at least once:", would_block > 0)
s.setblocking(True)
s.shutdown(socket.SHUT_WR)
print("reply", s.recv(100))
s.close()
