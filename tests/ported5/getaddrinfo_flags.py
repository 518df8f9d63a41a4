# PyMOTW-3 socket_getaddrinfo.py and socket_getaddrinfo_extra_args.py on names that never leave the machine
# (localhost from /etc/hosts, numeric hosts, None): the constants' names from dir(socket), every flag, and the
# gaierrors that bad combinations raise.
import socket


def get_constants(prefix):
    """Create a dictionary mapping socket module
    constants to their names.
    """
    return {
        getattr(socket, n): n
        for n in dir(socket)
        if n.startswith(prefix)
    }


families = get_constants('AF_')
types = get_constants('SOCK_')
protocols = get_constants('IPPROTO_')


def show(desc, host, port, *args, **kwargs):
    print('getaddrinfo(%r, %r%s)' % (host, port, desc))
    try:
        responses = socket.getaddrinfo(host, port, *args, **kwargs)
    except socket.gaierror as e:
        print('  gaierror', e.errno, e)
        return
    except (OSError, TypeError, UnicodeError) as e:
        print(' ', type(e).__name__, e)
        return
    for response in responses:
        # Unpack the response tuple
        family, socktype, proto, canonname, sockaddr = response
        print('  Family        :', families[family])
        print('  Type          :', types[socktype])
        print('  Protocol      :', protocols[proto])
        print('  Canonical name:', repr(canonname))
        print('  Socket address:', sockaddr)
        print()


show(', family=AF_INET, type=SOCK_STREAM, proto=IPPROTO_TCP, flags=AI_CANONNAME', 'localhost', 'http',
     family=socket.AF_INET, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_CANONNAME)
show('', 'localhost', 80)
show(', AF_INET', '127.0.0.1', 'echo', socket.AF_INET)
show(', AF_INET, SOCK_STREAM, 0, AI_PASSIVE', None, 8080, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
show(', AF_INET6, SOCK_DGRAM, 0, AI_PASSIVE', None, 8080, socket.AF_INET6, socket.SOCK_DGRAM, 0, socket.AI_PASSIVE)
show(', AF_INET, SOCK_STREAM', None, 8080, socket.AF_INET, socket.SOCK_STREAM)
show(', AF_INET6, SOCK_DGRAM', '::1', 'domain', socket.AF_INET6, socket.SOCK_DGRAM)
show(', AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED', '127.0.0.1', 7, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_V4MAPPED)
show(', 0, SOCK_STREAM, 0, AI_NUMERICHOST | AI_NUMERICSERV', '127.0.0.1', '80', 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST | socket.AI_NUMERICSERV)
show(', 0, SOCK_STREAM, 0, AI_NUMERICHOST', 'localhost', 80, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
show(', 0, SOCK_STREAM, 0, AI_NUMERICSERV', '127.0.0.1', 'http', 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICSERV)
show(', AF_INET', '127.0.0.1', 'no-such-service', socket.AF_INET)
show(', AF_INET, SOCK_RAW', '127.0.0.1', 80, socket.AF_INET, socket.SOCK_RAW)
show(', AF_INET, SOCK_STREAM, IPPROTO_UDP', '127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_UDP)
show(', AF_INET, 0, IPPROTO_UDP', '127.0.0.1', 80, socket.AF_INET, 0, socket.IPPROTO_UDP)
show(', AF_INET', '::1', 80, socket.AF_INET)
show(', AF_UNIX', '127.0.0.1', 80, socket.AF_UNIX)
show('', '127.0.0.1', None)
show('', None, None)
show('', '127.0.0.1', 65536)
show('', '127.0.0.1', -1)
show(', flags=AI_CANONNAME | AI_ADDRCONFIG, type=SOCK_STREAM', 'localhost', 22, flags=socket.AI_CANONNAME | socket.AI_ADDRCONFIG, type=socket.SOCK_STREAM)
show(', type=SOCK_STREAM', b'127.0.0.1', b'25', type=socket.SOCK_STREAM)
show('', '127.0.0.1', 25.5)
