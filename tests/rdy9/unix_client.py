# The client of epoll_rdhup: N connections at once, connection i sends i+1 lines (one of 100 bytes, the others
# small), reads each echo back, then closes. Prints what each got back (sorted) as JSON.
import json, socket, sys, threading
path, N = sys.argv[1], int(sys.argv[2])
got = []
def one(i):
    s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(path)
    back = b''
    for j in range(i + 1):
        line = (b'x' * 99 if j == 0 else b'line %d of %d' % (j, i)) + b'\n'
        s.sendall(line)
        want = len(back) + len(line)
        while len(back) < want:
            chunk = s.recv(4096)
            if not chunk: raise SystemExit('early EOF')
            back += chunk
    s.close()
    got.append(back.decode())
ts = [threading.Thread(target=one, args=(i,)) for i in range(N)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps(sorted(got)))
