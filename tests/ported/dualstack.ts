// Port of dualstack.py (sock.family.name is AddressFamily[sock.family]).
import * as socket from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import { b, print } from "./_py.ts";

print("has_ipv6", socket.has_ipv6, "has_dualstack_ipv6", socket.has_dualstack_ipv6());
let srv: socket.Socket;
if (socket.has_dualstack_ipv6()) {
  srv = socket.create_server(["", 0], { family: socket.AF_INET6, dualstack_ipv6: true });
} else {
  srv = socket.create_server(["", 0]);
}
const port = srv.getsockname()[1] as number; // cast: srv may be either family (declared before the if)
print("family", AddressFamily[srv.family], "V6ONLY", srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY));
print("sockname", srv.getsockname()[0], srv.getsockname().length);
for (const host of ["127.0.0.1", "::1", "localhost"]) {
  using c = await socket.create_connection([host, port], 5);
  const [conn, addr] = await srv.accept();
  {
    using _conn = conn;
    print(host, "client", AddressFamily[c.family], "seen as", addr[0], addr.length, "local", conn.getsockname()[0]);
    print("  peer of client", c.getpeername()[0], c.getpeername()[1] === port);
    await c.sendall(b(host));
    print("  got", await conn.recv(100), AddressFamily[conn.family]);
  }
}
srv.close();

const v4 = socket.create_server(["127.0.0.1", 0]);
const s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
s6.settimeout(5);
await s6.connect(["::ffff:127.0.0.1", v4.getsockname()[1]]);
const [conn, addr] = await v4.accept();
print("mapped client: server sees", addr[0], "client peer", s6.getpeername()[0], s6.getpeername().length);
print("mapped client local", s6.getsockname()[0]);
await s6.sendall(b("via mapped address"));
print(await conn.recv(100));
conn.close();
s6.close();
v4.close();
