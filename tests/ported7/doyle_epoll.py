# Scot Doyle's "How To Use Linux epoll with Python": example 2 (level-triggered: EPOLLIN until the request's
# blank line, modify() to EPOLLOUT, send() what is left, modify(fileno, 0) and shutdown(SHUT_RDWR), then the
# EPOLLHUP that brings close()) and example 4 (edge-triggered: EPOLLET, accept/recv/send looped until
# socket.error), on 127.0.0.1 (the article binds 0.0.0.0:8080) with the server loop in a thread. Clients:
# three in a row, then three at once (their requests are printed sorted: they arrive in any order). The
# server stops after a set number of connections have hung up. argv 'cork': example 3, TCP_CORK set on each
# accepted connection and cleared once its response is written.
import select
import socket
import sys
import threading

CORK = sys.argv[1:] == ['cork']  # example 3: TCP_CORK around the response

EOL1 = b'\n\n'
EOL2 = b'\n\r\n'
response = b'HTTP/1.0 200 OK\r\nDate: Mon, 1 Jan 1996 01:01:01 GMT\r\n'
response += b'Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n'
response += b'Hello, world!'

printed = []


def level_triggered(serversocket, count):
    epoll = select.epoll()
    epoll.register(serversocket.fileno(), select.EPOLLIN)
    try:
        connections = {}
        requests = {}
        responses = {}
        hups = 0
        while hups < count:
            events = epoll.poll(1)
            for fileno, event in events:
                if fileno == serversocket.fileno():
                    connection, address = serversocket.accept()
                    connection.setblocking(0)
                    if CORK:
                        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                    epoll.register(connection.fileno(), select.EPOLLIN)
                    connections[connection.fileno()] = connection
                    requests[connection.fileno()] = b''
                    responses[connection.fileno()] = response
                elif event & select.EPOLLIN:
                    requests[fileno] += connections[fileno].recv(1024)
                    if EOL1 in requests[fileno] or EOL2 in requests[fileno]:
                        epoll.modify(fileno, select.EPOLLOUT)
                        printed.append('-' * 40 + '\n' + requests[fileno].decode()[:-2])
                elif event & select.EPOLLOUT:
                    byteswritten = connections[fileno].send(responses[fileno])
                    responses[fileno] = responses[fileno][byteswritten:]
                    if len(responses[fileno]) == 0:
                        if CORK:
                            connections[fileno].setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
                        epoll.modify(fileno, 0)
                        connections[fileno].shutdown(socket.SHUT_RDWR)
                elif event & select.EPOLLHUP:
                    epoll.unregister(fileno)
                    connections[fileno].close()
                    del connections[fileno]
                    hups += 1
    finally:
        epoll.unregister(serversocket.fileno())
        epoll.close()
        serversocket.close()


def edge_triggered(serversocket, count):
    epoll = select.epoll()
    epoll.register(serversocket.fileno(), select.EPOLLIN | select.EPOLLET)
    try:
        connections = {}
        requests = {}
        responses = {}
        hups = 0
        while hups < count:
            events = epoll.poll(1)
            for fileno, event in events:
                if fileno == serversocket.fileno():
                    try:
                        while True:
                            connection, address = serversocket.accept()
                            connection.setblocking(0)
                            epoll.register(connection.fileno(), select.EPOLLIN | select.EPOLLET)
                            connections[connection.fileno()] = connection
                            requests[connection.fileno()] = b''
                            responses[connection.fileno()] = response
                    except socket.error:
                        pass
                elif event & select.EPOLLIN:
                    try:
                        while True:
                            requests[fileno] += connections[fileno].recv(1024)
                    except socket.error:
                        pass
                    if EOL1 in requests[fileno] or EOL2 in requests[fileno]:
                        epoll.modify(fileno, select.EPOLLOUT | select.EPOLLET)
                        printed.append('-' * 40 + '\n' + requests[fileno].decode()[:-2])
                elif event & select.EPOLLOUT:
                    try:
                        while len(responses[fileno]) > 0:
                            byteswritten = connections[fileno].send(responses[fileno])
                            responses[fileno] = responses[fileno][byteswritten:]
                    except socket.error:
                        pass
                    if len(responses[fileno]) == 0:
                        epoll.modify(fileno, select.EPOLLET)
                        connections[fileno].shutdown(socket.SHUT_RDWR)
                elif event & select.EPOLLHUP:
                    epoll.unregister(fileno)
                    connections[fileno].close()
                    del connections[fileno]
                    hups += 1
    finally:
        epoll.unregister(serversocket.fileno())
        epoll.close()
        serversocket.close()


def make_server():
    serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    serversocket.bind(('127.0.0.1', 0))
    serversocket.listen(1)
    serversocket.setblocking(0)
    return serversocket


def get(port, path, out):
    # what curl or a browser would send (HTTP/1.0, the request ending in CRLF CRLF)
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall('GET {} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n'.format(path).encode())
    chunks = []
    while True:
        data = s.recv(1024)
        if not data:
            break
        chunks.append(data)
    s.close()
    out.append((path, b''.join(chunks)))


for name, serve in (('level-triggered', level_triggered), ('edge-triggered', edge_triggered)):
    print('==', name)
    srv = make_server()
    port = srv.getsockname()[1]
    t = threading.Thread(target=serve, args=(srv, 6))
    t.start()
    got = []
    for i in range(3):
        get(port, '/one/{}'.format(i), got)
    threads = [threading.Thread(target=get, args=(port, '/many/{}'.format(i), got)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    t.join(30)
    for path, body in sorted(got):
        print(path, body == response, len(body))
    for block in sorted(printed):
        print(block)
    del printed[:]
