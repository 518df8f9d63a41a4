// Port of names.py.
import * as socket from "../../mod.ts";
import { print, repr } from "./_py.ts";

print(socket.getservbyname("http", "tcp"), socket.getservbyname("domain", "udp"));
print(socket.getservbyport(443), socket.getservbyport(53, "udp"));
print(socket.getprotobyname("tcp"), socket.getprotobyname("udp"));
try {
  socket.getservbyname("no-such-service");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("OSError:", e);
}
for (const res of await socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)) {
  const [af, socktype, proto, canonname, sa] = res;
  print(af, socktype, proto, repr(canonname), sa);
  print(Math.trunc(af), Math.trunc(socktype), af === socket.AF_INET);
}
for (const res of await socket.getaddrinfo("127.0.0.1", "domain", { type: socket.SOCK_DGRAM })) {
  print(socket.AddressFamily[res[0]], socket.SocketKind[res[1]], res[2], res[4]);
}
for (const res of await socket.getaddrinfo("::1", 8080, socket.AF_INET6, socket.SOCK_DGRAM)) {
  print(res[4]);
}
print(await socket.gethostbyname("localhost"));
const [hostname, aliaslist, ipaddrlist] = await socket.gethostbyname_ex("127.0.0.1");
print(hostname, aliaslist.length, ipaddrlist[0]);
print(await socket.getnameinfo(["127.0.0.1", 80], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV));
print(await socket.getnameinfo(["127.0.0.1", 80], socket.NI_NUMERICHOST));
const packed = socket.inet_aton("192.168.0.1");
print(packed, socket.inet_ntoa(packed), packed.length);
print(socket.inet_pton(socket.AF_INET6, "::1"));
print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, "2001:db8::ff00:42:8329")));
print(socket.inet_ntop(socket.AF_INET, new Uint8Array([0x7f, 0, 0, 1])));
print(socket.htons(80), socket.ntohs(20480), socket.htonl(1), socket.ntohl(16777216));
for (const bad of ["256.1.1.1", "hello"]) {
  try {
    socket.inet_aton(bad);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("inet_aton", bad, "->", e);
  }
}
try {
  socket.inet_pton(socket.AF_INET6, "1:::2");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("inet_pton ->", e);
}
try {
  await socket.getaddrinfo("127.0.0.1", "no-such-service");
} catch (e) {
  if (!(e instanceof socket.gaierror)) throw e;
  print("gaierror", e.errno, e);
}
try {
  socket.htons(70000);
} catch (e) {
  if (!(e instanceof RangeError)) throw e; // OverflowError
  print("OverflowError:", e);
}
print(socket.AF_INET, socket.SOCK_STREAM, socket.AF_INET6);
