# Python Network Programming Cookbook ch. 1, 1_13: an SNTP client (a 48-byte request whose first byte is
# 0x1b, the reply unpacked with struct '!12I', word 10 the transmit time in seconds since 1900), run against a
# local fake time server thread instead of a pool server: the server drops the first request (the client retries
# after its timeout), ignores a datagram that is not a client request, and answers with a fixed time.
import socket
import struct
import threading
import time

TIME1970 = 2208988800
FIXED = 1767225600 + 12 * 3600 + 34 * 60 + 56  # 2026-01-01 12:34:56 UTC

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(('127.0.0.1', 0))
NTP_SERVER = '127.0.0.1'
NTP_PORT = server.getsockname()[1]
server_log = []


def fake_ntp(answers):
    dropped = False
    while answers:
        data, addr = server.recvfrom(1024)
        if len(data) < 48 or data[0] & 0x07 != 3:
            server_log.append('ignored %d bytes, mode %d' % (len(data), data[0] & 0x07 if data else -1))
            continue
        if not dropped:
            dropped = True
            server_log.append('dropped the first request')
            continue
        li_vn_mode = (0 << 6) | (((data[0] >> 3) & 0x07) << 3) | 4  # no warning, client's version, server
        stratum, poll, precision = 2, data[2], -20
        root_delay, root_dispersion, ref_id = 0x00000010, 0x00000020, b'LOCL'
        secs = FIXED + TIME1970
        ref = orig = recv = xmit = (secs, 0x80000000)  # .5 s
        orig = struct.unpack('!II', data[40:48])
        reply = struct.pack('!BBbbII4s8I', li_vn_mode, stratum, poll, precision, root_delay,
                            root_dispersion, ref_id, *ref, *orig, *recv, *xmit)
        server.sendto(reply, addr)
        answers -= 1


def sntp_client(retries=3):
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(1.0)
    data = '\x1b' + 47 * '\0'
    for attempt in range(retries):
        client.sendto(data.encode('utf-8'), (NTP_SERVER, NTP_PORT))
        try:
            data_in, address = client.recvfrom(1024)
            break
        except socket.timeout:
            print('attempt %d timed out' % attempt)
    else:
        print('no answer')
        return
    if data_in:
        print('Response received from:', address[0], len(data_in), 'bytes')
    t = struct.unpack('!12I', data_in)[10]
    t -= TIME1970
    print('\tTime=%s' % time.asctime(time.gmtime(t)))
    words = struct.unpack('!BBbbII4s8I', data_in)
    li_vn_mode, stratum, poll, precision = words[:4]
    print('\tleap %d version %d mode %d stratum %d precision 2**%d ref %r' % (
        li_vn_mode >> 6, (li_vn_mode >> 3) & 7, li_vn_mode & 7, stratum, precision, words[6]))
    print('\tfraction %.3f s' % (words[-1] / 2 ** 32))
    client.close()


t = threading.Thread(target=fake_ntp, args=(2,))
t.start()
stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stray.sendto(b'\x1c' + 47 * b'\0', (NTP_SERVER, NTP_PORT))  # mode 4: a server's packet, not a request
stray.sendto(b'hi', (NTP_SERVER, NTP_PORT))
stray.close()
sntp_client()
sntp_client()
t.join()
server.close()
print('server:', server_log)
