// Port of asyncio_sock.py: asyncio's loop.sock_X(s, ...) is `await s.X(...)` on a blocking socket (pysocket's
// waits are the event loop's), asyncio.wait_for(coro, t) passes `signal: AbortSignal.timeout(t * 1000)` (an
// aborted wait loses nothing, as a cancelled sock_recv), create_task is a started Promise, gather is
// Promise.all; asyncio.TimeoutError is the signal's TimeoutError.
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, beq, bjoin, bupper, print, sleep } from "../ported/_py.ts";

const timed_out = (e: unknown) => e instanceof DOMException && e.name === "TimeoutError";
const within = (s: number) => ({ signal: AbortSignal.timeout(s * 1000) });

const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen(50);
const addr = lsock.getsockname();
const handlers: Promise<number>[] = [];

async function handle(conn: Socket) {
  const buf = new Uint8Array(4096);
  let total = 0;
  while (true) {
    const n = await conn.recv_into(buf);
    if (!n) break;
    total += n;
    await conn.sendall(bupper(buf.slice(0, n)));
  }
  conn.close();
  return total;
}

async function server(count: number) {
  for (let i = 0; i < count; i++) {
    const [conn] = await lsock.accept();
    handlers.push(handle(conn));
  }
}

async function client(i: number): Promise<[boolean, number]> {
  const s = socket.socket();
  await s.connect(addr);
  const msg = b(`client ${i} says hello. `.repeat(200 * (i + 1)));
  await s.sendall(msg);
  await s.shutdown(socket.SHUT_WR);
  const chunks: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(65536);
    if (!data.length) break;
    chunks.push(data);
  }
  s.close();
  return [beq(bjoin(chunks), bupper(msg)), msg.length];
}

const srv = server(20);
const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client(i)));
await srv;
const totals = await Promise.all(handlers);
print(
  "clients:",
  results.every(([ok]) => ok),
  results.reduce((a, [, n]) => a + n, 0),
  totals.reduce((a, n) => a + n, 0),
);

// wait_for() cancelling recv while bytes trickle in
const w = socket.socket();
const acc = lsock.accept();
await w.connect(addr);
const [r] = await acc;

async function writer() {
  for (let i = 0; i < 120; i++) {
    await w.sendall(Uint8Array.of(i));
    await sleep(0.007);
  }
  await w.shutdown(socket.SHUT_WR);
}

const wt = writer();
const got: number[] = [];
let timeouts = 0;
for (let k = 0; k < 5000; k++) {
  let data: Uint8Array;
  try {
    data = await r.recv(1, within(0.005));
  } catch (e) {
    if (!timed_out(e)) throw e;
    timeouts += 1;
    continue;
  }
  if (!data.length) break;
  got.push(...data);
}
await wt;
print("trickle:", got.length, got.every((x, i) => x === i) && got.length === 120, "timed out sometimes:", timeouts > 0);
r.close();
w.close();

// a cancelled accept loses no connection
try {
  await lsock.accept(within(0.1));
} catch (e) {
  if (!timed_out(e)) throw e;
  print("accept timed out");
}
const c = socket.socket();
await c.connect(addr);
await c.sendall(b("late"));
const [conn, peer] = await lsock.accept(within(5));
print("next accept:", JSON.stringify(peer) === JSON.stringify(c.getsockname()), await conn.recv(10));
conn.close();
c.close();

// a cancelled recv_into leaves the buffer alone and the bytes queued
const [a, bb] = await socket.socketpair();
const buf = b("........");
try {
  await a.recv_into(buf, within(0.05));
} catch (e) {
  if (!timed_out(e)) throw e;
  print("recv_into timed out, buffer", buf);
}
await bb.sendall(b("abc"));
const n = await a.recv_into(buf.subarray(2));
print("then", n, buf);
a.close();
bb.close();
lsock.close();
