// Port of selector_churn.py (the mapping's m[x] is m.get(x)! and `x in m` is m.has(x); KeyError comes from the
// selectors module; ValueError is RangeError; Python's set of clients is a Set; `assert` is a thrown Error).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, decode, list, print } from "../ported/_py.ts";

class Client {
  inb = new Uint8Array(0);
  outb = new Uint8Array(0);
  name: string;
  constructor(public conn: Socket, n: number) {
    this.name = `c${n}`;
  }
}

const sel = new selectors.DefaultSelector<Client | null>();
const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.setblocking(false);
sel.register(lsock, selectors.EVENT_READ, null);
const topics = new Map<string, Set<Client>>();
const stats = { modify_on: 0, modify_off: 0, same_key: 0 };

function want_write(c: Client, on: boolean) {
  const key = sel.get_key(c.conn);
  const events = selectors.EVENT_READ | (on ? selectors.EVENT_WRITE : 0);
  if (key.events !== events) {
    const nkey = sel.modify(c.conn, events, c);
    stats[on ? "modify_on" : "modify_off"] += 1;
    stats.same_key += nkey === sel.get_key(c.conn) ? 1 : 0;
  }
}

function drop(c: Client, why: string) {
  print("drop", c.name, why);
  sel.unregister(c.conn);
  c.conn.close();
  for (const subs of topics.values()) subs.delete(c);
}

const accepted: Client[] = [];

const partition = (s: string) => {
  const i = s.indexOf(" ");
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
};

async function pump(until: () => boolean, limit = 400): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    if (until()) return true;
    for (const [key, mask] of await sel.select(0.05)) {
      if (key.data === null) {
        const [conn] = await lsock.accept();
        conn.setblocking(false);
        const c = new Client(conn, accepted.length);
        accepted.push(c);
        sel.register(conn, selectors.EVENT_READ, c);
        continue;
      }
      const c = key.data;
      if (mask & selectors.EVENT_READ) {
        const data = await c.conn.recv(4096);
        if (!data.length) {
          drop(c, "EOF");
          continue;
        }
        c.inb = bjoin([c.inb, data]);
        while (c.inb.includes(10)) {
          const nl = c.inb.indexOf(10);
          const line = decode(c.inb.subarray(0, nl));
          c.inb = c.inb.subarray(nl + 1);
          const [verb, rest] = partition(line) as [string, string];
          if (verb === "SUB") {
            if (!topics.has(rest)) topics.set(rest, new Set());
            topics.get(rest)!.add(c);
          } else if (verb === "UNSUB") topics.get(rest)?.delete(c);
          else if (verb === "PUB") {
            const [topic, msg] = partition(rest) as [string, string];
            for (const sub of [...topics.get(topic) ?? []].sort((x, y) => x.name < y.name ? -1 : 1)) {
              sub.outb = bjoin([sub.outb, b(`${topic}: ${msg}\n`)]);
              want_write(sub, true);
            }
          } else if (verb === "KICK") {
            const victim = accepted.find((x) => x.name === rest)!;
            drop(victim, "kicked");
          }
        }
      }
      if (mask & selectors.EVENT_WRITE && c.outb.length) {
        const n = await c.conn.send(c.outb);
        c.outb = c.outb.subarray(n);
        if (!c.outb.length) want_write(c, false);
      }
    }
  }
  return until();
}

const clients: Socket[] = [];
for (let i = 0; i < 3; i++) {
  const s = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
  clients.push(s);
  await pump(() => accepted.length === i + 1);
}
print("registered:", sel.get_map()!.size, "accepted:", list(accepted.map((c) => c.name)));

const say = (i: number, line: string) => clients[i]!.sendall(b(line + "\n"));

async function heard(i: number, n: number): Promise<string[]> {
  let buf = new Uint8Array(0);
  while (buf.filter((c) => c === 10).length < n) {
    await pump(() => false, 2);
    clients[i]!.settimeout(0.05);
    try {
      buf = bjoin([buf, await clients[i]!.recv(4096)]);
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
    }
  }
  return decode(buf).split("\n").slice(0, -1);
}

await say(0, "SUB news");
await say(1, "SUB news");
await say(2, "SUB sport");
await pump(() => [...topics.values()].reduce((n, v) => n + v.size, 0) === 3);
for (let round = 0; round < 20; round++) {
  await say(2, `PUB news item${round}`);
  for (const i of [0, 1]) {
    const h = await heard(i, 1);
    if (h.length !== 1 || h[0] !== `news: item${round}`) throw new Error("AssertionError");
  }
}
print(
  "20 rounds:",
  `{'modify_on': ${stats.modify_on}, 'modify_off': ${stats.modify_off}, 'same_key': ${stats.same_key}}`,
);
await say(1, "UNSUB news");
await say(0, "PUB sport goal");
print("c2 heard:", list(await heard(2, 1)));
await say(0, "PUB news solo");
print("c0 heard:", list(await heard(0, 1)));
await say(0, "KICK c1");
await pump(() => sel.get_map()!.size === 3);
print("c1 reads:", await clients[1]!.recv(100));

// The mistakes.
const victim = accepted[2]!;
victim.conn.close();
const key = sel.get_key(victim.conn);
print("get_key of a closed socket:", key.data === victim, key.fd > 0, victim.conn.fileno());
sel.unregister(victim.conn);
print("unregister after close: ok, registered", sel.get_map()!.size);
try {
  sel.register(victim.conn, selectors.EVENT_READ);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("register a closed socket:", "ValueError", e.message);
}
const c0 = accepted[0]!.conn;
try {
  sel.register(c0, selectors.EVENT_READ);
} catch (e) {
  if (!(e instanceof selectors.KeyError)) throw e;
  print("register twice:", e.name);
}
const spare = socket.socket();
try {
  sel.modify(spare, selectors.EVENT_READ);
} catch (e) {
  if (!(e instanceof selectors.KeyError)) throw e;
  print("modify an unregistered socket:", e.name);
}
try {
  sel.unregister(spare);
} catch (e) {
  if (!(e instanceof selectors.KeyError)) throw e;
  print("unregister an unregistered socket:", e.name);
}
try {
  sel.register(spare, 0);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("events 0:", "ValueError", e.message);
}
const m = sel.get_map()!;
print(
  "map by socket:",
  m.get(c0)!.data!.name,
  "by number:",
  m.get(c0.fileno())!.data!.name,
  "in:",
  m.has(c0),
  m.has(spare),
);
print("select(0) with nothing ready:", list(await sel.select(0)));
spare.close();
sel.close();
print("closed selector map:", sel.get_map());
try {
  sel.get_key(c0);
} catch (e) {
  if (!(e instanceof Error) || e.name !== "RuntimeError") throw e;
  print("get_key on a closed selector:", e.name, e.message);
}
for (const c of accepted) c.conn.close();
for (const s of clients) s.close();
lsock.close();
