// Port of udp_many.py (a dict keyed by address tuples is a Map keyed by repr(address)).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, list, print, repr } from "./_py.ts";

const srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
srv.bind(["127.0.0.1", 0]);
srv.settimeout(5);
const addr = srv.getsockname();
const clients: Socket[] = [];
for (let i = 0; i < 3; i++) {
  const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.bind(["127.0.0.1", 0]);
  c.settimeout(5);
  clients.push(c);
}
const names = new Map(clients.map((c, i) => [repr(c.getsockname()), `client${i}`]));
const name = (a: unknown) => names.get(repr(a));
const same_addr = (x: unknown, y: unknown) => repr(x) === repr(y);

for (const [i, c] of clients.entries()) {
  await c.sendto(b(`hello from ${i}`), addr);
  await c.sendto(b("#".repeat(100 * (i + 1))), addr);
}
await clients[1]!.sendto(b(""), addr);

const buf = new Uint8Array(64);
const view = buf.subarray(0);
for (let _ = 0; _ < 7; _++) {
  const [peek, who] = await srv.recvfrom(8, socket.MSG_PEEK);
  const [n, who2] = await srv.recvfrom_into(view, 50);
  print(name(who), same_addr(who, who2), "peek", peek, "got", n, view.slice(0, Math.min(n, 16)));
  await srv.sendto(b(`echo ${n}`), who!);
}

let [r, _w, _x]: Socket[][] = await select(clients, [], [], 5);
for (let _ = 0; _ < 50; _++) {
  if (r.length === 3) break;
  [r, _w, _x] = await select(clients, [], [], 5);
}
print("readable clients", list(r.map((c) => name(c.getsockname())!).sort()));
for (const c of clients) {
  const replies: Uint8Array[] = [];
  while (true) {
    [r, _w, _x] = await select([c], [], [], 0.2);
    if (!r.length) break;
    const [data, frm] = await c.recvfrom(1024);
    replies.push(data);
    print(name(c.getsockname()), "from server", same_addr(frm, addr), data);
  }
}
srv.settimeout(0.1);
try {
  await srv.recvfrom(10);
} catch (e) {
  if (!(e instanceof socket.timeout)) throw e;
  print("nothing left:", e);
}
try {
  await srv.recvfrom_into(buf, 100);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e);
}
for (const c of clients) {
  c.close();
}
srv.close();
