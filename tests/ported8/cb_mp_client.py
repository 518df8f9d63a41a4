# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.7: the client side (multiprocessing.connection's
# Client with an authkey, send_bytes()/recv_bytes()) against cb_mp_listener.py: on TCP and on AF_UNIX, a client
# with the right key (small, empty and 1 MB messages), one with a wrong key (AuthenticationError). argv: port.
import os
import sys
import tempfile
from multiprocessing.connection import Client, AuthenticationError

port = int(sys.argv[1])
path = os.path.join(tempfile.gettempdir(), 'cb_mp_%d.sock' % port)
for name, address in [('tcp', ('127.0.0.1', port)), ('unix', path)]:
    c = Client(address, authkey=b'peekaboo')
    for msg in [b'hello', b'', bytes(range(256)) * 4096]:
        c.send_bytes(msg)
        back = c.recv_bytes()
        print(name, len(back), back == msg, back[:8])
    c.close()
    try:
        c = Client(address, authkey=b'guess')
        print(name, 'wrong key accepted')
        c.close()
    except AuthenticationError as e:
        print(name, 'AuthenticationError:', e)
