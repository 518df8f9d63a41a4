# A key-value store on socketserver.ThreadingTCPServer with a StreamRequestHandler line protocol
# (rfile.readline / wfile.write); three clients in threads, each with a text makefile('rw').
import socket
import socketserver
import threading

store = {}
lock = threading.Lock()


class KVHandler(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self):
        self.wfile.write(b'+OK kv ready\r\n')
        while True:
            line = self.rfile.readline(1024)
            if not line:
                break
            parts = line.decode('utf-8').split()
            if not parts:
                self.wfile.write(b'-ERR empty\r\n')
                continue
            cmd, args = parts[0].upper(), parts[1:]
            with lock:
                if cmd == 'SET' and len(args) == 2:
                    store[args[0]] = args[1]
                    reply = '+OK'
                elif cmd == 'GET' and len(args) == 1:
                    reply = '$' + store[args[0]] if args[0] in store else '-ERR no such key'
                elif cmd == 'DEL' and len(args) == 1:
                    reply = ':%d' % (store.pop(args[0], None) is not None)
                elif cmd == 'KEYS':
                    reply = '*' + ','.join(sorted(store))
                elif cmd == 'QUIT':
                    self.wfile.write(b'+BYE\r\n')
                    return
                else:
                    reply = '-ERR unknown command %r' % parts[0]
            self.wfile.write(reply.encode('utf-8') + b'\r\n')


class KVServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def client(port, name, commands, results):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as sock:
        f = sock.makefile('rw', encoding='utf-8', newline='')
        lines = [f.readline()]
        for c in commands:
            f.write(c + '\r\n')
            f.flush()
            lines.append(f.readline())
        f.close()
    results[name] = lines


with KVServer(('127.0.0.1', 0), KVHandler) as server:
    port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
    t.start()
    results = {}
    first = threading.Thread(target=client, args=(port, 'a', ['SET x 1', 'SET y 2', 'GET x'], results))
    first.start()
    first.join()
    workers = [
        threading.Thread(target=client, args=(port, 'b', ['GET y', 'DEL y', 'DEL y', 'GET y'], results)),
        threading.Thread(target=client, args=(port, 'c', ['set ключ значение', 'GET ключ', 'FROB', '', 'QUIT'], results)),
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    last = threading.Thread(target=client, args=(port, 'd', ['KEYS'], results))
    last.start()
    last.join(10)
    for name in sorted(results):
        print(name, results[name])
    server.shutdown()
    t.join(10)
    print('served; thread alive:', t.is_alive())
