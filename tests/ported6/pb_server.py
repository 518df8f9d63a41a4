# Length-prefixed protobuf-like messages: each frame is a varint length then a message of (field << 3 | wire
# type) keys with varint, fixed64 ('<d', '<q'), length-delimited and fixed32 ('<I') values, zigzag for sint,
# nested messages for repeated fields, unknown fields skipped. A ThreadingTCPServer + StreamRequestHandler
# reads frames with rfile.read(1)/rfile.read(n) and answers each Person with an Ack; a malformed frame gets an
# error Ack and the connection is closed. Two connections, then it exits; the first line names its port.
import socketserver
import struct
import sys
import threading

MAX_FRAME = 1 << 20


class DecodeError(Exception):
    pass


def read_varint_stream(f):
    shift = result = 0
    while True:
        b = f.read(1)
        if not b:
            if shift == 0:
                return None
            raise DecodeError('truncated varint')
        result |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return result
        shift += 7
        if shift > 63:
            raise DecodeError('varint too long')


def read_varint(buf, pos):
    shift = result = 0
    while True:
        if pos >= len(buf):
            raise DecodeError('truncated varint')
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError('varint too long')


def encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag_decode(n):
    return (n >> 1) ^ -(n & 1)


def parse(buf):
    fields = []
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 1:
            if pos + 8 > len(buf):
                raise DecodeError('truncated fixed64')
            value = buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            n, pos = read_varint(buf, pos)
            if pos + n > len(buf):
                raise DecodeError('truncated field %d' % field)
            value = buf[pos:pos + n]
            pos += n
        elif wire == 5:
            if pos + 4 > len(buf):
                raise DecodeError('truncated fixed32')
            value = buf[pos:pos + 4]
            pos += 4
        else:
            raise DecodeError('bad wire type %d' % wire)
        fields.append((field, wire, value))
    return fields


def field(num, wire, value):
    key = encode_varint(num << 3 | wire)
    if wire == 0:
        return key + encode_varint(value)
    if wire == 2:
        return key + encode_varint(len(value)) + value
    return key + value


def person(buf):
    p = {'name': '', 'id': 0, 'email': None, 'phones': [], 'score': 0.0, 'delta': 0, 'flags': 0, 'unknown': 0}
    for num, wire, value in parse(buf):
        if num == 1 and wire == 2:
            p['name'] = value.decode('utf-8')
        elif num == 2 and wire == 0:
            p['id'] = value
        elif num == 3 and wire == 2:
            p['email'] = value.decode('utf-8')
        elif num == 4 and wire == 2:
            phone = {'number': '', 'type': 0}
            for n2, w2, v2 in parse(value):
                if n2 == 1:
                    phone['number'] = v2.decode()
                elif n2 == 2:
                    phone['type'] = v2
            p['phones'].append((phone['number'], phone['type']))
        elif num == 5 and wire == 1:
            p['score'] = struct.unpack('<d', value)[0]
        elif num == 6 and wire == 0:
            p['delta'] = zigzag_decode(value)
        elif num == 7 and wire == 5:
            p['flags'] = struct.unpack('<I', value)[0]
        else:
            p['unknown'] += 1
    return p


log = []
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def send_frame(self, msg):
        self.wfile.write(encode_varint(len(msg)) + msg)

    def handle(self):
        count = total = 0
        while True:
            try:
                n = read_varint_stream(self.rfile)
                if n is None:
                    break
                if n > MAX_FRAME:
                    raise DecodeError('frame of %d bytes is too large' % n)
                buf = self.rfile.read(n)
                if len(buf) != n:
                    raise DecodeError('stream ended inside a frame')
                p = person(buf)
            except (DecodeError, UnicodeDecodeError) as e:
                with lock:
                    log.append('error: %s' % e)
                self.send_frame(field(1, 0, 0) + field(15, 2, str(e).encode()))
                return
            count += 1
            total += p['id']
            with lock:
                log.append('person %s id=%d email=%s phones=%s score=%.3f delta=%d flags=%#x unknown=%d' % (
                    p['name'][:20], p['id'], p['email'], p['phones'], p['score'], p['delta'], p['flags'],
                    p['unknown']))
            self.send_frame(field(1, 0, 1) + field(2, 0, count) + field(3, 2, p['name'].upper()[:20].encode())
                            + field(4, 0, total) + field(5, 1, struct.pack('<q', -total)))
        with lock:
            log.append('connection done after %d messages' % count)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True


with Server(('127.0.0.1', int(sys.argv[1])), Handler) as server:
    print('protobuf-like server on port', server.server_address[1])
    for _ in range(2):
        server.handle_request()
for line in log:
    print(line)
