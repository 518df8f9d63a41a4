// Port of udp_lossy_dedupe.py (the server and relay threads are tasks; threading.Event is a flag; struct's ">IH"
// and ">IQ" are DataView reads and writes; the reply cache's tuple key is a string; `except socket.timeout` is
// `instanceof TimeoutError`; the stats dict prints as Python's).
import * as socket from "../../mod.ts";
import type { Address } from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.bind(["127.0.0.1", 0]);
const relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
relay.bind(["127.0.0.1", 0]);
const client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
client.bind(["127.0.0.1", 0]);
const stats = { applied: 0, cached: 0, dropped: 0, duplicated: 0 };
let total = 0n;
let stop = false;
const same_addr = (x: Address | null, y: Address) => JSON.stringify(x) === JSON.stringify(y);

async function run_server() {
  server.settimeout(0.1);
  const cache = new Map<string, Uint8Array>();
  while (!stop) {
    let data: Uint8Array, addr: Address | null;
    try {
      [data, addr] = await server.recvfrom(1024);
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    if (new TextDecoder().decode(data) === "QUIT") break;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const [rid, amount] = [dv.getUint32(0), dv.getUint16(4)];
    const key = JSON.stringify([addr, rid]);
    if (cache.has(key)) {
      stats.cached += 1;
    } else {
      total += BigInt(amount);
      stats.applied += 1;
      const r = new DataView(new ArrayBuffer(12));
      r.setUint32(0, rid);
      r.setBigUint64(4, total);
      cache.set(key, new Uint8Array(r.buffer));
    }
    await server.sendto(cache.get(key)!, addr!);
  }
}

async function run_relay() {
  relay.settimeout(0.1);
  let fwd = 0;
  let back = 0;
  while (!stop) {
    let data: Uint8Array, addr: Address | null;
    try {
      [data, addr] = await relay.recvfrom(1024);
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    if (same_addr(addr, client.getsockname())) {
      fwd += 1;
      if (fwd % 3 === 0) {
        stats.dropped += 1;
        continue;
      }
      await relay.sendto(data, server.getsockname());
    } else {
      back += 1;
      if (back % 7 === 0) {
        stats.dropped += 1;
        continue;
      }
      await relay.sendto(data, client.getsockname());
      if (back % 5 === 0) {
        stats.duplicated += 1;
        await relay.sendto(data, client.getsockname());
      }
    }
  }
}

const threads = [run_server(), run_relay()];
client.settimeout(0.15);
let stale = 0;
for (let rid = 1; rid < 16; rid++) {
  const req = new DataView(new ArrayBuffer(6));
  req.setUint32(0, rid);
  req.setUint16(4, rid * 10);
  for (let attempt = 1; attempt < 7; attempt++) {
    await client.sendto(new Uint8Array(req.buffer), relay.getsockname());
    let tot: bigint;
    try {
      while (true) {
        const [data] = await client.recvfrom(1024);
        const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
        const got_id = dv.getUint32(0);
        tot = dv.getBigUint64(4);
        if (got_id === rid) break;
        stale += 1;
      }
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      print("request", rid, "attempt", attempt, "timed out");
      continue;
    }
    print("request", rid, "total", tot, "after", attempt, "attempt(s)");
    break;
  }
}
await server.sendto(b("QUIT"), server.getsockname());
stop = true;
await Promise.all(threads);
print("stale replies discarded:", stale);
print(
  `server: {'applied': ${stats.applied}, 'cached': ${stats.cached}, 'dropped': ${stats.dropped}, ` +
    `'duplicated': ${stats.duplicated}}`,
);
for (const s of [server, relay, client]) s.close();
