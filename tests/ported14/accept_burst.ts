// Port of accept_burst.py.
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, decode, list, print } from "../ported/_py.ts";

const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen(16);
lsock.setblocking(false);
const addr = lsock.getsockname();

const clients: Socket[] = [];
for (let i = 0; i < 10; i++) {
  const c = await socket.create_connection(addr, { timeout: 5 });
  await c.sendall(b(`client ${i}\n`));
  clients.push(c);
}

let [r] = await select([lsock], [], [], 5);
print("listener readable:", r.length === 1 && r[0] === lsock);
const accepted: [Socket, Address][] = [];
while (true) {
  let conn: Socket, peer: Address;
  try {
    [conn, peer] = await lsock.accept();
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    print("drained:", e.constructor.name, e.errno);
    break;
  }
  accepted.push([conn, peer]);
}
print("accepted", accepted.length);
print(
  "accepted from a non-blocking listener: blocking",
  accepted[1]![0].getblocking(),
  "timeout",
  accepted[1]![0].gettimeout(),
);
const order: number[] = [];
for (const [conn] of accepted) {
  conn.settimeout(5);
  const line = await conn.recv(100);
  order.push(Number(decode(line).split(/\s+/)[1]));
}
print("in connect order:", order.every((v, i) => i === 0 || order[i - 1]! <= v), list(order));
print(
  "peers match clients:",
  JSON.stringify(accepted.map(([, p]) => p)) === JSON.stringify(clients.map((c) => c.getsockname())),
);
[r] = await select([lsock], [], [], 0);
print("readable after draining:", list(r));
for (const [conn] of accepted) conn.close();
for (const c of clients) c.close();

lsock.settimeout(0.2);
try {
  await lsock.accept();
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("timed accept on an empty queue:", e.constructor.name, e);
}

// queued, then closed
for (const word of ["first", "second"]) {
  const c = await socket.create_connection(addr, { timeout: 5 });
  await c.sendall(b(`goodbye from the ${word}`));
  c.close();
}
lsock.settimeout(5);
for (const label of ["closed while queued", "and the next"]) {
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  const got: Uint8Array[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const data = await conn.recv(100);
      got.push(data);
      if (!data.length) break;
    }
    print(label + ":", list(got));
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(label + ":", list(got), e.constructor.name, e);
  }
  conn.close();
}
lsock.close();
