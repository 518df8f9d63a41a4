# Black Hat Python ch. 2 (2nd ed.): the netcat replacement, with its command shell removed. NetCat.listen()
# serves each client in a thread (execute a command and send its output, or receive an upload to EOF and
# save it); NetCat.send() sends the buffer, then reads responses in 4096-byte pieces until one is shorter and
# prompts for more. Here argparse's namespace is built directly, input() reads a script (KeyboardInterrupt
# when it runs out), listen() accepts a given number of clients and reports its port, and an upload
# client half-closes after its buffer (the book's waits forever for an EOF it never sends).
import argparse
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading

script = []


def input(prompt):
    print(prompt, end='')
    if not script:
        print()
        raise KeyboardInterrupt
    line = script.pop(0)
    print(line)
    return line


def execute(cmd):
    cmd = cmd.strip()
    if not cmd:
        return
    output = subprocess.check_output(shlex.split(cmd), stderr=subprocess.STDOUT)
    return output.decode()


class NetCat:
    def __init__(self, args, buffer=None):
        self.args = args
        self.buffer = buffer
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ready = threading.Event()

    def run(self):
        if self.args.listen:
            self.listen()
        else:
            self.send()

    def send(self):
        self.socket.connect((self.args.target, self.args.port))
        if self.buffer:
            self.socket.send(self.buffer)
            if self.args.half_close:
                self.socket.shutdown(socket.SHUT_WR)

        try:
            while True:
                recv_len = 1
                response = ''
                while recv_len:
                    data = self.socket.recv(4096)
                    recv_len = len(data)
                    response += data.decode()
                    if recv_len < 4096:
                        break
                if response:
                    print(response)
                    buffer = input('> ')
                    buffer += '\n'
                    self.socket.send(buffer.encode())
                else:
                    print('(connection closed)')
                    break
        except KeyboardInterrupt:
            print('User terminated.')
        self.socket.close()

    def listen(self):
        self.socket.bind((self.args.target, self.args.port))
        self.socket.listen(5)
        self.args.port = self.socket.getsockname()[1]
        self.ready.set()
        threads = []
        for _ in range(self.args.clients):
            client_socket, _ = self.socket.accept()
            client_thread = threading.Thread(target=self.handle, args=(client_socket,))
            client_thread.start()
            threads.append(client_thread)
        for t in threads:
            t.join()
        self.socket.close()

    def handle(self, client_socket):
        if self.args.execute:
            output = execute(self.args.execute)
            client_socket.send(output.encode())
        elif self.args.upload:
            file_buffer = b''
            while True:
                data = client_socket.recv(4096)
                if data:
                    file_buffer += data
                else:
                    break

            with open(self.args.upload, 'wb') as f:
                f.write(file_buffer)
            message = f'Saved file {self.args.upload}'
            client_socket.send(message.encode())
        client_socket.close()


def args(**kw):
    base = dict(listen=False, execute='', upload='', target='127.0.0.1', port=0, clients=1, half_close=False)
    base.update(kw)
    return argparse.Namespace(**base)


os.chdir(tempfile.mkdtemp())

print('--- execute: echo')
server = NetCat(args(listen=True, execute='echo hello from the listener', clients=2))
t = threading.Thread(target=server.run)
t.start()
server.ready.wait()
# No second command: the listener closes after its output, and a command sent then races the close
# (the peer's RST or its FIN first: ConnectionResetError or '(connection closed)', even in CPython).
script[:] = []
NetCat(args(port=server.args.port)).run()
print('--- a second client of the same listener, nothing to say')
NetCat(args(port=server.args.port)).run()
t.join()

print('--- execute: printf with quotes')
server = NetCat(args(listen=True, execute="printf 'one two\\nthree\\tfour'"))
t = threading.Thread(target=server.run)
t.start()
server.ready.wait()
NetCat(args(port=server.args.port)).run()
t.join()

print('--- upload')
server = NetCat(args(listen=True, upload='mytest.txt'))
t = threading.Thread(target=server.run)
t.start()
server.ready.wait()
content = ''.join('line %d of the upload\n' % i for i in range(500)).encode()
NetCat(args(port=server.args.port, half_close=True), content).run()
t.join()
with open('mytest.txt', 'rb') as f:
    saved = f.read()
print('saved', len(saved), 'bytes, same:', saved == content)

print('--- nobody listening')
closed = socket.socket()
closed.bind(('127.0.0.1', 0))
port = closed.getsockname()[1]
closed.close()
try:
    NetCat(args(port=port)).run()
except ConnectionRefusedError as e:
    print(type(e).__name__, e)
