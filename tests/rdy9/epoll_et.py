# Scot Doyle, "How To Use Linux epoll with Python" (2009), example 4: the edge-triggered epoll HTTP server
# (EPOLLET: accept, recv and send loop until EAGAIN). Adapted for a test only where marked: loopback port 0
# (printed), stops after SERVE connections, the request log printed as JSON at the end.
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
epoll.register(serversocket.fileno(), select.EPOLLIN | select.EPOLLET)

try:
   connections = {}; requests = {}; responses = {}
   while served < SERVE:  # (test: was True)
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
               log.append('-'*40 + '\n' + requests[fileno].decode()[:-2])  # (test: was print)
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
            served += 1  # (test)
finally:
   epoll.unregister(serversocket.fileno())
   epoll.close()
   serversocket.close()
print(json.dumps(sorted(log)))  # (test)
