// Port of timeout_inherit.py (Python's float timeouts print as floats: 4 is "4.0", through pyf(); `import select`
// is the selectors module; socket(fileno=fd) takes the keyword in a trailing object; ValueError is RangeError).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, print, repr } from "../ported/_py.ts";

const pyf = (t: number | null) => t === null ? "None" : Number.isInteger(t) ? t.toFixed(1) : String(t);

function show(label: string, s: Socket) {
  print(`${label}: timeout=${pyf(s.gettimeout())} blocking=${s.getblocking() ? "True" : "False"}`);
}

for (const dflt of [null, 1.5]) {
  socket.setdefaulttimeout(dflt);
  print("== default", pyf(socket.getdefaulttimeout()));
  const s = socket.socket();
  show("new socket", s);
  s.close();
  const [a, b2] = await socket.socketpair();
  show("socketpair", a);
  a.close();
  b2.close();
  for (const ltimeout of ["keep", null, 2.5, 0.0] as const) {
    const lsock = socket.create_server(["127.0.0.1", 0]);
    if (ltimeout !== "keep") lsock.settimeout(ltimeout);
    show(`listener ${ltimeout === "keep" ? "keep" : pyf(ltimeout)}`, lsock);
    const c = await socket.create_connection(lsock.getsockname());
    show("  create_connection", c);
    if (ltimeout === 0.0) await select([lsock], [], [], 5);
    const [conn] = await lsock.accept();
    show("  accepted", conn);
    conn.close();
    c.close();
    lsock.close();
  }
  const lsock = socket.create_server(["127.0.0.1", 0]);
  const c = await socket.create_connection(lsock.getsockname(), { timeout: 4 });
  show("create_connection(timeout=4)", c);
  const c2 = await socket.create_connection(lsock.getsockname(), null);
  show("create_connection(addr, None)", c2);
  const fd = c2.detach();
  const c3 = socket.socket({ fileno: fd });
  show("socket(fileno=detach())", c3);
  for (const x of [c, c3]) x.close();
  for (let i = 0; i < 2; i++) {
    const [conn] = await lsock.accept();
    conn.close();
  }
  lsock.close();
}

socket.setdefaulttimeout(null);
print("socket.timeout is TimeoutError:", socket.timeout === socket.TimeoutError);
print("issubclass OSError:", socket.timeout.prototype instanceof socket.OSError);
const lsock = socket.create_server(["127.0.0.1", 0]);
const c = await socket.create_connection(lsock.getsockname(), { timeout: 0.2 });
const [conn] = await lsock.accept();
try {
  await c.recv(10);
} catch (e) {
  if (!(e instanceof socket.timeout)) throw e;
  print("recv:", e.constructor.name, repr(String(e.message)), e.errno ?? null, e.args);
}
await conn.sendall(b("late"));
print("then:", await c.recv(10));
try {
  c.settimeout(-1);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("settimeout(-1):", "ValueError", e.message);
}
try {
  socket.setdefaulttimeout(-0.5);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("setdefaulttimeout(-0.5):", "ValueError", e.message);
}
socket.setdefaulttimeout(0);
const s = socket.socket();
show("default 0, new socket", s);
s.close();
socket.setdefaulttimeout(null);
for (const x of [c, conn, lsock]) x.close();
