// Port of misc.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

print((await socket.gethostbyaddr("127.0.0.1"))[0]);
for (const res of await socket.getaddrinfo(null, 8080, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)) {
  print("passive", res[4]);
}
for (const res of await socket.getaddrinfo(null, 8080, socket.AF_INET, socket.SOCK_STREAM)) {
  print("loopback", res[4]);
}
for (const res of await socket.getaddrinfo(null, "8080", socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)) {
  print("passive6", res[4]);
}
for (const res of await socket.getaddrinfo("localhost", null, socket.AF_INET, socket.SOCK_DGRAM)) {
  print("no port", res[4]);
}
const srv = socket.create_server(["127.0.0.1", 0]);
const c = await socket.create_connection(srv.getsockname());
const [conn, addr] = await srv.accept();
const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y); // tuple ==
print("create_server", srv.family === socket.AF_INET, eq(addr, c.getsockname()));
print(
  (await socket.getnameinfo(c.getpeername(), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))[1] ===
    String(srv.getsockname()[1]),
);
for (const x of [c, conn, srv]) {
  x.close();
}
