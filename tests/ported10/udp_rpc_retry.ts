// Port of udp_rpc_retry.py (the server thread is a task; threading.Event is a flag; struct "!IH"/"!IQ" are
// DataViews (Q through BigInt); dict keys (addr, rid) are strings; time.monotonic() is performance.now()/1000).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { print, repr, sleep } from "../ported/_py.ts";

const req = (rid: number, x: number) => {
  const out = new Uint8Array(6);
  const v = new DataView(out.buffer);
  v.setUint32(0, rid);
  v.setUint16(4, x);
  return out;
};
const ans = (rid: number, value: bigint) => {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, rid);
  v.setBigUint64(4, value);
  return out;
};
const view = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
const monotonic = () => performance.now() / 1000;

const srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
srv.bind(["127.0.0.1", 0]);
srv.settimeout(0.05);
const executed: number[] = [];
const stop = { set: false };
let BASE = 0.2;

async function serve() {
  const cache = new Map<string, Uint8Array>();
  const seen = new Map<string, number>();
  const pending = new Map<string, [number, socket.Address[]]>();
  while (!stop.set) {
    const now = monotonic();
    for (const [key, [t, addrs]] of [...pending]) {
      if (t > now) continue;
      pending.delete(key);
      for (const a of addrs) await srv.sendto(cache.get(key)!, a);
    }
    let data: Uint8Array, addr: socket.Address | null;
    try {
      [data, addr] = await srv.recvfrom(1024);
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      continue;
    }
    const rid = view(data).getUint32(0);
    const x = view(data).getUint16(4);
    const key = repr([addr, rid]);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (pending.has(key)) {
      pending.get(key)![1].push(addr!);
      continue;
    }
    if (cache.has(key)) {
      await srv.sendto(cache.get(key)!, addr!);
      continue;
    }
    if (rid % 3 === 0 && seen.get(key) === 1) continue;
    executed.push(rid);
    cache.set(key, ans(rid, BigInt(x) * BigInt(x)));
    if (rid === 4) pending.set(key, [monotonic() + 2.5 * BASE, [addr!]]);
    else await srv.sendto(cache.get(key)!, addr!);
  }
}

const t = serve();

const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await c.connect(srv.getsockname());
const stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
let stale = 0;

async function call(sock: Socket, rid: number, x: number, tries = 4): Promise<[bigint, number]> {
  let delay = BASE;
  for (let attempt = 1; attempt <= tries; attempt++) {
    await sock.send(req(rid, x));
    const deadline = monotonic() + delay;
    while (true) {
      const left = deadline - monotonic();
      if (left <= 0) break;
      sock.settimeout(left);
      let data: Uint8Array;
      try {
        data = await sock.recv(1024);
      } catch (e) {
        if (!(e instanceof socket.TimeoutError)) throw e;
        break;
      }
      const got = view(data).getUint32(0);
      const value = view(data).getBigUint64(4);
      if (got !== rid) {
        stale += 1;
        continue;
      }
      return [value, attempt];
    }
    delay *= 2;
  }
  throw new socket.TimeoutError(`no answer to request ${rid} after ${tries} attempts`);
}

const attempts = new Map<number, number>();
for (let rid = 1; rid < 8; rid++) {
  if (rid === 6) await stranger.sendto(ans(6, 999n), c.getsockname());
  const [value, n] = await call(c, rid, rid + 10);
  attempts.set(rid, n);
  print("request", rid, "->", value);
}
print(
  "attempts, dropped ones:",
  `[${[3, 6].map((r) => attempts.get(r)).join(", ")}]`,
  "the slow one retried:",
  attempts.get(4)! > 1,
);
await sleep(0.1);
print("stale answers discarded == retries of the slow one:", stale === attempts.get(4)! - 1);
print("executed once each:", `[${executed.sort((a, b) => a - b).join(", ")}]`);

const silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
silent.bind(["127.0.0.1", 0]);
silent.settimeout(5);
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await u.connect(silent.getsockname());
BASE = 0.05;
const start = monotonic();
try {
  await call(u, 99, 1);
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  const waited = monotonic() - start;
  print("gave up:", e, "waited about 0.75 s:", 0.7 <= waited && waited < 3);
}
let copies = 0;
for (let i = 0; i < 4; i++) copies += (await silent.recv(100)) ? 1 : 0;
print("the silent socket got", copies, "copies");
stop.set = true;
await t;
for (const s of [srv, c, stranger, silent, u]) s.close();
