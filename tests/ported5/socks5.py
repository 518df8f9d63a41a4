# A SOCKS5 proxy (RFC 1928; no authentication, CONNECT only, to loopback only) with a thread per client and
# two relay threads per connection, an echo target behind it, and clients speaking the protocol by hand:
# greeting and method choice, CONNECT by IPv4, by domain name and by IPv6, replies 0x00 succeeded, 0x02 not
# allowed, 0x05 refused, 0x07 command not supported, 0x08 address type not supported, 0xFF no acceptable method.
import socket
import struct
import threading

log = []


def recv_exactly(sock, n):
    data = b''
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            raise EOFError('short read')
        data += more
    return data


def pipe(src, dst):
    try:
        while True:
            data = src.recv(4096)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def reply(conn, code, addr=('0.0.0.0', 0)):
    conn.sendall(b'\x05' + bytes([code]) + b'\x00\x01' + socket.inet_aton(addr[0]) + struct.pack('!H', addr[1]))


def handle(conn):
    try:
        ver, nmethods = recv_exactly(conn, 2)
        methods = recv_exactly(conn, nmethods)
        if ver != 5 or 0 not in methods:
            conn.sendall(b'\x05\xff')
            log.append('no acceptable method in %r' % methods)
            return
        conn.sendall(b'\x05\x00')
        ver, cmd, _, atyp = recv_exactly(conn, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_exactly(conn, 4))
        elif atyp == 3:
            host = recv_exactly(conn, recv_exactly(conn, 1)[0]).decode()
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, recv_exactly(conn, 16))
        else:
            reply(conn, 8)
            log.append('address type %d not supported' % atyp)
            return
        (port,) = struct.unpack('!H', recv_exactly(conn, 2))
        if cmd != 1:
            reply(conn, 7)
            log.append('command %d not supported' % cmd)
            return
        try:
            infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except socket.gaierror as e:
            reply(conn, 4)
            log.append('cannot resolve %r: %s' % (host, e))
            return
        family, _, _, _, sockaddr = infos[0]
        if not (sockaddr[0].startswith('127.') or sockaddr[0] == '::1'):
            reply(conn, 2)
            log.append('refusing %s' % sockaddr[0])
            return
        try:
            upstream = socket.create_connection(sockaddr[:2], timeout=5)
        except ConnectionRefusedError as e:
            reply(conn, 5)
            log.append('CONNECT %s: %s' % (host, e))
            return
        upstream.settimeout(None)
        bound = upstream.getsockname()
        reply(conn, 0, bound if family == socket.AF_INET else ('0.0.0.0', 0))
        log.append('CONNECT %s (%s) relaying' % (host, socket.AddressFamily(family).name))
        t = threading.Thread(target=pipe, args=(upstream, conn))
        t.start()
        pipe(conn, upstream)
        t.join()
        upstream.close()
    except EOFError as e:
        log.append('client went away: %s' % e)
    finally:
        conn.close()


def proxy(listener, n):
    threads = []
    for _ in range(n):
        conn, _ = listener.accept()
        t = threading.Thread(target=handle, args=(conn,))
        t.start()
        t.join()  # one client at a time keeps the log in order
    listener.close()


def echo_server(listener, n):
    for _ in range(n):
        conn, _ = listener.accept()
        with conn:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data.upper())


def open_proxy(port):
    return socket.create_connection(('127.0.0.1', port), timeout=10)


def connect_via(port, atyp, host, dport, methods=b'\x00', cmd=1):
    s = open_proxy(port)
    s.sendall(b'\x05' + bytes([len(methods)]) + methods)
    choice = recv_exactly(s, 2)
    print('  method choice', choice)
    if choice[1] == 0xff:
        print('  proxy closes:', s.recv(10))
        s.close()
        return None
    if atyp == 1:
        addr = socket.inet_aton(host)
    elif atyp == 3:
        addr = bytes([len(host)]) + host.encode()
    elif atyp == 4:
        addr = socket.inet_pton(socket.AF_INET6, host)
    else:
        addr = None  # the proxy cannot know how long it is: send nothing more
    s.sendall(b'\x05' + bytes([cmd]) + b'\x00' + bytes([atyp]) + (b'' if addr is None else addr + struct.pack('!H', dport)))
    rep = recv_exactly(s, 10)
    code = rep[1]
    print('  reply code', code, 'bound to loopback:', socket.inet_ntoa(rep[4:8]).startswith('127.'))
    if code != 0:
        print('  then', s.recv(10))
        s.close()
        return None
    return s


echo_l = socket.create_server(('127.0.0.1', 0))
echo6_l = socket.create_server(('::1', 0), family=socket.AF_INET6)
proxy_l = socket.create_server(('127.0.0.1', 0))
closed = socket.create_server(('127.0.0.1', 0))
closed_port = closed.getsockname()[1]
closed.close()
eport, e6port, pport = echo_l.getsockname()[1], echo6_l.getsockname()[1], proxy_l.getsockname()[1]
threads = [threading.Thread(target=echo_server, args=(echo_l, 2)),
           threading.Thread(target=echo_server, args=(echo6_l, 1)),
           threading.Thread(target=proxy, args=(proxy_l, 9))]
for t in threads:
    t.start()

print('CONNECT 127.0.0.1 (IPv4 address)')
s = connect_via(pport, 1, '127.0.0.1', eport)
s.sendall(b'hello through socks')
print('  echo:', recv_exactly(s, 19))
s.shutdown(socket.SHUT_WR)
print('  then EOF:', s.recv(10))
s.close()
print('CONNECT localhost (domain name), a large payload')
s = connect_via(pport, 3, 'localhost', eport, methods=b'\x02\x00')
payload = bytes(range(97, 123)) * 5000
s.sendall(payload)
s.shutdown(socket.SHUT_WR)
got = b''
while True:
    data = s.recv(65536)
    if not data:
        break
    got += data
print('  got back', len(got), 'bytes, upper-cased:', got == payload.upper())
s.close()
print('CONNECT ::1 (IPv6 address)')
s = connect_via(pport, 4, '::1', e6port)
s.sendall(b'v6')
print('  echo:', recv_exactly(s, 2))
s.close()
print('CONNECT to a closed port')
connect_via(pport, 1, '127.0.0.1', closed_port)
print('CONNECT outside loopback')
connect_via(pport, 1, '192.0.2.1', 80)
print('BIND command')
connect_via(pport, 1, '127.0.0.1', eport, cmd=2)
print('address type 9')
connect_via(pport, 9, '', 0)
print('only username/password offered')
connect_via(pport, 1, '127.0.0.1', eport, methods=b'\x02')
print('greeting cut short')
s = open_proxy(pport)
s.sendall(b'\x05\x03\x00')
s.shutdown(socket.SHUT_WR)
print('  proxy closes:', s.recv(10))
s.close()
for t in threads:
    t.join(20)
echo6_l.close()
print('proxy log:')
for line in log:
    print(' ', line)
