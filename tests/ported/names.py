# getservbyname / getaddrinfo / inet_* printing (networking course).
import socket

print(socket.getservbyname("http", "tcp"), socket.getservbyname("domain", "udp"))
print(socket.getservbyport(443), socket.getservbyport(53, "udp"))
print(socket.getprotobyname("tcp"), socket.getprotobyname("udp"))
try:
    socket.getservbyname("no-such-service")
except OSError as e:
    print("OSError:", e)
for res in socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM):
    af, socktype, proto, canonname, sa = res
    print(af, socktype, proto, repr(canonname), sa)
    print(int(af), int(socktype), af == socket.AF_INET)
for res in socket.getaddrinfo("127.0.0.1", "domain", type=socket.SOCK_DGRAM):
    print(res[0].name, res[1].name, res[2], res[4])
for res in socket.getaddrinfo("::1", 8080, socket.AF_INET6, socket.SOCK_DGRAM):
    print(res[4])
print(socket.gethostbyname("localhost"))
hostname, aliaslist, ipaddrlist = socket.gethostbyname_ex("127.0.0.1")
print(hostname, len(aliaslist), ipaddrlist[0])
print(socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))
print(socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST))
packed = socket.inet_aton("192.168.0.1")
print(packed, socket.inet_ntoa(packed), len(packed))
print(socket.inet_pton(socket.AF_INET6, "::1"))
print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, "2001:db8::ff00:42:8329")))
print(socket.inet_ntop(socket.AF_INET, b"\x7f\x00\x00\x01"))
print(socket.htons(80), socket.ntohs(20480), socket.htonl(1), socket.ntohl(16777216))
for bad in ["256.1.1.1", "hello"]:
    try:
        socket.inet_aton(bad)
    except OSError as e:
        print("inet_aton", bad, "->", e)
try:
    socket.inet_pton(socket.AF_INET6, "1:::2")
except OSError as e:
    print("inet_pton ->", e)
try:
    socket.getaddrinfo("127.0.0.1", "no-such-service")
except socket.gaierror as e:
    print("gaierror", e.errno, e)
try:
    socket.htons(70000)
except OverflowError as e:
    print("OverflowError:", e)
print(socket.AF_INET, socket.SOCK_STREAM, socket.AF_INET6)
