// Port of options.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
print(s.family === socket.AF_INET, s.type === socket.SOCK_STREAM, s.proto, s.gettimeout(), s.getblocking());
print("SO_TYPE", s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE));
print("SO_REUSEADDR before", s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
print("SO_REUSEADDR after", s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
print("TCP_NODELAY before", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY));
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
print("TCP_NODELAY after", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) !== 0);
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
print("SO_KEEPALIVE", s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE));
print("SO_ERROR", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR));
s.bind(["127.0.0.1", 0]);
const [host, port] = s.getsockname();
print("bound", host, port > 0);
s.listen(5);
print("SO_ACCEPTCONN", s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN));
const c = await socket.create_connection(s.getsockname());
const [conn, addr] = await s.accept();
const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y); // tuple ==
print("peer matches", eq(conn.getpeername(), c.getsockname()), eq(addr, c.getsockname()));
print(
  "accepted inherits timeout",
  conn.gettimeout(),
  "nodelay",
  conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) !== 0,
);
s.settimeout(2.5);
print("timeout", s.gettimeout() === 2.5, s.getblocking());
s.setblocking(false);
print("non-blocking", s.gettimeout() === 0, s.getblocking());
socket.setdefaulttimeout(3);
const t = socket.socket();
print("default timeout", socket.getdefaulttimeout() === 3, t.gettimeout() === 3);
socket.setdefaulttimeout(null);
t.close();
const d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
print(
  "UDP SO_TYPE",
  d.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE),
  "SO_BROADCAST",
  d.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST),
);
d.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
print("SO_BROADCAST", d.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST));
d.bind(["127.0.0.1", 0]);
print("udp bound", d.getsockname()[0]);
for (const x of [c, conn, s, d]) {
  x.close();
}
print("closed fileno", s.fileno());
