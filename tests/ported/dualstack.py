# One IPv6 listener for both families: create_server(('', 0), family=AF_INET6, dualstack_ipv6=True)
# when has_dualstack_ipv6(); IPv4 clients appear as IPv4-mapped addresses. Then an AF_INET6 client
# reaches an IPv4-only listener through its mapped address.
import socket

print('has_ipv6', socket.has_ipv6, 'has_dualstack_ipv6', socket.has_dualstack_ipv6())
if socket.has_dualstack_ipv6():
    srv = socket.create_server(('', 0), family=socket.AF_INET6, dualstack_ipv6=True)
else:
    srv = socket.create_server(('', 0))
port = srv.getsockname()[1]
print('family', srv.family.name, 'V6ONLY', srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
print('sockname', srv.getsockname()[0], len(srv.getsockname()))
for host in ['127.0.0.1', '::1', 'localhost']:
    with socket.create_connection((host, port), timeout=5) as c:
        conn, addr = srv.accept()
        with conn:
            print(host, 'client', c.family.name, 'seen as', addr[0], len(addr), 'local', conn.getsockname()[0])
            print('  peer of client', c.getpeername()[0], c.getpeername()[1] == port)
            c.sendall(host.encode())
            print('  got', conn.recv(100), conn.family.name)
srv.close()

v4 = socket.create_server(('127.0.0.1', 0))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s6.settimeout(5)
s6.connect(('::ffff:127.0.0.1', v4.getsockname()[1]))
conn, addr = v4.accept()
print('mapped client: server sees', addr[0], 'client peer', s6.getpeername()[0], len(s6.getpeername()))
print('mapped client local', s6.getsockname()[0])
s6.sendall(b'via mapped address')
print(conn.recv(100))
conn.close()
s6.close()
v4.close()
