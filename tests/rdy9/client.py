# The client both servers are run against: SEQ requests one after another, then PAR at once (threads), some sent
# in two pieces; each reads the response to EOF. Prints the responses (sorted) as JSON.
import json, socket, sys, threading, time
port, SEQ, PAR = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
got = []
def one(i):
    req = ('GET /%d HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: rdy9\r\n\r\n' % i).encode()
    s = socket.create_connection(('127.0.0.1', port), timeout=30)
    if i % 2:
        s.sendall(req[:10]); time.sleep(0.05); s.sendall(req[10:])
    else:
        s.sendall(req)
    data = b''
    while True:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
    s.close()
    got.append(data.decode())
for i in range(SEQ): one(i)
ts = [threading.Thread(target=one, args=(SEQ + i,)) for i in range(PAR)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps(sorted(got)))
