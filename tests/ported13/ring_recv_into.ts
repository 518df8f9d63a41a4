// Port of ring_recv_into.py (the sender thread is a task; the ring is a Uint8Array and its memoryview slices are
// subarray() views of it; struct.pack(">H") is two bytes written by hand; zlib.crc32 with a running value is a
// small CRC-32; the module-level globals are `let`s; ValueError is RangeError).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, print } from "../ported/_py.ts";

const RING = 64;
const ring = new Uint8Array(RING);
const view = ring.subarray(0);

function crc32(data: Uint8Array, c = 0): number {
  c = ~c;
  for (const x of data) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

async function sender(s: Socket) {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    const payload = new Uint8Array(i % 40).map((_, k) => (i * 13 + k) & 0xff);
    parts.push(new Uint8Array([payload.length >> 8, payload.length & 0xff]), payload);
  }
  const stream = bjoin(parts);
  let pos = 0;
  let step = 1;
  while (pos < stream.length) {
    await s.sendall(stream.subarray(pos, pos + step));
    pos += step;
    step = step % 13 + 1;
  }
  await s.shutdown(socket.SHUT_WR);
}

const [a, bs] = await socket.socketpair();
bs.settimeout(5);
const t = sender(a);
let head = 0; // where the next unread byte is
let fill = 0; // bytes in the ring
let frames = 0;
let crc = 0;
const lengths = new Set<number>();

function take(n: number): Uint8Array {
  const out = head + n <= RING ? ring.slice(head, head + n) : bjoin([ring.slice(head), ring.slice(0, head + n - RING)]);
  head = (head + n) % RING;
  fill -= n;
  return out;
}

let eof = false;
for (let i = 0; i < 100000; i++) {
  while (fill >= 2) {
    const n = (ring[head]! << 8) | ring[(head + 1) % RING]!;
    if (fill < 2 + n) break;
    take(2);
    const payload = take(n);
    frames += 1;
    crc = crc32(payload, crc);
    lengths.add(n);
  }
  if (eof) break;
  const tail = (head + fill) % RING;
  const room = Math.min(RING - fill, RING - tail);
  const got = await bs.recv_into(view.subarray(tail), room);
  if (got === 0) eof = true;
  fill += got;
}
await t;
print("frames", frames, "crc " + crc.toString(16).padStart(8, "0"), "lengths", lengths.size, "left", fill);
for (const nbytes of [8, -1]) {
  try {
    await bs.recv_into(new Uint8Array(4), nbytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    print("ValueError:", e.message);
  }
}
const [a2, b2] = await socket.socketpair();
b2.settimeout(5);
await a2.sendall(b("peekaboo"));
const buf = new Uint8Array(16);
let n = await b2.recv_into(buf, 4, socket.MSG_PEEK);
print("peeked", n, buf.slice(0, n));
n = await b2.recv_into(buf.subarray(2), 0);
print("nbytes=0 reads", n, buf.slice());
await a2.sendall(b("XY"));
n = await b2.recv_into(buf.subarray(8));
print("then", n, buf.slice());
for (const s of [a, bs, a2, b2]) s.close();
