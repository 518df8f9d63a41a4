# JSON-RPC 2.0 over TCP with a 4-byte length prefix, on socketserver.ThreadingTCPServer +
# StreamRequestHandler: rfile.read(4) then rfile.read(n) per message, methods with positional and named
# params, notifications (no reply), batches, and the standard errors (-32700 parse error, -32600 invalid
# request, -32601 method not found, -32602 invalid params); a frame too large closes the connection; the
# "shutdown" method stops the server. argv: port.
import json
import socketserver
import struct
import sys
import threading

MAX = 65536
state = {'counter': 0}


def add(a, b):
    return a + b


def subtract(minuend, subtrahend):
    return minuend - subtrahend


def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


def incr(by=1):
    state['counter'] += by
    return state['counter']


METHODS = {'add': add, 'subtract': subtract, 'echo': echo, 'incr': incr}


def error(code, message, ident=None):
    return {'jsonrpc': '2.0', 'error': {'code': code, 'message': message}, 'id': ident}


def call(req):
    if not isinstance(req, dict) or req.get('jsonrpc') != '2.0' or not isinstance(req.get('method'), str):
        return error(-32600, 'Invalid Request')
    ident = req.get('id')
    method = req['method']
    params = req.get('params', [])
    if method == 'shutdown':
        threading.Thread(target=server.shutdown).start()
        result = 'bye'
    elif method not in METHODS:
        return error(-32601, 'Method not found', ident) if 'id' in req else None
    else:
        try:
            result = METHODS[method](**params) if isinstance(params, dict) else METHODS[method](*params)
        except TypeError:
            return error(-32602, 'Invalid params', ident) if 'id' in req else None
    if 'id' not in req:
        print('notification', method, 'done')
        return None
    return {'jsonrpc': '2.0', 'result': result, 'id': ident}


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        print('connection')
        while True:
            header = self.rfile.read(4)
            if len(header) < 4:
                print('end of stream' if not header else 'truncated header')
                return
            (n,) = struct.unpack('!I', header)
            if n > MAX:
                print('frame of', n, 'bytes refused')
                return
            body = self.rfile.read(n)
            try:
                req = json.loads(body)
            except ValueError:
                reply = error(-32700, 'Parse error')
            else:
                if isinstance(req, list):
                    reply = [r for r in (call(x) for x in req) if r is not None] if req else \
                        error(-32600, 'Invalid Request')
                    if reply == []:
                        reply = None
                else:
                    reply = call(req)
            if reply is not None:
                data = json.dumps(reply, separators=(',', ':')).encode()
                self.wfile.write(struct.pack('!I', len(data)) + data)


with socketserver.ThreadingTCPServer(('127.0.0.1', int(sys.argv[1])), Handler) as server:
    print('JSON-RPC on port', server.server_address[1])
    server.serve_forever()
print('counter', state['counter'])
