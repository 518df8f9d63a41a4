// Port of readiness_states.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import * as selectors from "../../selectors.ts";
import { b, print, sleep } from "./_py.ts";

const n = (x: boolean) => (x ? 1 : 0);

async function ready(s: socket.Socket) {
  const [r, w, x] = await select.select([s], [s], [s], 0);
  const sel = new selectors.DefaultSelector();
  sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE);
  const events = await sel.select(0);
  sel.close();
  const mask = events.length ? events[0]![1] : 0;
  return `select r=${n(r.length > 0)} w=${n(w.length > 0)} x=${n(x.length > 0)} selector r=${
    n((mask & selectors.EVENT_READ) !== 0)
  } w=${n((mask & selectors.EVENT_WRITE) !== 0)}`;
}

async function settle() {
  await sleep(0.2);
}

const s = socket.socket();
print("fresh", await ready(s));
s.bind(["127.0.0.1", 0]);
print("bound", await ready(s));
s.listen();
print("listening", await ready(s));
let c = await socket.create_connection(s.getsockname());
await settle();
print("listening, one waiting", await ready(s));
print("client just connected", await ready(c));
let [a] = await s.accept();
print("listening after accept", await ready(s));
print("accepted idle", await ready(a));
await c.sendall(b("ping"));
await settle();
print("accepted, data waiting", await ready(a));
await a.recv(10);
print("accepted, data read", await ready(a));
await c.shutdown(socket.SHUT_WR);
await settle();
print("accepted, peer SHUT_WR", await ready(a));
print("accepted recv", await a.recv(10));
print("client after own SHUT_WR", await ready(c));
await a.sendall(b("reply"));
await settle();
print("client, reply waiting", await ready(c));
print("client recv", await c.recv(10));
a.close();
await settle();
print("client, peer closed", await ready(c));
print("client recv", await c.recv(10));
c.close();

c = await socket.create_connection(s.getsockname());
[a] = await s.accept();
await a.shutdown(socket.SHUT_RD);
await settle();
print("after own SHUT_RD", await ready(a));
a.settimeout(0.1);
c.settimeout(0.1);
try {
  await c.recv(10);
} catch (e) {
  if (!(e instanceof socket.timeout)) throw e;
  print("client recv", e.name, e);
}
print("after a timed-out recv", await ready(c));
c.close();
a.close();
s.close();

const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
print("udp fresh", await ready(u));
u.bind(["127.0.0.1", 0]);
print("udp bound", await ready(u));
const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await v.sendto(b("dgram"), u.getsockname());
await settle();
print("udp datagram waiting", await ready(u));
print("udp recv", (await u.recvfrom(10))[0]);
print("udp after read", await ready(u));
u.close();
v.close();
try {
  await select.select([u], [], [], 0);
} catch (e) {
  if (!(e instanceof RangeError || e instanceof socket.OSError)) throw e;
  print("select closed", e instanceof RangeError ? "ValueError" : e.name, e);
}
const sel = new selectors.DefaultSelector();
try {
  sel.register(u, selectors.EVENT_READ);
} catch (e) {
  if (!(e instanceof RangeError || e instanceof socket.OSError)) throw e;
  print("register closed", e instanceof RangeError ? "ValueError" : e.name, e);
}
