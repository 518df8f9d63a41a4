// Port of sendall_memview_slow.py (a memoryview slice is a subarray; array('H') is a Uint16Array, sent as its
// bytes; hashlib.sha256 is crypto.subtle over the collected chunks; the reader thread is a task).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { bjoin, print, sleep } from "../ported/_py.ts";

const MiB = 1 << 20;
const big = new Uint8Array(6 * MiB);
for (let i = 0; i < big.length; i++) big[i] = i % 251;
const view = big.subarray(MiB, 5 * MiB);

async function sha16(data: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  return [...d].map((x) => x.toString(16).padStart(2, "0")).join("").slice(0, 16);
}
const beq = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);

print("slice:", view.length, "bytes, sha256", await sha16(view));

async function slow_reader(conn: Socket, out: { total?: number; digest?: string }) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let reads = 0;
  while (true) {
    const chunk = await conn.recv(65536);
    if (!chunk.length) break;
    chunks.push(chunk);
    total += chunk.length;
    reads += 1;
    if (reads % 8 === 0) await sleep(0.01);
  }
  out.total = total;
  out.digest = await sha16(bjoin(chunks));
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  let cli = await socket.create_connection(addr, { timeout: 10 });
  let [conn] = await lsock.accept();
  const out: { total?: number; digest?: string } = {};
  const t = slow_reader(conn, out);
  const r = await cli.sendall(view);
  print("sendall returned", r);
  const words = Uint16Array.from({ length: 1000 }, (_, i) => i);
  await cli.sendall(words);
  print("array('H') of", words.length, "items is", words.byteLength, "bytes");
  await cli.shutdown(socket.SHUT_WR);
  await t;
  print("reader got", out.total, "bytes, sha256", out.digest);
  const expect = await sha16(bjoin([view, new Uint8Array(words.buffer)]));
  print("digest matches:", out.digest === expect);
  cli.close();
  conn.close();

  // a reader that stops reading
  cli = await socket.create_connection(addr);
  [conn] = await lsock.accept();
  cli.settimeout(0.3);
  const offered = big;
  try {
    await cli.sendall(offered);
    print("sendall: finished?!");
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("sendall:", e.constructor.name, e, "is socket.timeout:", e instanceof socket.timeout);
  }
  cli.setblocking(false);
  const sends: number[] = [];
  try {
    for (let i = 0; i < 10000; i++) sends.push(await cli.send(offered.subarray(0, 65536)));
    print("send: never full?!");
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    print("send:", e.constructor.name, e.errno);
  }
  await cli.shutdown(socket.SHUT_WR);
  conn.settimeout(10);
  const parts: Uint8Array[] = [];
  while (true) {
    const chunk = await conn.recv(1 << 18);
    if (!chunk.length) break;
    parts.push(chunk);
  }
  const got = bjoin(parts);
  // what arrived: the part of the sendall that went out (how much depends on buffer sizes), then each send()'s
  // part, in order, nothing lost or doubled
  const m = got.length - sends.reduce((x, y) => x + y, 0);
  print("sendall sent some:", m > 0, "- not all:", m < big.length);
  const want = bjoin([big.subarray(0, m), ...sends.map((n) => big.subarray(0, n))]);
  print("stream is the sendall's part, then the sends':", beq(got, want));
  cli.close();
  conn.close();
}
