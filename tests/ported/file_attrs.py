# What course programs print about socket files: mode, name, closed, readable()/writable()/seekable(), the raw
# file of makefile('rwb', buffering=0) with readinto(), read(n) and readline() mixed, writelines(),
# and a closed socket file's ValueError.
import socket

a, b = socket.socketpair()
raw = a.makefile('rwb', buffering=0)
print(raw.mode, raw.name == a.fileno(), raw.readable(), raw.writable(), raw.seekable(), raw.isatty())
print('write', raw.write(b'raw bytes\n'))
rb = b.makefile('rb')
print(rb.mode, rb.closed, rb.readable(), rb.writable(), rb.name == b.fileno())
print('readline', rb.readline())
wb = b.makefile('wb')
print('writelines', wb.writelines([b'one\n', b'two\n', b'three\n']), wb.flush())
buf = bytearray(8)
print('readinto', raw.readinto(buf), bytes(buf))
print('read rest', raw.read(6))
tf = a.makefile('r', encoding='latin-1', newline=None)
print(tf.mode, tf.encoding, tf.errors, tf.line_buffering, tf.seekable())
wb.write('caf\u00e9\r\nend\n'.encode('latin-1'))
wb.flush()
print('text', repr(tf.readline()), repr(tf.readline()))
tf.close()
print('closed', tf.closed, raw.closed, tf.name)
try:
    tf.seekable()
except ValueError as e:
    print('ValueError:', e)
try:
    tf.readline()
except ValueError as e:
    print('ValueError:', e)
try:
    a.makefile('x')
except ValueError as e:
    print('ValueError:', e)
try:
    b.makefile('r', buffering=0)
except ValueError as e:
    print('ValueError:', e)
for f in (raw, rb, wb):
    f.close()
a.close()
b.close()
print('after close', a.fileno(), raw.closed)
