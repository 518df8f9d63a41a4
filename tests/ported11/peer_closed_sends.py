# "Why doesn't my first send() fail after the server closed?" (a classic Q&A): the server reads one request and
# closes; the client, unaware, keeps sending. The first send() after the close succeeds (the bytes go to a peer
# that answers them with a reset), a later one raises BrokenPipeError; a recv() then tells EOF. Shown for a
# blocking, a timed and a non-blocking client socket, and for sendall() and sendmsg(). argv: the modes to run
# (default all three).
import select
import socket
import sys
import threading
import time


def server(lsock):
    conn, _ = lsock.accept()
    conn.recv(64)
    conn.close()


for mode in sys.argv[1:] or ("blocking", "timed", "non-blocking"):
    for call in ("send", "sendall", "sendmsg"):
        lsock = socket.create_server(("127.0.0.1", 0))
        t = threading.Thread(target=server, args=(lsock,))
        t.start()
        c = socket.create_connection(lsock.getsockname())
        c.sendall(b"request\n")
        t.join()
        # wait until the server's FIN is here (the socket reads EOF) without reading it
        select.select([c], [], [], 5)
        if mode == "timed":
            c.settimeout(2)
        elif mode == "non-blocking":
            c.setblocking(False)
        results = []
        for i in range(4):
            try:
                if call == "send":
                    r = c.send(b"more %d\n" % i)
                elif call == "sendall":
                    r = c.sendall(b"more %d\n" % i)
                else:
                    r = c.sendmsg([b"more ", b"%d\n" % i])
                results.append(repr(r))
            except OSError as e:
                results.append(type(e).__name__)
            time.sleep(0.05)  # the reset comes back
        try:
            results.append("recv " + repr(c.recv(64)))
        except OSError as e:
            results.append("recv " + type(e).__name__)
        print(mode, call, results)
        c.close()
        lsock.close()
