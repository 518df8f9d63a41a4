// Port of shut_rd_late.py (family.name is AddressFamily's name; `select(...)[0] == [c]` compares the member;
// threads are tasks; bytes(range(256)) * 4096 is built by a loop; a selector's `with` is a try/finally).
import * as socket from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, poll, POLLIN, POLLOUT, POLLRDHUP, select } from "../../selectors.ts";
import { b, beq, bjoin, list, print, sleep } from "../ported/_py.ts";

async function pair(family: number = socket.AF_INET): Promise<[Socket, Socket]> {
  if (family === socket.AF_UNIX) return await socket.socketpair();
  const l = socket.create_server(["127.0.0.1", 0]);
  const c = await socket.create_connection(l.getsockname() as [string, number]);
  const [a] = await l.accept();
  l.close();
  return [c, a];
}

const pause = () => sleep(0.05);

{
  const [c, a] = await pair();
  c.settimeout(5);
  await c.shutdown(socket.SHUT_RD);
  print("recv after shutdown:", await c.recv(100));
  for (let i = 0; i < 3; i++) {
    await a.sendall(b(`late ${i};`));
    await pause();
  }
  const r = (await select([c], [], [], 0))[0];
  print(" readable:", r.length === 1 && r[0] === c);
  print(" peek:", await c.recv(6, socket.MSG_PEEK));
  const buf = new Uint8Array(7);
  print(" recv_into:", await c.recv_into(buf), buf);
  await a.sendall(b("later"));
  await pause();
  print(" recv:", await c.recv(100));
  await a.sendall(b("line\n"));
  await pause();
  const f = c.makefile("rb");
  print(" makefile readline:", await f.readline());
  await f.close();
  a.close();
  await pause();
  print(" EOF:", await c.recv(100));
  c.close();
}

for (const family of [socket.AF_INET, socket.AF_UNIX]) {
  const [c, a] = await pair(family);
  await a.sendall(b("queued before"));
  await pause();
  await c.shutdown(socket.SHUT_RD);
  print(AddressFamily[family], "queued before SHUT_RD:", await c.recv(100), await c.recv(100));
  a.close();
  c.close();
}

for (const size of [100, 1 << 20]) {
  const [c, a] = await pair();
  const got: Uint8Array[] = [];
  const t = c.recv(size).then((d) => void got.push(d));
  await pause();
  await c.shutdown(socket.SHUT_RD);
  await Promise.race([t, sleep(5)]);
  print(`blocked recv(${size}) at SHUT_RD:`, list(got));
  await a.sendall(b("after the wake-up"));
  await pause();
  print(" then:", await c.recv(100));
  a.close();
  c.close();
}

{
  const [c, a] = await pair();
  c.settimeout(5);
  await c.shutdown(socket.SHUT_RD);
  await a.sendall(b("part"));
  await pause();
  print("MSG_WAITALL after SHUT_RD:", await c.recv(100, socket.MSG_WAITALL), await c.recv(100, socket.MSG_WAITALL));
  c.setblocking(false);
  print(" non-blocking, empty:", await c.recv(100));
  await a.sendall(b("nb"));
  await pause();
  print(" non-blocking:", await c.recv(100), await c.recv(100, socket.MSG_DONTWAIT));
  c.settimeout(0.5);
  const t0 = performance.now();
  print(" timed, empty:", await c.recv(100), performance.now() - t0 < 250);
  const p = poll();
  p.register(c, POLLIN | POLLRDHUP | POLLOUT);
  print(" poll:", list((await p.poll(0)).map(([, ev]) => ev)));
  await a.sendall(b("x"));
  await pause();
  print(" poll with a byte:", list((await p.poll(0)).map(([, ev]) => ev)));
  const sel = new DefaultSelector();
  try {
    sel.register(c, EVENT_READ);
    print(" selector:", list((await sel.select(0)).map(([k, ev]) => [k.fileobj === c, ev])));
  } finally {
    sel.close();
  }
  print(" recv:", await c.recv(100));
  a.close();
  c.close();
}

{
  const [c, a] = await pair();
  c.settimeout(5);
  await c.shutdown(socket.SHUT_RD);
  const block = new Uint8Array(256).map((_, i) => i);
  const data = bjoin(Array.from({ length: 4096 }, () => block));
  const t = a.sendall(data);
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let i = 0; i < 2000; i++) { // recv() returns b'' whenever the queue is empty: wait a little and read again
    const d = await c.recv(65536);
    if (d.length === 0) await sleep(0.005);
    parts.push(d);
    n += d.length;
    if (n >= data.length) break;
  }
  await Promise.race([t, sleep(5)]);
  print("a megabyte sent late:", beq(bjoin(parts), data));
  a.close();
  await pause();
  print(" then the peer's EOF:", await c.recv(100));
  c.close();
}
