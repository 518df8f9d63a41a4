# A Modbus/TCP server and client. The server reads each request's MBAP header (transaction id, protocol id,
# length, unit id: struct ">HHHB") with recv(7, MSG_WAITALL), then the PDU with recv(length - 1, MSG_WAITALL), and
# answers function codes 3 (read holding registers), 6 (write single register) and 16 (write multiple registers)
# or with an exception response (1 illegal function, 2 illegal data address, 3 illegal data value). The client
# makes plain requests, pipelines three in one sendall() (the replies matched by transaction id), sends one
# request a byte at a time, and ends with a header cut short by shutdown(SHUT_WR); a second connection with a
# wrong protocol id is dropped by the server.
import socket
import struct
import threading
import time

NREGS = 16
REGS = [i * 10 for i in range(NREGS)]
log = []


def exc(fc, code):
    return bytes([fc | 0x80, code])


def process(pdu):
    fc = pdu[0]
    if fc == 3:
        addr, count = struct.unpack(">HH", pdu[1:5])
        if not 1 <= count <= 125:
            return exc(fc, 3)
        if addr + count > NREGS:
            return exc(fc, 2)
        return bytes([3, 2 * count]) + struct.pack(">%dH" % count, *REGS[addr:addr + count])
    if fc == 6:
        addr, value = struct.unpack(">HH", pdu[1:5])
        if addr >= NREGS:
            return exc(fc, 2)
        REGS[addr] = value
        return pdu[:5]
    if fc == 16:
        addr, count, nbytes = struct.unpack(">HHB", pdu[1:6])
        if nbytes != 2 * count or len(pdu) != 6 + nbytes:
            return exc(fc, 3)
        if addr + count > NREGS:
            return exc(fc, 2)
        REGS[addr:addr + count] = struct.unpack(">%dH" % count, pdu[6:6 + nbytes])
        return struct.pack(">BHH", 16, addr, count)
    return exc(fc, 1)


def handle(conn, n):
    with conn:
        served = 0
        while True:
            hdr = conn.recv(7, socket.MSG_WAITALL)
            if len(hdr) < 7:
                if hdr:
                    log.append("conn %d: header cut at %d bytes after %d requests" % (n, len(hdr), served))
                else:
                    log.append("conn %d: EOF after %d requests" % (n, served))
                break
            tid, proto, length, unit = struct.unpack(">HHHB", hdr)
            if proto != 0:
                log.append("conn %d: protocol id %d, dropped" % (n, proto))
                break
            pdu = conn.recv(length - 1, socket.MSG_WAITALL)
            resp = process(pdu)
            conn.sendall(struct.pack(">HHHB", tid, 0, len(resp) + 1, unit) + resp)
            served += 1


def serve(lsock):
    threads = []
    for n in range(2):
        conn, _ = lsock.accept()
        t = threading.Thread(target=handle, args=(conn, n))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(5)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


class Client:
    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=5)
        self.tid = 0

    def frame(self, pdu, unit=1):
        self.tid += 1
        return self.tid, struct.pack(">HHHB", self.tid, 0, len(pdu) + 1, unit) + pdu

    def reply(self):
        tid, proto, length, unit = struct.unpack(">HHHB", recv_exact(self.sock, 7))
        return tid, unit, recv_exact(self.sock, length - 1)

    def call(self, pdu):
        tid, req = self.frame(pdu)
        self.sock.sendall(req)
        rtid, unit, resp = self.reply()
        assert rtid == tid
        return resp


def show(resp):
    fc = resp[0]
    if fc & 0x80:
        return "exception fc=%d code=%d" % (fc & 0x7F, resp[1])
    if fc == 3:
        n = resp[1] // 2
        return "registers %s" % (list(struct.unpack(">%dH" % n, resp[2:2 + 2 * n])),)
    if fc == 6:
        return "wrote reg %d = %d" % struct.unpack(">HH", resp[1:5])
    if fc == 16:
        return "wrote %d regs from %d" % struct.unpack(">HH", resp[3:5] + resp[1:3])
    return "fc %d: %r" % (fc, resp)


with socket.create_server(("127.0.0.1", 0)) as lsock:
    addr = lsock.getsockname()
    st = threading.Thread(target=serve, args=(lsock,))
    st.start()
    c = Client(addr)
    print("read 0..4:", show(c.call(struct.pack(">BHH", 3, 0, 5))))
    print("write reg 2:", show(c.call(struct.pack(">BHH", 6, 2, 4242))))
    print("write 3 from 10:", show(c.call(struct.pack(">BHHB3H", 16, 10, 3, 6, 7, 8, 9))))
    print("read 8..13:", show(c.call(struct.pack(">BHH", 3, 8, 6))))
    print("read past the end:", show(c.call(struct.pack(">BHH", 3, 14, 4))))
    print("read 0 regs:", show(c.call(struct.pack(">BHH", 3, 0, 0))))
    print("function 43:", show(c.call(bytes([43, 14, 1, 0]))))
    print("bad byte count:", show(c.call(struct.pack(">BHHB2H", 16, 0, 2, 3, 1, 2))))

    # pipelined: three requests in one sendall(), replies matched by transaction id
    reqs = {}
    blob = b""
    for pdu in (struct.pack(">BHH", 6, 0, 1), struct.pack(">BHH", 6, 1, 2), struct.pack(">BHH", 3, 0, 3)):
        tid, req = c.frame(pdu)
        reqs[tid] = pdu[0]
        blob += req
    c.sock.sendall(blob)
    for _ in range(3):
        tid, unit, resp = c.reply()
        print("pipelined tid %d (fc %d, unit %d): %s" % (tid, reqs.pop(tid), unit, show(resp)))

    # one request a byte at a time
    tid, req = c.frame(struct.pack(">BHH", 3, 1, 2), unit=7)
    for i in range(len(req)):
        c.sock.send(req[i:i + 1])
        time.sleep(0.005)
    rtid, unit, resp = c.reply()
    print("byte by byte: tid %d unit %d %s" % (rtid, unit, show(resp)))

    # a header cut short
    c.sock.sendall(struct.pack(">HH", 99, 0))
    c.sock.shutdown(socket.SHUT_WR)
    print("after the cut header:", c.sock.recv(10))
    c.sock.close()

    # a wrong protocol id: the server drops the connection
    with socket.create_connection(addr, timeout=5) as s:
        s.sendall(struct.pack(">HHHB", 1, 1, 6, 1))
        print("wrong protocol id:", s.recv(10))
    st.join(10)

for line in sorted(log):
    print(line)
print("final registers:", REGS)
