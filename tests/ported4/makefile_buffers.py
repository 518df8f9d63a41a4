# How much of what a program writes to a socket file reaches the peer, write by write: binary files of several
# buffer sizes (BufferedWriter), text files (TextIOWrapper's pending text over the buffer), 'rw' text files
# whose readline() hands pending text to the buffer, writelines, and the flush at close.
import socket

a, b = socket.socketpair()
a.settimeout(0.1)
b.settimeout(0.1)


def got():
    data = b''
    try:
        while True:
            data += b.recv(100000)
    except socket.timeout:
        return len(data)


CASES = [
    ('wb', 16, [16, 1, 20, 5, 12, 0, 3]),
    ('wb', 8, [4, 4, 4, 9, 8, 1]),
    ('wb', None, [100, 8092, 1, 8192, 8193, 3000, 6000]),
    ('w', None, [5000, 5000, 5000, 8192, 1, 9000]),
    ('w', 16, [10, 10, 20, 8000, 200]),
    ('w', 1, [1, 2, 8190, 1, 8192]),
    ('rw', 16, [10, 10, 20]),
    ('rw', None, [8000, 100, 100, 8192]),
]
for mode, buf, sizes in CASES:
    f = a.makefile(mode) if buf is None else a.makefile(mode, buffering=buf)
    out = []
    for s in sizes:
        f.write(b'x' * s if 'b' in mode else 'x' * s)
        out.append(got())
    f.flush()
    out.append(got())
    f.close()
    print(mode, buf, sizes, out)

f = a.makefile('wb', buffering=10)
f.writelines([b'abc', b'defg', b'hijkl', b'm'])
print('writelines:', got())
f.close()
print('close:', got())

for buf in (4, 8, None):
    f = a.makefile('rw') if buf is None else a.makefile('rw', buffering=buf)
    f.write('hello\n')
    try:
        f.readline()
    except socket.timeout:
        print('rw', buf, 'readline timed out; peer has', got())
    f.close()
    print('rw', buf, 'after close', got())
a.close()
b.close()
