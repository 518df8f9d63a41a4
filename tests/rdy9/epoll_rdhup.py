# A tutorial-style epoll echo server on a Unix socket: connections registered for EPOLLIN | EPOLLRDHUP, closed on
# EPOLLRDHUP/EPOLLHUP (the peer hung up) before EPOLLIN is looked at, the listener with EPOLLONESHOT re-armed by
# modify() after each accept. Adapted for a test only where marked: the socket path from argv, stops after SERVE
# connections, the per-connection byte counts printed as JSON at the end.
import json, os, select, socket, sys

PATH, SERVE = sys.argv[1], int(sys.argv[2])  # (test)
counts = []  # (test)

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(PATH)
server.listen(8)
server.setblocking(False)
print("ready", flush=True)  # (test)

ep = select.epoll()
ep.register(server.fileno(), select.EPOLLIN | select.EPOLLONESHOT)
conns, echoed = {}, {}
closed = 0
with ep:
    while closed < SERVE:
        for fd, event in ep.poll(1):
            if fd == server.fileno():
                conn, _ = server.accept()
                conn.setblocking(False)
                ep.register(conn, select.EPOLLIN | select.EPOLLRDHUP)
                conns[conn.fileno()] = conn
                echoed[conn.fileno()] = 0
                ep.modify(server, select.EPOLLIN | select.EPOLLONESHOT)
            elif event & (select.EPOLLRDHUP | select.EPOLLHUP):
                ep.unregister(fd)
                conns.pop(fd).close()
                counts.append(echoed.pop(fd))  # (test)
                closed += 1
            elif event & select.EPOLLIN:
                data = conns[fd].recv(4096)
                conns[fd].sendall(data)
                echoed[fd] += len(data)
server.close()
os.unlink(PATH)
print(json.dumps(sorted(counts)))  # (test)
