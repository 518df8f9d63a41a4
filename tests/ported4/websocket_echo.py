# A WebSocket echo server and client on plain sockets (RFC 6455, as networking courses build it): the HTTP
# Upgrade handshake with Sec-WebSocket-Accept (SHA-1 + base64), masked client frames, 7-bit, 16-bit and
# 64-bit payload lengths, a fragmented message, ping/pong, and the close handshake with a status code.
import base64
import hashlib
import socket
import struct
import threading

GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError('short read: %d of %d' % (len(data), n))
        data += chunk
    return data


def read_frame(sock):
    b1, b2 = recv_exact(sock, 2)
    fin, opcode, masked, n = b1 >> 7, b1 & 0x0f, b2 >> 7, b2 & 0x7f
    if n == 126:
        n, = struct.unpack('!H', recv_exact(sock, 2))
    elif n == 127:
        n, = struct.unpack('!Q', recv_exact(sock, 8))
    mask = recv_exact(sock, 4) if masked else None
    payload = recv_exact(sock, n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return fin, opcode, payload


def frame(opcode, payload, mask=None, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    m = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack('!H', n)
    else:
        head += bytes([m | 127]) + struct.pack('!Q', n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        head += mask
    return head + payload


def server(listener):
    conn, _ = listener.accept()
    with conn:
        f = conn.makefile('rb')
        request = f.readline()
        headers = {}
        for line in iter(f.readline, b'\r\n'):
            k, v = line.decode().split(':', 1)
            headers[k.lower()] = v.strip()
        f.close()
        key = headers['sec-websocket-key'].encode()
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        print('server: upgrading', request.split()[1], headers['upgrade'])
        conn.sendall(b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                     b'Sec-WebSocket-Accept: ' + accept + b'\r\n\r\n')
        parts = []
        while True:
            fin, opcode, payload = read_frame(conn)
            if opcode == 0x9:
                print('server: ping', payload)
                conn.sendall(frame(0xA, payload))
            elif opcode == 0x8:
                code, = struct.unpack('!H', payload[:2])
                print('server: close', code, payload[2:])
                conn.sendall(frame(0x8, payload[:2]))
                break
            else:
                parts.append(payload)
                if fin:
                    msg = b''.join(parts)
                    parts = []
                    print('server: message of', len(msg), 'bytes in', 'one frame' if opcode else 'fragments')
                    conn.sendall(frame(0x1 if opcode == 0x1 else 0x2, msg))


listener = socket.create_server(('127.0.0.1', 0))
t = threading.Thread(target=server, args=(listener,))
t.start()
with socket.create_connection(listener.getsockname(), timeout=10) as c:
    key = base64.b64encode(bytes(range(16)))
    c.sendall(b'GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
              b'Sec-WebSocket-Key: ' + key + b'\r\nSec-WebSocket-Version: 13\r\n\r\n')
    response = b''
    while not response.endswith(b'\r\n\r\n'):
        response += c.recv(1)
    print('client:', response.split(b'\r\n')[0], response.split(b'\r\n')[3])
    want = base64.b64encode(hashlib.sha1(key + GUID).digest())
    print('client: accept ok:', want in response)
    mask = b'\x01\x02\x03\x04'
    for msg in [b'hello', 'héllo wörld'.encode(), b'x' * 200, bytes(range(256)) * 300]:
        c.sendall(frame(0x1 if len(msg) < 1000 else 0x2, msg, mask))
        fin, opcode, payload = read_frame(c)
        print('client: echo', opcode, len(payload), payload == msg, payload[:12])
    c.sendall(frame(0x1, b'frag', mask, fin=False) + frame(0x0, b'ment', mask, fin=False))
    c.sendall(frame(0x0, b'ed', mask))
    print('client: fragments ->', read_frame(c))
    c.sendall(frame(0x9, b'are you there', mask))
    print('client: ping ->', read_frame(c))
    c.sendall(frame(0x8, struct.pack('!H', 1000) + b'bye', mask))
    print('client: close ->', read_frame(c))
    print('client: then', c.recv(10))
t.join(10)
listener.close()
