# David Beazley & Brian Jones, Python Cookbook 3rd ed., 11.4: generating a range of IP addresses from a
# CIDR address. The recipe's session with ipaddress: every address of 123.45.67.64/27 and of
# 12:3456:78:90ab:cd:ef01:23:30/125, num_addresses, indexing, membership, ip_interface's network and ip; and
# its closing note that socket functions want str(a): here str(ipaddress.ip_address('127.0.0.1')) is given to
# connect() of a local listener (the only address connected to), with inet_pton/inet_ntop round trips of
# the printed addresses. Nothing is sent to any other address.
import ipaddress
import socket

net = ipaddress.ip_network('123.45.67.64/27')
print(net)
for a in net:
    print(a)

net6 = ipaddress.ip_network('12:3456:78:90ab:cd:ef01:23:30/125')
print(net6)
for a in net6:
    print(a)

print(net.num_addresses)
print(net[0])
print(net[1])
print(net[-1])
print(net[-2])

a = ipaddress.ip_address('123.45.67.69')
print(a in net)
b = ipaddress.ip_address('123.45.67.123')
print(b in net)

inet = ipaddress.ip_interface('123.45.67.73/27')
print(inet.network)
print(inet.ip)

for a in ipaddress.ip_network('2001:db8::/126'):
    packed = socket.inet_pton(socket.AF_INET6, str(a))
    print(a, packed.hex(), socket.inet_ntop(socket.AF_INET6, packed) == str(a))
for a in list(net)[:3]:
    print(a, socket.inet_aton(str(a)).hex(), socket.inet_ntoa(socket.inet_aton(str(a))))

listener = socket.create_server(('127.0.0.1', 0))
port = listener.getsockname()[1]
a = ipaddress.ip_address('127.0.0.1')
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect((a, port))
except TypeError as e:
    print('TypeError:', e)
s.connect((str(a), port))
print('connected to', s.getpeername()[0])
s.close()
listener.close()
