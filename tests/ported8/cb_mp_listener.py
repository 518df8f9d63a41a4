# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.7: communicating simply between interpreters. The
# recipe's echo server on multiprocessing.connection.Listener with an authkey (here with send_bytes() and
# recv_bytes(), the recipe's raw-bytes variant, as pickle has no port), on TCP and on AF_UNIX; the peer of
# cb_mp_client.py/.ts, which speaks the Listener's wire format (a 4-byte length before each message, the
# #CHALLENGE#/#WELCOME# hmac handshake) on plain sockets. The book prints tracebacks of failed accepts; here
# '<class>: <message>' on stdout. Serves a set number of clients. argv: port (0: any free port); the Unix path
# is derived from the port.
import os
import sys
import tempfile
from multiprocessing.connection import Listener


def echo_client(conn):
    try:
        while True:
            msg = conn.recv_bytes()
            conn.send_bytes(msg)
    except EOFError:
        print('Connection closed')


tcp = Listener(('127.0.0.1', int(sys.argv[1])), authkey=b'peekaboo')
port = tcp.address[1]
print('listener on port', port, flush=True)
path = os.path.join(tempfile.gettempdir(), 'cb_mp_%d.sock' % port)
if os.path.exists(path):
    os.unlink(path)
unix = Listener(path, authkey=b'peekaboo')
for serv in [tcp, tcp, unix, unix]:
    try:
        client = serv.accept()
        echo_client(client)
    except Exception as e:
        print('{}: {}'.format(type(e).__name__, e))
tcp.close()
unix.close()
