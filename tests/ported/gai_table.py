# A getaddrinfo / getnameinfo / gethostbyname table (networking course "name resolution" lab), on
# numeric hosts, None and "localhost" (from /etc/hosts) only, so no query leaves the machine.
import socket

FLAGS = [(0, '0'), (socket.AI_PASSIVE, 'AI_PASSIVE'), (socket.AI_NUMERICHOST, 'AI_NUMERICHOST'),
         (socket.AI_CANONNAME, 'AI_CANONNAME'), (socket.AI_NUMERICSERV, 'AI_NUMERICSERV'),
         (socket.AI_V4MAPPED, 'AI_V4MAPPED')]


def show(host, port, family=0, type=0, proto=0, flags=0, label=''):
    try:
        res = socket.getaddrinfo(host, port, family, type, proto, flags)
    except socket.gaierror as e:
        print('%-40s gaierror %s: %s' % (label or repr((host, port)), e.errno, e))
        return
    print('%-40s %d result(s)' % (label or repr((host, port)), len(res)))
    for fam, kind, pr, canon, sa in res:
        print('    %-9s %-11s %3d %-12r %s' % (fam.name, kind.name, pr, canon, sa))


show('127.0.0.1', 80)
show('127.0.0.1', 'http', type=socket.SOCK_STREAM)
show('::1', 'domain', socket.AF_INET6)
show(None, 8080, socket.AF_INET, socket.SOCK_DGRAM)
show('localhost', 0, socket.AF_INET, socket.SOCK_STREAM)
show('localhost', None, socket.AF_INET, proto=socket.IPPROTO_UDP)
for flag, name in FLAGS:
    show(None, 443, socket.AF_INET6, socket.SOCK_STREAM, 0, flag, label='None, 443 v6 ' + name)
    show('127.0.0.1', 25, socket.AF_INET, socket.SOCK_STREAM, 0, flag, label='127.0.0.1, 25 ' + name)
show('localhost', 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST, label='localhost numeric-only')
show('127.0.0.1', 'http', socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICSERV, label='http numeric-serv')
show('127.0.0.1', 'no-such-svc', socket.AF_INET, socket.SOCK_STREAM, label='unknown service')
show('127.0.0.1', 'domain', socket.AF_INET6, label='v4 literal as AF_INET6')
show('::1', 80, socket.AF_INET, label='v6 literal as AF_INET')
show('127.0.0.1', 80, socket.AF_INET, socket.SOCK_RAW, label='SOCK_RAW')
show('127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_UDP, label='stream with UDP')
show('fe80::1%1', 80, socket.AF_INET6, socket.SOCK_STREAM, label='scoped v6')
show('0x7f.1', 80, socket.AF_INET, socket.SOCK_STREAM, label='inet_aton shorthand')

for sa, flags in [(('127.0.0.1', 80), 0), (('127.0.0.1', 53), socket.NI_DGRAM), (('127.0.0.1', 80), socket.NI_NUMERICHOST),
                  (('127.0.0.1', 22), socket.NI_NUMERICSERV | socket.NI_NUMERICHOST), (('::1', 443, 0, 0), socket.NI_NUMERICHOST),
                  (('127.0.0.1', 65000), 0), (('127.0.0.1', 80), socket.NI_NAMEREQD)]:
    try:
        print('getnameinfo', sa, flags, socket.getnameinfo(sa, flags))
    except OSError as e:
        print('getnameinfo', sa, flags, type(e).__name__, e)
print(socket.gethostbyname('localhost'), socket.gethostbyname('127.1'), socket.gethostbyname('0'))
print(socket.gethostbyname_ex('127.0.0.1'))
for bad in [('127.0.0.1',), ('127.0.0.1', 'http'), ('127.0.0.1', 80, 0, 0, 0)]:
    try:
        socket.getnameinfo(bad, 0)
    except (TypeError, OSError) as e:
        print(bad, type(e).__name__, e)
