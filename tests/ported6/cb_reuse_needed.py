# Python Network Programming Cookbook ch. 1, 1_10's motivation: a server that closed its connection first
# leaves it in TIME_WAIT, so binding the port again fails with EADDRINUSE unless SO_REUSEADDR is set
# (Linux lets a bind pass a TIME_WAIT connection only when both the old and the new socket set it).
import socket

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as 1_10's server
srv.bind(('127.0.0.1', 0))
port = srv.getsockname()[1]
srv.listen(1)
c = socket.create_connection(('127.0.0.1', port))
conn, _ = srv.accept()
conn.close()  # the server side closes first
print('client read', c.recv(10))
c.close()
srv.close()

again = socket.socket()
try:
    again.bind(('127.0.0.1', port))
    print('bound again without SO_REUSEADDR')
except OSError as e:
    print('without SO_REUSEADDR:', type(e).__name__, e)
again.close()
again = socket.socket()
again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
again.bind(('127.0.0.1', port))
again.listen(1)
print('bound again with SO_REUSEADDR')
again.close()
