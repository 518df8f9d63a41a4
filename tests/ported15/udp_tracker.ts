// Port of udp_tracker.py (the tracker thread is a task; struct.pack/unpack are pack()/unpack() below, big-endian,
// with Q as a bigint; "%#x" is "0x" + toString(16); the swarms are Maps keyed by the hex of the info hash and the
// peer id's text; int.from_bytes(b, "big") is a DataView read).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, beq, bjoin, join, list, print, repr } from "../ported/_py.ts";

const MAGIC = 0x41727101980n;
const HASH_A = Uint8Array.from({ length: 20 }, (_, i) => i);
const HASH_B = Uint8Array.from({ length: 20 }, (_, i) => 100 + i);
const log: string[] = [];

type Val = number | bigint | Uint8Array;

/** The items of a struct format such as ">20s20sQQQIIIiH": [code, count]. */
function items(fmt: string): [string, number][] {
  const out: [string, number][] = [];
  for (const m of fmt.replace(/^[>!]/, "").matchAll(/(\d*)([QIiHs])/g)) {
    const n = m[1] ? Number(m[1]) : 1;
    if (m[2] === "s") out.push(["s", n]);
    else for (let k = 0; k < n; k++) out.push([m[2]!, 1]);
  }
  return out;
}
const SIZE: Record<string, number> = { Q: 8, I: 4, i: 4, H: 2 };

function pack(fmt: string, ...xs: Val[]): Uint8Array {
  const its = items(fmt);
  const out = new Uint8Array(its.reduce((n, [c, k]) => n + (c === "s" ? k : SIZE[c]!), 0));
  const dv = new DataView(out.buffer);
  let off = 0;
  its.forEach(([c, k], i) => {
    const x = xs[i]!;
    if (c === "s") out.set((x as Uint8Array).subarray(0, k), off);
    else if (c === "Q") dv.setBigUint64(off, x as bigint);
    else if (c === "I") dv.setUint32(off, x as number);
    else if (c === "i") dv.setInt32(off, x as number);
    else dv.setUint16(off, x as number);
    off += c === "s" ? k : SIZE[c]!;
  });
  return out;
}

function unpack(fmt: string, x: Uint8Array): Val[] {
  const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
  let off = 0;
  return items(fmt).map(([c, k]) => {
    let v: Val;
    if (c === "s") v = x.slice(off, off + k);
    else if (c === "Q") v = dv.getBigUint64(off);
    else if (c === "I") v = dv.getUint32(off);
    else if (c === "i") v = dv.getInt32(off);
    else v = dv.getUint16(off);
    off += c === "s" ? k : SIZE[c]!;
    return v;
  });
}

const hex = (x: number | bigint) => "0x" + x.toString(16);
const hkey = (x: Uint8Array) => [...x].map((c) => c.toString(16).padStart(2, "0")).join("");
const ljust = (x: Uint8Array, n: number, fill: number) => {
  const out = new Uint8Array(Math.max(n, x.length)).fill(fill);
  out.set(x);
  return out;
};

class Tracker {
  conn_ids = new Set<bigint>();
  next_cid = 0x1122334455667700n;
  swarms = new Map<string, Map<string, [string, number, bigint]>>(); // info_hash -> {peer_id: (ip, port, left)}
  completed = new Map<string, number>();
  announces = 0;
  scrapes = 0;

  constructor(public sock: Socket) {}

  async error(tid: number, text: Uint8Array, addr: unknown) {
    await this.sock.sendto(bjoin([pack(">II", 3, tid), text]), addr as [string, number]);
  }

  async run() {
    this.sock.settimeout(5);
    while (true) {
      const [data, addr] = await this.sock.recvfrom(2048) as [Uint8Array, [string, number]];
      if (beq(data, b("stop"))) return;
      if (data.length < 16) {
        log.push(`tracker: ${data.length}-byte packet`);
        await this.sock.sendto(bjoin([pack(">II", 3, 0), b("packet too short")]), addr);
        continue;
      }
      const [cid, action, tid] = unpack(">QII", data.subarray(0, 16)) as [bigint, number, number];
      if (action === 0) {
        if (cid !== MAGIC) {
          await this.error(tid, b("bad protocol id"), addr);
          continue;
        }
        this.next_cid += 1n;
        this.conn_ids.add(this.next_cid);
        await this.sock.sendto(pack(">IIQ", 0, tid, this.next_cid), addr);
      } else if (!this.conn_ids.has(cid)) {
        log.push(`tracker: unknown connection id ${hex(cid)}`);
        await this.error(tid, b("connection id mismatch"), addr);
      } else if (action === 1) {
        this.announces += 1;
        if (this.announces === 1) {
          log.push("tracker: dropped the first announce");
          continue;
        }
        const [info_hash, peer_id, _downloaded, left, _uploaded, event, _ip, _key, num_want, port] = unpack(
          ">20s20sQQQIIIiH",
          data.subarray(16, 98),
        ) as [Uint8Array, Uint8Array, bigint, bigint, bigint, number, number, number, number, number];
        const h = hkey(info_hash);
        const pid = new TextDecoder().decode(peer_id);
        if (!this.swarms.has(h)) this.swarms.set(h, new Map());
        const swarm = this.swarms.get(h)!;
        if (event === 1) this.completed.set(h, (this.completed.get(h) ?? 0) + 1); // completed
        if (event === 3) swarm.delete(pid); // stopped
        else swarm.set(pid, [addr[0], port, left]);
        let others = [...swarm].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).filter(([k]) => k !== pid).map((
          [, p],
        ) => p);
        if (num_want >= 0) others = others.slice(0, num_want);
        const seeders = [...swarm.values()].filter((p) => p[2] === 0n).length;
        const reply = bjoin([
          pack(">IIIII", 1, tid, 1800, swarm.size - seeders, seeders),
          ...others.map(([ip_, port_]) => bjoin([socket.inet_aton(ip_), pack(">H", port_)])),
        ]);
        await this.sock.sendto(reply, addr);
      } else if (action === 2) {
        this.scrapes += 1;
        const rows: Uint8Array[] = [pack(">II", 2, tid)];
        for (let i = 16; i < data.length; i += 20) {
          const h = hkey(data.subarray(i, i + 20));
          const swarm = this.swarms.get(h) ?? new Map();
          const seeders = [...swarm.values()].filter((p) => p[2] === 0n).length;
          rows.push(pack(">III", seeders, this.completed.get(h) ?? 0, swarm.size - seeders));
        }
        const reply = bjoin(rows);
        if (this.scrapes === 1) {
          await this.sock.sendto(bjoin([pack(">II", 2, tid ^ 0xFFFF), reply.subarray(8)]), addr);
        }
        await this.sock.sendto(reply, addr);
      } else {
        await this.error(tid, b("unknown action"), addr);
      }
    }
  }
}

