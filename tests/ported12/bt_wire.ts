// Port of bt_wire.py (the seeder thread is a task; hashlib.sha1 is node:crypto's; struct.pack/unpack with ">I"
// are DataView calls; a memoryview slice is subarray(); EOFError is a small class; the dict of blocks is keyed
// by "index,begin").
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { createHash } from "node:crypto";
import { b, beq, bjoin, print, repr } from "../ported/_py.ts";

const PIECE = 65536;
const BLOCK = 16384;
const DATA = Uint8Array.from({ length: 4 * PIECE + 1000 }, (_, i) => (i * 7 + Math.floor(i / 251)) % 256);
const PIECES: Uint8Array[] = [];
for (let i = 0; i < DATA.length; i += PIECE) PIECES.push(DATA.subarray(i, i + PIECE));
const sha1 = (x: Uint8Array) => new Uint8Array(createHash("sha1").update(x).digest());
const HASHES = PIECES.map(sha1);
const INFO_HASH = sha1(bjoin(HASHES));
const PSTR = b("BitTorrent protocol");
const NAMES: Record<number, string> = {
  0: "choke",
  1: "unchoke",
  2: "interested",
  3: "not interested",
  4: "have",
  5: "bitfield",
  6: "request",
  7: "piece",
  8: "cancel",
};

class EOFError extends Error {}

function u32(...xs: number[]): Uint8Array {
  const out = new Uint8Array(4 * xs.length);
  const dv = new DataView(out.buffer);
  xs.forEach((x, i) => dv.setUint32(4 * i, x));
  return out;
}
const get32 = (x: Uint8Array, off: number) => new DataView(x.buffer, x.byteOffset, x.byteLength).getUint32(off);

const handshake = (info_hash: Uint8Array, peer_id: Uint8Array) =>
  bjoin([new Uint8Array([PSTR.length]), PSTR, new Uint8Array(8), info_hash, peer_id]);

async function recv_exactly(s: Socket, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await s.recv_into(buf.subarray(got), n - got);
    if (k === 0) throw new EOFError(`peer closed after ${got} of ${n} bytes`);
    got += k;
  }
  return buf;
}

async function read_msg(s: Socket): Promise<[number | null, Uint8Array]> {
  const length = get32(await recv_exactly(s, 4), 0);
  if (length === 0) return [null, new Uint8Array(0)];
  const body = await recv_exactly(s, length);
  return [body[0]!, body.subarray(1)];
}

async function send_msg(s: Socket, mid: number | null = null, payload: Uint8Array = new Uint8Array(0)) {
  if (mid === null) await s.sendall(u32(0));
  else await s.sendall(bjoin([u32(1 + payload.length), new Uint8Array([mid]), payload]));
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const seed_log: string[] = [];

async function seeder(nconns: number) {
  for (let c = 0; c < nconns; c++) {
    const [conn] = await lsock.accept();
    conn.settimeout(5);
    using _conn = conn;
    const hs = await recv_exactly(conn, 68);
    if (!beq(hs.subarray(1, 20), PSTR) || !beq(hs.subarray(28, 48), INFO_HASH)) {
      seed_log.push("wrong info_hash: dropped");
      continue;
    }
    await conn.sendall(handshake(INFO_HASH, b("-SD0001-seederseeder")));
    seed_log.push("handshake from " + new TextDecoder().decode(hs.subarray(48, 56)));
    const bits = (1 << 8) - (1 << (8 - PIECES.length));
    await send_msg(conn, 5, new Uint8Array([bits]));
    let served = 0;
    let cancelled = 0;
    while (true) {
      let mid, payload;
      try {
        [mid, payload] = await read_msg(conn);
      } catch (e) {
        if (e instanceof EOFError) break;
        throw e;
      }
      if (mid === null) seed_log.push("keep-alive");
      else if (mid === 2) {
        seed_log.push("interested");
        await send_msg(conn, 1);
      } else if (mid === 6) {
        const [index, begin, length] = [get32(payload, 0), get32(payload, 4), get32(payload, 8)];
        await send_msg(conn, 7, bjoin([u32(index, begin), PIECES[index]!.subarray(begin, begin + length)]));
        served += 1;
      } else if (mid === 8) cancelled += 1;
      else if (mid === 4) { /* have */ }
      else seed_log.push("unexpected " + (NAMES[mid] ?? String(mid)));
    }
    seed_log.push(`served ${served} blocks, ${cancelled} cancel`);
  }
}

const t = seeder(2);

const bad = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
await bad.sendall(handshake(new Uint8Array(20).fill(1), b("-LC0001-badbadbadbad")));
print("wrong torrent:", await bad.recv(68));
bad.close();

const s = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
await s.sendall(handshake(INFO_HASH, b("-LC0001-leecherleech")));
const hs = await recv_exactly(s, 68);
print("handshake:", hs[0], hs.subarray(1, 20), beq(hs.subarray(28, 48), INFO_HASH), hs.subarray(48, 56));
let [mid, payload] = await read_msg(s);
print("got", NAMES[mid!], payload[0]!.toString(2).padStart(8, "0"));
const have = PIECES.map((_, i) => Boolean(payload[0]! & (0x80 >> i)));
await send_msg(s);
await send_msg(s, 2);
[mid] = await read_msg(s);
print("got", NAMES[mid!]);
const blocks: [number, number, number][] = [];
PIECES.forEach((p, i) => {
  if (!have[i]) return;
  for (let bg = 0; bg < p.length; bg += BLOCK) blocks.push([i, bg, Math.min(BLOCK, p.length - bg)]);
});
print("blocks to fetch:", blocks.length);
const got = new Map<string, Uint8Array>();
let outstanding = 0;
let nxt = 0;
while (got.size < blocks.length) {
  while (outstanding < 5 && nxt < blocks.length) {
    await send_msg(s, 6, u32(...blocks[nxt]!));
    nxt += 1;
    outstanding += 1;
  }
  [mid, payload] = await read_msg(s);
  if (mid === 7) {
    got.set(`${get32(payload, 0)},${get32(payload, 4)}`, payload.subarray(8));
    outstanding -= 1;
  }
}
const ok: boolean[] = [];
for (let i = 0; i < PIECES.length; i++) {
  const parts: Uint8Array[] = [];
  for (let bg = 0; bg < PIECES[i]!.length; bg += BLOCK) parts.push(got.get(`${i},${bg}`)!);
  ok.push(beq(sha1(bjoin(parts)), HASHES[i]!));
  await send_msg(s, 4, u32(i));
}
print(
  "pieces verified:",
  `[${ok.map((x) => x ? "True" : "False").join(", ")}]`,
  "bytes:",
  [...got.values()].reduce((n, v) => n + v.length, 0),
);
await send_msg(s, 8, u32(0, 0, BLOCK));
await s.shutdown(socket.SHUT_WR);
print("after shutdown:", await s.recv(10));
s.close();
await t;
lsock.close();
print("seeder:", `[${seed_log.map((x) => repr(x)).join(", ")}]`);
