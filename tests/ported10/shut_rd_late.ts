// Port of shut_rd_late.py (family.name is AddressFamily's name; `select(...)[0] == [c]` compares the member).
import * as socket from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, print, sleep } from "../ported/_py.ts";

async function pair(family: number): Promise<[Socket, Socket]> {
  if (family === socket.AF_UNIX) return await socket.socketpair();
  const l = socket.create_server(["127.0.0.1", 0]);
  const c = await socket.create_connection(l.getsockname() as [string, number]);
  const [a] = await l.accept();
  l.close();
  return [c, a];
}

for (
  const [family, how] of [[socket.AF_INET, socket.SHUT_RD], [socket.AF_INET, socket.SHUT_RDWR], [
    socket.AF_UNIX,
    socket.SHUT_RD,
  ]]
) {
  const [c, a] = await pair(family!);
  c.settimeout(5);
  await c.shutdown(how!);
  print(AddressFamily[family!], how, "recv after shutdown:", await c.recv(100));
  try {
    for (let i = 0; i < 3; i++) {
      await a.sendall(b(`late ${i};`));
      await sleep(0.05);
    }
  } catch (e) {
    if (!(e instanceof socket.BrokenPipeError)) throw e;
    print(" the peer's send:", e.name, e);
    a.close();
    c.close();
    continue;
  }
  const r = (await select([c], [], [], 0))[0];
  print(" readable:", r.length === 1 && r[0] === c);
  print(" peek:", await c.recv(6, socket.MSG_PEEK));
  const buf = new Uint8Array(7);
  print(" recv_into:", await c.recv_into(buf), buf);
  await a.sendall(b("later"));
  await sleep(0.05);
  print(" recv:", await c.recv(100));
  await a.sendall(b("line\n"));
  await sleep(0.05);
  const f = c.makefile("rb");
  print(" makefile readline:", await f.readline());
  await f.close();
  a.close();
  await sleep(0.05);
  print(" EOF:", await c.recv(100));
  c.close();
}
