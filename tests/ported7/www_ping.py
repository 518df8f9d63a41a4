# Foundations of Python Network Programming, 3rd ed., chapter 4: www_ping.py on names that never leave the
# machine. getaddrinfo() with AI_ADDRCONFIG | AI_V4MAPPED | AI_CANONNAME, the first answer used to build the
# socket (socket(*info[0:3])) and connect; "Network failure" and "Name service failure" with e.args[1].
# 'www' (port 80) is resolved but not connected to; the service connected to is a local listener's port
# (listening on 127.0.0.1 and ::1), named by number, and the same port once the listeners are closed.
import socket
import sys


def connect_to(hostname_or_ip, service):
    try:
        infolist = socket.getaddrinfo(
            hostname_or_ip, service, 0, socket.SOCK_STREAM, 0,
            socket.AI_ADDRCONFIG | socket.AI_V4MAPPED | socket.AI_CANONNAME,
        )
    except socket.gaierror as e:
        print('Name service failure:', e.args[1])
        sys.exit(1)

    info = infolist[0]  # per standard recommendation, try the first one
    socket_args = info[0:3]
    address = info[4]
    s = socket.socket(*socket_args)
    try:
        s.connect(address)
    except socket.error as e:
        print('Network failure:', e.args[1])
    else:
        print('Success: host', info[3], 'is listening on port', 'PORT' if service == str(port) else service)
    s.close()


def show(hostname_or_ip, service):
    infolist = socket.getaddrinfo(
        hostname_or_ip, service, 0, socket.SOCK_STREAM, 0,
        socket.AI_ADDRCONFIG | socket.AI_V4MAPPED | socket.AI_CANONNAME,
    )
    for family, type_, proto, canonname, address in infolist:
        print(' ', family.name, type_.name, proto, repr(canonname), address[0], address[1] if service == 'www' else 'PORT')


l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l4.bind(('127.0.0.1', 0))
l4.listen(5)
port = l4.getsockname()[1]
l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
l6.bind(('::1', port))
l6.listen(5)

for host in ['127.0.0.1', '::1', 'localhost']:
    print(host)
    show(host, 'www')
    show(host, str(port))
    connect_to(host, str(port))
l4.close()
l6.close()
for host in ['127.0.0.1', '::1']:
    connect_to(host, str(port))
connect_to('127.0.0.1', 'no-such-service')
print('not reached')
