# PyMOTW select echo server: inputs, outputs and message queues (no per-event prints, which are timing).
import queue
import select
import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setblocking(0)
server_address = ('localhost', int(sys.argv[1]))
print('starting up on {} port {}'.format(*server_address))
server.bind(server_address)
server.listen(5)
inputs = [server]
outputs = []
message_queues = {}
served = 0
while inputs and served < 2:
    readable, writable, exceptional = select.select(inputs, outputs, inputs)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('  connection from', client_address[0])
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = queue.Queue()
        else:
            data = s.recv(1024)
            if data:
                print('  received {!r}'.format(data))
                message_queues[s].put(data)
                if s not in outputs:
                    outputs.append(s)
            else:
                print('  closing', s.getpeername()[0])
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()
                del message_queues[s]
                served += 1
    for s in writable:
        if s not in message_queues:  # closed above
            continue
        try:
            next_msg = message_queues[s].get_nowait()
        except queue.Empty:
            outputs.remove(s)
        else:
            print('  sending {!r}'.format(next_msg))
            s.send(next_msg)
    for s in exceptional:
        inputs.remove(s)
        if s in outputs:
            outputs.remove(s)
        s.close()
        del message_queues[s]
server.close()
print("served", served)
