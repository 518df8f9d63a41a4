// Port of kwargs_calls.py: every keyword goes in one trailing object (README rule 7). The calls that
// TypeScript refuses carry @ts-ignore (finding P6: socket() and socketpair() take no keywords).
import * as socket from "../../mod.ts";
import { AddressFamily, SocketKind } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, list, print, repr } from "./_py.ts";

// @ts-ignore: finding P6
const u = socket.socket({ type: socket.SOCK_DGRAM });
print("type=", AddressFamily[u.family], SocketKind[u.type]);
u.close();
// @ts-ignore: finding P6
const s6 = socket.socket({ family: socket.AF_INET6, type: socket.SOCK_STREAM });
print("family=, type=", AddressFamily[s6.family], SocketKind[s6.type]);
s6.close();
// @ts-ignore: finding P6
let s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, { proto: 0 });
const fd = s.detach();
// @ts-ignore: finding P6
s = socket.socket({ fileno: fd });
print("fileno=", AddressFamily[s.family], SocketKind[s.type], s.fileno() === fd);
s.close();

// @ts-ignore: finding P6
const [a, b_] = await socket.socketpair({ type: socket.SOCK_DGRAM });
print("socketpair(type=)", SocketKind[a.type]);
a.close();
b_.close();

print(
  "getaddrinfo",
  (await socket.getaddrinfo("127.0.0.1", 80, { type: socket.SOCK_STREAM, flags: socket.AI_NUMERICHOST }))[0]![4],
);
const srv = socket.create_server(["127.0.0.1", 0], { backlog: 5 });
const c = await socket.create_connection(srv.getsockname(), { timeout: 5, source_address: ["127.0.0.1", 0] });
const [conn, addr] = await srv.accept();
print("create_connection(timeout=)", c.gettimeout()!.toFixed(1), repr(addr) === repr(c.getsockname()));

const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, b("0123456789"));
{
  using f = await Deno.open(path, { read: true });
  // @ts-ignore: sendfile(f, { offset, count }) works, but its types take only a signal (finding P3)
  print("sendfile(offset=, count=)", await c.sendfile(f, { offset: 2, count: 5 }));
}
Deno.removeSync(path);
const r = conn.makefile({ mode: "r", encoding: "ascii", newline: "" });
print("makefile(mode=, encoding=)", repr(await r.read(5)));

const sel = new selectors.DefaultSelector();
let key = sel.register(conn, selectors.EVENT_READ, { data: null });
print("register(data=None)", key.data === null, key.events);
key = sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, { data: "conn" });
print("modify(data=)", key.data, key.events);
await c.sendall(b("x"));
const events = await sel.select({ timeout: 5 } as selectors.SelectOptions); // cast: finding P3
print("select(timeout=)", list(events.map(([k, mask]) => [k.data, mask])));
sel.close();
await r.close();
for (const x of [c, conn, srv]) {
  x.close();
}
