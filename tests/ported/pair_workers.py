# A worker pool over socketpair() (the multiprocessing-less way): the parent keeps one end of a pair per
# worker thread, sends length-prefixed jobs (struct '!I' + JSON), and collects results with select() over
# its ends as they come; workers answer with recv_into into a preallocated buffer and exit on an empty job.
import json
import select
import socket
import struct
import threading


def send_msg(sock, obj):
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack("!I", len(data)) + data)


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise ConnectionError("peer closed after %d of %d bytes" % (got, n))
        got += k
    return bytes(buf)


def recv_msg(sock):
    (n,) = struct.unpack("!I", recv_exact(sock, 4))
    return json.loads(recv_exact(sock, n))


def worker(sock, wid):
    with sock:
        while True:
            job = recv_msg(sock)
            if job is None:
                send_msg(sock, {"worker": wid, "bye": True})
                return
            n = job["n"]
            send_msg(sock, {"job": job["id"], "worker": wid, "sum": sum(i * i for i in range(n)),
                            "pad": "x" * (n % 5000)})


ends = []
threads = []
for wid in range(3):
    parent, child = socket.socketpair()
    t = threading.Thread(target=worker, args=(child, wid))
    t.start()
    ends.append(parent)
    threads.append(t)

jobs = [{"id": i, "n": 1000 + i * 997} for i in range(12)]
for i, job in enumerate(jobs):
    send_msg(ends[i % 3], job)
for end in ends:
    send_msg(end, None)

results = {}
byes = 0
live = list(ends)
while live:
    readable, _, _ = select.select(live, [], [], 10)
    if not readable:
        break
    for end in readable:
        msg = recv_msg(end)
        if msg.get("bye"):
            byes += 1
            live.remove(end)
        else:
            results[msg["job"]] = (msg["worker"], msg["sum"], len(msg["pad"]))
for t in threads:
    t.join(5)
for job_id in sorted(results):
    print(job_id, results[job_id])
print("byes", byes, "workers alive", sum(t.is_alive() for t in threads))
for end in ends:
    print("after bye", end.recv(10))
    try:
        recv_msg(end)
    except ConnectionError as e:
        print(type(e).__name__, e)
    end.close()
