// Port of udp_gbn.py (the relay and receiver threads are tasks; struct.pack("!I") is a DataView; sets of tuples
// are sets of strings; addr == sock.getsockname() compares by repr(); zlib.crc32 is node:zlib's).
import { crc32 } from "node:zlib";
import * as socket from "../../mod.ts";
import type { Address } from "../../mod.ts";
import { b, beq, bjoin, list, print, repr } from "../ported/_py.ts";

const DATA = Uint8Array.from({ length: 2000 }, (_, i) => (i * 37 + 11) % 256);
const CHUNK = 100;
const packets: Uint8Array[] = [];
for (let i = 0; i < DATA.length; i += CHUNK) packets.push(DATA.subarray(i, i + CHUNK));
const END = packets.length;
const WINDOW = 4;
const TIMEOUT = 0.3;
const DROP_DATA = new Set([3, 11]);
const DROP_ACK = new Set([15]);

const u32 = (n: number) => {
  const x = new Uint8Array(4);
  new DataView(x.buffer).setUint32(0, n);
  return x;
};
const get_u32 = (x: Uint8Array, at: number) => new DataView(x.buffer, x.byteOffset).getUint32(at);
const now = () => performance.now() / 1000;

function udp() {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  return s;
}

const [snd, rly, rcv] = [udp(), udp(), udp()];
let stop = false;
const drops: [string, number][] = [];

async function relay() {
  rly.settimeout(0.05);
  const seen = new Set<string>();
  while (!stop) {
    let pkt: Uint8Array, addr: Address | null;
    try {
      [pkt, addr] = await rly.recvfrom(2048);
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    if (repr(addr) === repr(snd.getsockname())) {
      const seq = get_u32(pkt, 0);
      const key = `data ${seq}`;
      if (DROP_DATA.has(seq) && !seen.has(key)) {
        seen.add(key);
        drops.push(["data", seq]);
        continue;
      }
      await rly.sendto(pkt, rcv.getsockname());
    } else {
      const seq = get_u32(pkt, 1);
      const key = `ack ${seq}`;
      if (DROP_ACK.has(seq) && !seen.has(key)) {
        seen.add(key);
        drops.push(["ack", seq]);
        continue;
      }
      await rly.sendto(pkt, snd.getsockname());
    }
  }
}

const got: Uint8Array[] = [];
let out_of_order = 0;

async function receiver() {
  rcv.settimeout(5);
  let expected = 0;
  while (true) {
    const [pkt, addr] = await rcv.recvfrom(2048);
    const seq = get_u32(pkt, 0);
    if (seq === expected) {
      if (seq === END) {
        await rcv.sendto(bjoin([b("A"), u32(seq)]), addr);
        return;
      }
      got.push(pkt.slice(4));
      expected += 1;
    } else {
      out_of_order += 1;
    }
    if (expected) await rcv.sendto(bjoin([b("A"), u32(expected - 1)]), addr);
  }
}

const threads = [relay(), receiver()];

let base = 0;
let nxt = 0;
let sent = 0;
let resent = 0;
let dup_acks = 0;
let timer = 0;
const deadline = now() + 15;
const total = END + 1;

async function send(seq: number) {
  const payload = seq < END ? packets[seq]! : new Uint8Array(0);
  await snd.sendto(bjoin([u32(seq), payload]), rly.getsockname());
}

while (base < total && now() < deadline) {
  while (nxt < base + WINDOW && nxt < total) {
    await send(nxt);
    sent += 1;
    if (base === nxt) timer = now();
    nxt += 1;
  }
  snd.settimeout(Math.max(0.001, timer + TIMEOUT - now()));
  let pkt: Uint8Array;
  try {
    [pkt] = await snd.recvfrom(64);
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    for (let seq = base; seq < nxt; seq++) {
      await send(seq);
      resent += 1;
    }
    timer = now();
    continue;
  }
  const ack = get_u32(pkt, 1);
  if (ack < base) {
    dup_acks += 1;
    continue;
  }
  base = ack + 1;
  if (base < nxt) timer = now();
}

stop = true;
await Promise.all(threads);
for (const s of [snd, rly, rcv]) s.close();
const data = bjoin(got);
print(
  "delivered",
  data.length,
  "bytes in",
  got.length,
  "packets; intact:",
  beq(data, DATA),
  "0x" + crc32(data).toString(16),
);
print("sent", sent, "resent", resent, "duplicate acks", dup_acks, "out of order at the receiver", out_of_order);
print("drops", list(drops));
