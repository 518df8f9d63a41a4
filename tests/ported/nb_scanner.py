# A fast port scanner (networking course): every connect starts at once with setblocking(False) and
# connect_ex (EINPROGRESS), select() waits for writability, getsockopt(SO_ERROR) gives each verdict
# (0 open, ECONNREFUSED closed). Loopback only: five listeners and five ports that were just freed.
import errno
import select
import socket
import time

open_ones = [socket.create_server(("127.0.0.1", 0)) for _ in range(5)]
freed = []
for _ in range(5):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    freed.append(s.getsockname()[1])
    s.close()
targets = [("open", l.getsockname()[1]) for l in open_ones] + [("closed", p) for p in freed]

pending = {}
codes = []
for label, port in targets:
    s = socket.socket()
    s.setblocking(False)
    rc = s.connect_ex(("127.0.0.1", port))
    codes.append(errno.errorcode.get(rc, rc))
    pending[s] = (label, port)
print("connect_ex returned", sorted(set(codes)))

verdicts = {}
deadline = time.monotonic() + 10
while pending and time.monotonic() < deadline:
    _, writable, _ = select.select([], list(pending), [], 1)
    for s in writable:
        label, port = pending.pop(s)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        verdicts[port] = (label, errno.errorcode.get(err, "OK") if err else "open")
        if not err:
            print("peer of an open port", s.getpeername()[1] == port)
        else:
            try:
                s.getpeername()
            except OSError as e:
                verdicts[port] += (e.errno,)
        s.close()
for label, port in targets:
    print(label, verdicts.get(port))
print("still pending", len(pending))
for l in open_ones:
    l.close()
