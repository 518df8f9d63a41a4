# Producer/consumer over socket.socketpair(): the producer thread sends a file with sendfile() (whole,
# then a slice by offset and count) and half-closes; the consumer reads with recv_into into a
# bytearray through a memoryview, hashes, and acknowledges.
import hashlib
import os
import socket
import tempfile
import threading

data = bytes(range(256)) * 2000
fd, path = tempfile.mkstemp()
os.write(fd, data)
os.close(fd)

parent, child = socket.socketpair()
print(parent.family.name, parent.type.name, repr(parent.getsockname()), repr(child.getpeername()))


def producer(sock, path):
    with open(path, 'rb') as f:
        sent = sock.sendfile(f)
        print('producer sent', sent, 'file position', f.tell())
        sent = sock.sendfile(f, 1000, 24)
        print('producer sent slice', sent, 'file position', f.tell())
        sent = sock.sendfile(f)
        print('producer sent again from offset 0', sent)
    sock.shutdown(socket.SHUT_WR)
    print('producer got', sock.recv(100))
    sock.close()


t = threading.Thread(target=producer, args=(parent, path))
t.start()
buf = bytearray(65536)
view = memoryview(buf)
h = hashlib.sha256()
total = 0
calls = 0
while True:
    n = child.recv_into(view)
    if n == 0:
        break
    calls += 1
    h.update(view[:n])
    total += n
print('consumer got', total, 'bytes', 'in at most 64 KiB pieces:', calls >= total // 65536)
expected = hashlib.sha256(data + data[1000:1024] + data).hexdigest()
print('digest matches', h.hexdigest() == expected)
child.sendall(b'ACK %d' % total)
t.join(10)
child.close()
os.unlink(path)
print('alive', t.is_alive())
