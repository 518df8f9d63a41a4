# Black Hat Python ch. 2 (2nd ed.): the TCP proxy with hexdump, receive_from() reading until a timeout,
# request_handler/response_handler hooks and receive_first for a server that speaks first. Here the remote is
# an FTP-like thread on loopback, the client a thread, and receive_from()'s timeout 1 s instead of 5 (the
# client and remote answer at once, so every buffer is one message). Ports are not printed.
import socket
import sys
import threading

HEX_FILTER = ''.join([(len(repr(chr(i))) == 3) and chr(i) or '.' for i in range(256)])


def hexdump(src, length=16, show=True):
    if isinstance(src, bytes):
        src = src.decode()
    results = list()
    for i in range(0, len(src), length):
        word = str(src[i:i + length])
        printable = word.translate(HEX_FILTER)
        hexa = ' '.join([f'{ord(c):02X}' for c in word])
        hexwidth = length * 3
        results.append(f'{i:04x}  {hexa:<{hexwidth}}  {printable}')
    if show:
        for line in results:
            print(line)
    else:
        return results


def receive_from(connection):
    buffer = b""
    connection.settimeout(1)
    try:
        while True:
            data = connection.recv(4096)
            if not data:
                break
            buffer += data
    except Exception as e:
        pass
    return buffer


def request_handler(buffer):
    # perform packet modifications
    return buffer.replace(b"hunter2", b"*******")


def response_handler(buffer):
    # perform packet modifications
    return buffer


def proxy_handler(client_socket, remote_host, remote_port, receive_first):
    remote_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    remote_socket.connect((remote_host, remote_port))

    if receive_first:
        remote_buffer = receive_from(remote_socket)
        hexdump(remote_buffer)

    remote_buffer = response_handler(remote_buffer)
    if len(remote_buffer):
        print("[<==] Sending %d bytes to localhost." % len(remote_buffer))
        client_socket.send(remote_buffer)

    while True:
        local_buffer = receive_from(client_socket)
        if len(local_buffer):
            line = "[==>]Received %d bytes from localhost." % len(local_buffer)
            print(line)
            hexdump(local_buffer)

            local_buffer = request_handler(local_buffer)
            remote_socket.send(local_buffer)
            print("[==>] Sent to remote.")

        remote_buffer = receive_from(remote_socket)
        if len(remote_buffer):
            print("[<==] Received %d bytes from remote." % len(remote_buffer))
            hexdump(remote_buffer)

            remote_buffer = response_handler(remote_buffer)
            client_socket.send(remote_buffer)
            print("[<==] Sent to localhost.")

        if not len(local_buffer) or not len(remote_buffer):
            client_socket.close()
            remote_socket.close()
            print("[*] No more data. Closing connections.")
            break


def server_loop(server, remote_host, remote_port, receive_first, connections):
    print("[*] Listening on %s" % server.getsockname()[0])
    threads = []
    for _ in range(connections):
        client_socket, addr = server.accept()
        # print out the local connection information
        line = "> Received incoming connection from %s" % addr[0]
        print(line)
        # start a thread to talk to the remote host
        proxy_thread = threading.Thread(
            target=proxy_handler,
            args=(client_socket, remote_host, remote_port, receive_first))
        proxy_thread.start()
        threads.append(proxy_thread)
    for t in threads:
        t.join()
    server.close()


# ---- the remote: an FTP-like server that greets first ----
remote = socket.socket()
remote.bind(("127.0.0.1", 0))
remote.listen(1)
remote_seen = []


def ftp_like():
    conn, _ = remote.accept()
    conn.sendall(b"220 ProFTPD 1.3.5 Server (Debian) ready.\r\n")
    f = conn.makefile("rb")
    for line in f:
        remote_seen.append(line)
        cmd = line.split()[0].upper() if line.split() else b""
        if cmd == b"USER":
            conn.sendall(b"331 Password required for " + line.split()[1] + b"\r\n")
        elif cmd == b"PASS":
            conn.sendall(b"230 User logged in.\r\n")
        elif cmd == b"QUIT":
            conn.sendall(b"221 Goodbye.\r\n")
            break
        else:
            conn.sendall(b"500 '" + line.strip() + b"' not understood\r\n")
    f.close()
    conn.close()


remote_thread = threading.Thread(target=ftp_like)
remote_thread.start()

# ---- the proxy ----
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    server.bind(("127.0.0.1", 0))
except Exception as e:
    print("problem on bind: %r" % e)
    sys.exit(0)
server.listen(5)
proxy_thread = threading.Thread(
    target=server_loop, args=(server, "127.0.0.1", remote.getsockname()[1], True, 1))
proxy_thread.start()

# ---- the client (an FTP user) ----
client_seen = []
c = socket.create_connection(server.getsockname())
cf = c.makefile("rb")
client_seen.append(cf.readline())
for cmd in (b"USER justin\r\n", b"PASS hunter2\r\n", b"SITE \\x\t~\x7f\r\n", b"QUIT\r\n"):
    c.sendall(cmd)
    client_seen.append(cf.readline())
cf.close()
c.close()
proxy_thread.join()
remote_thread.join()
remote.close()
print("client saw:", client_seen)
print("remote saw:", remote_seen)
