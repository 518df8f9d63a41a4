# Scot Doyle, "How To Use Linux epoll with Python" (2009), example 3: a level-triggered epoll HTTP server.
# Adapted for a test only where marked: loopback port 0 (printed), stops after SERVE connections, and the
# request log printed as JSON at the end instead of printing each request.
import json, socket, select, sys

EOL1 = b'\n\n'
EOL2 = b'\n\r\n'
response  = b'HTTP/1.0 200 OK\r\nDate: Mon, 1 Jan 1996 01:01:01 GMT\r\n'
response += b'Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n'
response += b'Hello, world!'
SERVE = int(sys.argv[1])  # (test)
log = []  # (test)
served = 0  # (test)

serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
serversocket.bind(('127.0.0.1', 0))  # (test: was ('0.0.0.0', 8080))
serversocket.listen(1)
serversocket.setblocking(0)
print(serversocket.getsockname()[1], flush=True)  # (test)

epoll = select.epoll()
epoll.register(serversocket.fileno(), select.EPOLLIN)

try:
   connections = {}; requests = {}; responses = {}
   while served < SERVE:  # (test: was True)
      events = epoll.poll(1)
      for fileno, event in events:
         if fileno == serversocket.fileno():
            connection, address = serversocket.accept()
            connection.setblocking(0)
            epoll.register(connection.fileno(), select.EPOLLIN)
            connections[connection.fileno()] = connection
            requests[connection.fileno()] = b''
            responses[connection.fileno()] = response
         elif event & select.EPOLLIN:
            requests[fileno] += connections[fileno].recv(1024)
            if EOL1 in requests[fileno] or EOL2 in requests[fileno]:
               epoll.modify(fileno, select.EPOLLOUT)
               log.append('-'*40 + '\n' + requests[fileno].decode()[:-2])  # (test: was print)
         elif event & select.EPOLLOUT:
            byteswritten = connections[fileno].send(responses[fileno])
            responses[fileno] = responses[fileno][byteswritten:]
            if len(responses[fileno]) == 0:
               epoll.modify(fileno, 0)
               connections[fileno].shutdown(socket.SHUT_RDWR)
         elif event & select.EPOLLHUP:
            epoll.unregister(fileno)
            connections[fileno].close()
            del connections[fileno]
            served += 1  # (test)
finally:
   epoll.unregister(serversocket.fileno())
   epoll.close()
   serversocket.close()
print(json.dumps(sorted(log)))  # (test)
