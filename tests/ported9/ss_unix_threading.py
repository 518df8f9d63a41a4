# The socketserver documentation's examples moved to Unix sockets (a temp dir): ThreadingUnixStreamServer with a
# StreamRequestHandler (rfile/wfile, several clients at once, the handler's client_address is the client's
# unbound name ''), and ThreadingUnixDatagramServer with a DatagramRequestHandler whose clients bind their own
# paths so the reply can reach them (an unbound Unix datagram client gets no reply: recv times out). Each server
# runs serve_forever() in a thread, then shutdown() and server_close().
import os
import shutil
import socket
import socketserver
import tempfile
import threading

tmp = tempfile.mkdtemp()


class LineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        n = 0
        for line in self.rfile:
            n += 1
            self.wfile.write(b"%d:%s" % (n, line.upper()))
        self.wfile.write(b"bye after %d lines, client_address %r\n" % (n, self.client_address))


class DgramHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        data = self.rfile.read()
        self.wfile.write(b"got %d bytes: %s" % (len(data), data[::-1]))


path = os.path.join(tmp, "stream.sock")
with socketserver.ThreadingUnixStreamServer(path, LineHandler) as server:
    t = threading.Thread(target=server.serve_forever)
    t.start()
    print("stream server at", os.path.basename(server.server_address), "family", server.address_family.name)
    results = {}

    def client(i):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(path)
            f = s.makefile("rwb")
            for k in range(i + 1):
                f.write(b"line %d of client %d\n" % (k, i))
            f.flush()
            s.shutdown(socket.SHUT_WR)
            results[i] = f.read()
            f.close()

    cs = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for c in cs:
        c.start()
    for c in cs:
        c.join()
    for i in range(4):
        print(i, results[i])
    server.shutdown()
    t.join()

dpath = os.path.join(tmp, "dgram.sock")
with socketserver.ThreadingUnixDatagramServer(dpath, DgramHandler) as server:
    t = threading.Thread(target=server.serve_forever)
    t.start()
    for i in range(2):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(os.path.join(tmp, "client%d.sock" % i))
            s.settimeout(10)
            s.sendto(b"datagram number %d" % i, dpath)
            data, addr = s.recvfrom(1024)
            print("dgram reply", data, "from", os.path.basename(addr))
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(b"from an unbound client", dpath)
        try:
            print("unbound client got", s.recv(1024))
        except socket.timeout:
            print("unbound client: no reply (timed out)")
    server.shutdown()
    t.join()
shutil.rmtree(tmp)
print("done")
