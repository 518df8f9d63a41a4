# socket.makefile() buffering as a program sees it from the peer: a text 'rw' file holds writes until flush(),
# a binary 'wb' file holds small writes and passes large ones through, buffering=0 sends at once, closing the
# file flushes it but leaves the socket open, and a question/answer dialogue over makefile('rw') works only
# with flush() after each question. The peer reads with a short timeout to see what has arrived so far.
import socket
import threading


def arrived(peer):
    """Everything the peer can read within 0.3 s."""
    peer.settimeout(0.3)
    got = b''
    while True:
        try:
            chunk = peer.recv(65536)
        except socket.timeout:
            return got
        if not chunk:
            return got + b'<EOF>'
        got += chunk


listener = socket.create_server(('127.0.0.1', 0))
port = listener.getsockname()[1]
sock = socket.create_connection(('127.0.0.1', port), timeout=10)
peer, _ = listener.accept()

f = sock.makefile('rw', encoding='utf-8', newline='\n')
print('text file:', f.mode, f.readable(), f.writable())
f.write('HELO there\n')
print('before flush:', arrived(peer))
f.flush()
print('after flush:', arrived(peer))
f.write('déjà vu ')
f.write('€\n')
f.flush()
print('utf-8:', arrived(peer))

wb = sock.makefile('wb')
wb.write(b'x' * 100)
print('wb small, no flush:', len(arrived(peer)))
wb.write(b'y' * 10000)
print('wb large write:', len(arrived(peer)))
wb.write(b'z' * 50)
wb.flush()
print('wb flush:', arrived(peer))
wb.write(b'tail')
wb.close()
print('wb closed:', wb.closed, arrived(peer), sock.fileno() != -1)

raw = sock.makefile('wb', buffering=0)
print('unbuffered n:', raw.write(b'now'), arrived(peer))
raw.close()

small = sock.makefile('wb', buffering=16)
small.write(b'0123456789')
print('buffering=16, 10 bytes:', arrived(peer))
small.write(b'abcdefghij')
print('buffering=16, 20 bytes:', arrived(peer))
small.close()
print('closed:', arrived(peer))


def answer(conn):
    rf = conn.makefile('rw', encoding='utf-8', newline='\n')
    for line in rf:
        if line == 'bye\n':
            rf.write('ciao\n')
            rf.flush()
            break
        rf.write('%d %s\n' % (len(line), line.strip().upper()))
        rf.flush()
    rf.close()


t = threading.Thread(target=answer, args=(peer,))
t.start()
for q in ['alpha', 'beta gamma', '', 'bye']:
    f.write(q + '\n')
    f.flush()
    print('q', repr(q), '->', repr(f.readline()))
t.join(10)
f.close()
print('file closed, socket open:', f.closed, sock.fileno() != -1)
sock.sendall(b'raw after files\n')
print('peer got:', arrived(peer))
sock.close()
print('peer after close:', arrived(peer))
peer.close()
listener.close()
