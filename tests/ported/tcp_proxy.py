# A TCP relay (port forwarder) with select(): one client, both directions, half-close passed on.
import select
import socket
import sys

listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", listen_port))
lsock.listen(1)
client, _ = lsock.accept()
upstream = socket.create_connection(("127.0.0.1", upstream_port))
peer = {client: upstream, upstream: client}
name = {client: "client->upstream", upstream: "upstream->client"}
count = {client: 0, upstream: 0}
open_ends = [client, upstream]
while open_ends:
    readable, _, _ = select.select(open_ends, [], [], 10)
    if not readable:
        print("idle for 10 s")
        break
    for s in readable:
        data = s.recv(4096)
        if data:
            peer[s].sendall(data)
            count[s] += len(data)
        else:
            open_ends.remove(s)
            try:
                peer[s].shutdown(socket.SHUT_WR)
            except OSError as e:
                print("shutdown:", e)
for s in (client, upstream):
    print(name[s], count[s] > 0)
client.close()
upstream.close()
lsock.close()