class Client {
  sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  tid: number;
  cid: bigint | null = null;

  constructor(public addr: [string, number], public name: string) {
    this.sock.settimeout(0.3);
    this.tid = new DataView(ljust(b(name).subarray(0, 4), 4, 0x2e).buffer).getUint32(0);
  }

  async request(action: number, body: Uint8Array, cid: bigint | null = null): Promise<[number, Uint8Array, number]> {
    this.tid = (this.tid + 1) >>> 0;
    const tid = this.tid;
    const packet = bjoin([pack(">QII", cid === null ? MAGIC : cid, action, tid), body]);
    for (let attempt = 0; attempt < 4; attempt++) {
      await this.sock.sendto(packet, this.addr);
      try {
        while (true) {
          const [data] = await this.sock.recvfrom(2048);
          const [raction, rtid] = unpack(">II", data.subarray(0, 8)) as [number, number];
          if (rtid === tid) return [raction, data.subarray(8), attempt];
          print(`  ${this.name}: ignored a reply with transaction id ${hex(rtid)}`);
        }
      } catch (e) {
        if (!(e instanceof socket.TimeoutError)) throw e;
        print(`  ${this.name}: no reply to action ${action}, attempt ${attempt}`);
      }
    }
    throw new socket.TimeoutError("tracker does not answer");
  }

  async connect() {
    const [, body] = await this.request(0, new Uint8Array(0));
    this.cid = unpack(">Q", body)[0] as bigint;
    print(`${this.name}: connected, connection id ${hex(this.cid)}`);
  }

  async announce(info_hash: Uint8Array, left: number, event: number, port: number, num_want = -1) {
    const body = pack(
      ">20s20sQQQIIIiH",
      info_hash,
      ljust(b(this.name), 20, 0x2d),
      0n,
      BigInt(left),
      0n,
      event,
      0,
      0x1234,
      num_want,
      port,
    );
    const [, reply, attempt] = await this.request(1, body, this.cid);
    const [interval, leechers, seeders] = unpack(">III", reply.subarray(0, 12));
    const peers = list<[string, number]>([]);
    for (let i = 12; i < reply.length; i += 6) {
      peers.push([socket.inet_ntoa(reply.subarray(i, i + 4)), unpack(">H", reply.subarray(i + 4, i + 6))[0] as number]);
    }
    print(
      `${this.name}: announce event ${event} (attempt ${attempt}): interval ${interval}, ${leechers} leechers, ` +
        `${seeders} seeders, peers ${repr(peers)}`,
    );
  }

  async scrape(...hashes: Uint8Array[]) {
    const [, reply] = await this.request(2, bjoin(hashes), this.cid);
    const rows = list<Val[]>([]);
    for (let i = 0; i < reply.length; i += 12) rows.push(unpack(">III", reply.subarray(i, i + 12)));
    print(`${this.name}: scrape ${repr(rows)}`);
  }
}

const tsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
tsock.bind(["127.0.0.1", 0]);
const taddr = tsock.getsockname() as [string, number];
const tracker = new Tracker(tsock);
const tt = tracker.run();

const [alice, bob, carol] = [new Client(taddr, "alice"), new Client(taddr, "bob"), new Client(taddr, "carol")];
for (const c of [alice, bob, carol]) await c.connect();
await alice.announce(HASH_A, 0, 2, 6881);
await bob.announce(HASH_A, 5000, 2, 6882);
await carol.announce(HASH_A, 9000, 2, 6883, 1);
await carol.announce(HASH_B, 0, 2, 7000);
await bob.announce(HASH_A, 0, 1, 6882);
await alice.scrape(HASH_A, HASH_B, new Uint8Array(20));
await carol.announce(HASH_A, 9000, 3, 6883);
await alice.scrape(HASH_A);

// a connection id the tracker never gave, an unknown action, a packet too short
const mallory = new Client(taddr, "mallory");
let [action, body] = await mallory.request(1, new Uint8Array(82), 0xDEADBEEFn);
print(`mallory: forged connection id -> action ${action} ${repr(body)}`);
await mallory.connect();
[action, body] = await mallory.request(9, new Uint8Array(0), mallory.cid);
print(`mallory: action 9 -> action ${action} ${repr(body)}`);
await mallory.sock.sendto(new Uint8Array(10), taddr);
print("mallory: 10 bytes ->", (await mallory.sock.recvfrom(100))[0]);

await alice.sock.sendto(b("stop"), taddr);
await join(tt, 5);
for (const c of [alice, bob, carol, mallory]) c.sock.close();
tsock.close();
for (const line of log) print(line);
