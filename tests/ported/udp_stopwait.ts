// Port of udp_stopwait.py (threads are tasks; struct '!IB' is a DataView; hashlib is WebCrypto).
import * as socket from "../../mod.ts";
import { bjoin, decode, join, print } from "./_py.ts";

const DATA = new Uint8Array(60000).map((_, i) => (i * 7 + 3) % 251);
const CHUNK = 1000;
const HDR_SIZE = 5; // struct.Struct("!IB")
const pack = (seq: number, last: number) => {
  const out = new Uint8Array(HDR_SIZE);
  new DataView(out.buffer).setUint32(0, seq);
  out[4] = last;
  return out;
};
const unpack = (pkt: Uint8Array): [number, number] => [
  new DataView(pkt.buffer, pkt.byteOffset).getUint32(0),
  pkt[4]!,
];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
receiver.bind(["127.0.0.1", 0]);
const relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
relay.bind(["127.0.0.1", 0]);
const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
sender.bind(["127.0.0.1", 0]);
const stats = { relayed: 0, dropped: 0, duplicated: 0, retransmits: 0, dup_data: 0 };

async function run_relay() {
  relay.settimeout(2);
  let n = 0;
  while (true) {
    let data: Uint8Array, addr: socket.Address | null;
    try {
      [data, addr] = await relay.recvfrom(2048);
    } catch (e) {
      if (e instanceof socket.timeout) return;
      throw e;
    }
    if (decode(data) === "STOP") {
      return;
    }
    n += 1;
    const dest = same(addr, sender.getsockname()) ? receiver.getsockname() : sender.getsockname();
    if (n % 4 === 0) {
      stats.dropped += 1;
      continue;
    }
    await relay.sendto(data, dest);
    stats.relayed += 1;
    if (n % 5 === 0) {
      await relay.sendto(data, dest);
      stats.duplicated += 1;
    }
  }
}

const got: Uint8Array[] = [];

async function run_receiver() {
  let expected = 0;
  receiver.settimeout(5);
  while (true) {
    const [pkt] = await receiver.recvfrom(2048);
    const [seq, last] = unpack(pkt);
    if (seq === expected) {
      got.push(pkt.subarray(HDR_SIZE));
      expected += 1;
    } else {
      stats.dup_data += 1;
    }
    await receiver.sendto(pack(seq, last), relay.getsockname());
    if (last && seq === expected - 1) {
      // linger a little for a retransmitted last packet whose ACK was lost
      receiver.settimeout(0.5);
      try {
        while (true) {
          const [p] = await receiver.recvfrom(2048);
          const [s, l] = unpack(p);
          await receiver.sendto(pack(s, l), relay.getsockname());
        }
      } catch (e) {
        if (e instanceof socket.timeout) return;
        throw e;
      }
    }
  }
}

const threads = [run_relay(), run_receiver()];
sender.settimeout(0.1);
const chunks: Uint8Array[] = [];
for (let i = 0; i < DATA.length; i += CHUNK) chunks.push(DATA.subarray(i, i + CHUNK));
for (const [seq, chunk] of chunks.entries()) {
  const last = seq === chunks.length - 1 ? 1 : 0;
  const pkt = bjoin([pack(seq, last), chunk]);
  while (true) {
    await sender.sendto(pkt, relay.getsockname());
    try {
      while (true) {
        const [ack] = await sender.recvfrom(2048);
        if (unpack(ack)[0] === seq) {
          break;
        }
      }
      break;
    } catch (e) {
      if (!(e instanceof socket.timeout)) throw e;
      stats.retransmits += 1;
    }
  }
}
await join(threads[1]!, 10);
await sender.sendto(new TextEncoder().encode("STOP"), relay.getsockname());
await join(threads[0]!, 10);
const whole = bjoin(got);
const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", whole));
const hex = [...digest].map((x) => x.toString(16).padStart(2, "0")).join("").slice(0, 16);
const equal = whole.length === DATA.length && whole.every((x, i) => x === DATA[i]);
print("chunks", chunks.length, "delivered", got.length, "same", equal, hex);
print("relay dropped some", stats.dropped > 0, "duplicated some", stats.duplicated > 0);
print("sender retransmitted", stats.retransmits > 0, "receiver saw duplicates", stats.dup_data > 0);
for (const s of [sender, relay, receiver]) {
  s.close();
}
