# A netcat-like relay: "nc host port" copies its stdin to a TCP connection and the connection to its stdout.
# With no stdin in a test, one end of socket.socketpair() stands for the terminal (the "user" writes lines into
# the other end and reads what comes back). The relay selects over both, passes a half-close each way (the
# user's EOF becomes shutdown(SHUT_WR) on the connection), and ends when the server closes. The server, a
# thread, answers each line upper-cased and greets first; a second session sends binary data, a third finds
# the port closed.
import select
import socket
import threading


def server(listener, sessions):
    for _ in range(sessions):
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b'220 upper-case service\n')
            f = conn.makefile('rb')
            for line in f:
                conn.sendall(line.upper())
            conn.sendall(b'221 bye\n')
            f.close()


def netcat(address, local):
    try:
        sock = socket.create_connection(address, timeout=5)
    except OSError as e:
        return 'nc: connect to %s port PORT failed: %s' % (address[0], e.strerror)
    sock.settimeout(None)
    inputs = [sock, local]
    local_open = True
    sent = received = 0
    for _ in range(10000):
        readable, _, _ = select.select(inputs, [], [], 5)
        if not readable:
            return 'nc: idle'
        if local in readable:
            data = local.recv(4096)
            if data:
                sock.sendall(data)
                sent += len(data)
            else:
                sock.shutdown(socket.SHUT_WR)
                inputs.remove(local)
                local_open = False
        if sock in readable:
            data = sock.recv(4096)
            if not data:
                break
            local.sendall(data)
            received += len(data)
    sock.close()
    local.shutdown(socket.SHUT_WR)
    return 'nc: sent %d, received %d, local still open: %s' % (sent, received, local_open)


listener = socket.create_server(('127.0.0.1', 0))
address = listener.getsockname()
t = threading.Thread(target=server, args=(listener, 2))
t.start()

for label, lines in [('text', [b'hello\n', b'netcat over a socketpair\n', b'last line\n']),
                     ('binary', [bytes(range(256)) * 20 + b'\n', b'\xc3\xa9t\xc3\xa9\n'])]:
    print('-- session:', label)
    user, terminal = socket.socketpair()
    print('socketpair families:', user.family.name, terminal.family.name, 'type', user.type.name)
    result = {}
    relay = threading.Thread(target=lambda: result.setdefault('r', netcat(address, terminal)))
    relay.start()
    for line in lines:
        user.sendall(line)
    user.shutdown(socket.SHUT_WR)
    got = b''
    while True:
        data = user.recv(65536)
        if not data:
            break
        got += data
    relay.join()
    for line in got.split(b'\n')[:-1]:
        print('  |', line if len(line) < 60 else '%d bytes, upper-cased: %s' % (len(line), line == line.upper()))
    print(result['r'])
    user.close()
    terminal.close()
t.join()
listener.close()
print('-- session: refused')
user, terminal = socket.socketpair()
print(netcat(address, terminal))
user.close()
terminal.close()
