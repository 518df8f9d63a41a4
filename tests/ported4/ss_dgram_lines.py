# A line calculator on socketserver.ThreadingUDPServer with a DatagramRequestHandler: each datagram holds
# several lines, read with an rfile.readline() loop (and rfile.read() for the rest after a STOP line), the
# answers are written to wfile piece by piece and go back as one datagram; an empty request gets an empty
# reply; a SHUTDOWN datagram stops the server from its handler (server.shutdown() in a thread).
import socket
import socketserver
import threading


class CalcHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        n = 0
        while True:
            line = self.rfile.readline()
            if not line:
                break
            n += 1
            words = line.split()
            if not words:
                self.wfile.write(b'(blank)\n')
            elif words[0] == b'STOP':
                rest = self.rfile.read()
                self.wfile.write(b'rest: ')
                self.wfile.write(repr(rest).encode())
                self.wfile.write(b'\n')
                break
            elif words[0] == b'SHUTDOWN':
                self.wfile.write(b'stopping\n')
                threading.Thread(target=self.server.shutdown).start()
                break
            elif words[0] in (b'ADD', b'MUL'):
                nums = [int(w) for w in words[1:]]
                acc = 0 if words[0] == b'ADD' else 1
                for x in nums:
                    acc = acc + x if words[0] == b'ADD' else acc * x
                self.wfile.write(words[0].lower())
                self.wfile.write(b' = ')
                self.wfile.write(str(acc).encode() + b'\n')
            else:
                self.wfile.write(b'? ' + line.rstrip(b'\r\n') + b'\n')
        print('server: %d lines, last line ends with newline: %s' % (n, line.endswith(b'\n')))


class Server(socketserver.ThreadingUDPServer):
    daemon_threads = True


server = Server(('127.0.0.1', 0), CalcHandler)
addr = server.server_address
t = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
t.start()
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
    c.settimeout(5)
    for req in [b'ADD 1 2 3\nMUL 4 5\n', b'ADD 10\n\nFROB\r\nMUL 2 2 2', b'', b'ADD 7\nSTOP\nnot\nread as lines',
                b'\n\n\n']:
        c.sendto(req, addr)
        data, frm = c.recvfrom(4096)
        print('client:', req, '->', data, frm == addr)
    c.sendto(b'SHUTDOWN\nADD 1 1\n', addr)
    print('client:', c.recvfrom(4096)[0])
t.join(10)
print('serve_forever returned:', not t.is_alive())
server.server_close()
