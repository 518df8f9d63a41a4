# Mark Lutz, Programming Python 4th ed., ch. 5: socket-unbuff-server.py and socket-unbuff-client.py, on output
# stream buffering with sockets: the client writes 'spam' through makefile('w', buffering=1), prints 'eggs' to
# it with print(..., file=file), and sends 'ham' with a raw send(); the server prints each recv(). The book
# calls the file line buffered; in CPython 3.11 socket.makefile() gives buffering=1 to the BufferedWriter, and
# the TextIOWrapper keeps the text until a flush: nothing goes before the raw 'ham'. The book's programs sleep
# 5 s between sends; here the server is a thread and the client, after each step, waits up to 0.5 s for one
# more message and prints how many have arrived. Then the same with default buffering, with
# makefile('wb', buffering=0) (each write goes at once) and with close() in place of flush().
import threading
import time
from socket import *

received = []


def server(sock, log):
    log.append('accepting...')
    conn, id = sock.accept()
    while True:
        log.append('receiving...')
        msg = conn.recv(1024)
        log.append(repr(msg))
        if not msg:
            break
        received.append(msg)
    conn.close()


def wait_more(n):
    deadline = time.time() + 0.5
    while len(received) < n and time.time() < deadline:
        time.sleep(0.01)
    print('received so far:', len(received))


def run(title, mode, buffering, finish):
    received.clear()
    log = []
    print(title)
    sock = socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(5)
    t = threading.Thread(target=server, args=(sock, log))
    t.start()
    c = socket()
    c.connect(sock.getsockname())
    file = c.makefile(mode, buffering=buffering)
    print('sending data1')
    file.write(b'spam\n' if 'b' in mode else 'spam\n')
    wait_more(len(received) + 1)
    print('sending data2')
    if 'b' in mode:
        file.write(b'eggs\n')
    else:
        print('eggs', file=file)
    wait_more(len(received) + 1)
    print('sending data3')
    c.send(b'ham\n')
    wait_more(len(received) + 1)
    if finish == 'flush':
        file.flush()
        wait_more(len(received) + 1)
        file.close()
    else:
        file.close()
        wait_more(len(received) + 1)
    c.close()
    t.join()
    sock.close()
    for line in log:
        print(line)


run('buffering=1', 'w', 1, 'flush')
run('default buffering', 'w', -1, 'flush')
run('unbuffered binary', 'wb', 0, 'flush')
run('buffering=1, closed', 'w', 1, 'close')
