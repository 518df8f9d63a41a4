// Port of statsd_graphite.py (the statsd loop and each handle_request() thread are tasks; float() is pyfloat(),
// which raises RangeError (Python's ValueError) where float() would; dicts are Maps and set() a Set; "%.2f" is
// toFixed(2)).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { StreamRequestHandler, TCPServer } from "../../socketserver.ts";
import { b, decode, join, print } from "../ported/_py.ts";

const FLUSH_SECONDS = 10;
const received: string[][] = [];

class GraphiteHandler extends StreamRequestHandler {
  override async handle() {
    const lines: string[] = [];
    for await (const line of this.rfile) lines.push(decode(line as Uint8Array).replace(/\n$/, ""));
    received.push(lines);
  }
}

const fmt = (v: number) => v.toFixed(2);

/** float(text): a RangeError (Python's ValueError) for what float() refuses. */
function pyfloat(text: string): number {
  const v = Number(text);
  if (text.trim() === "" || Number.isNaN(v)) throw new RangeError(`could not convert string to float: '${text}'`);
  return v;
}

class Statsd {
  bad = 0;
  flushes = 0;
  counters = new Map<string, number>();
  timers = new Map<string, number[]>();
  sets = new Map<string, Set<string>>();
  gauges = new Map<string, number>();

  constructor(public sock: Socket, public graphite_addr: [string, number]) {}

  reset() {
    this.counters = new Map();
    this.timers = new Map();
    this.sets = new Map();
  }

  line(text: string) {
    try {
      const i = text.indexOf(":");
      const [name, rest] = i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
      const fields = rest.split("|");
      const [value, kind] = [fields[0]!, fields[1]];
      const rate = fields.length > 2 && fields[2]!.startsWith("@") ? pyfloat(fields[2]!.slice(1)) : 1.0;
      if (!name || kind === undefined || !["c", "g", "ms", "s"].includes(kind)) throw new RangeError(text);
      if (kind === "c") {
        this.counters.set(name, (this.counters.get(name) ?? 0) + pyfloat(value) / rate);
      } else if (kind === "g") {
        if ("+-".includes(value[0]!)) this.gauges.set(name, (this.gauges.get(name) ?? 0) + pyfloat(value));
        else this.gauges.set(name, pyfloat(value));
      } else if (kind === "ms") {
        if (!this.timers.has(name)) this.timers.set(name, []);
        this.timers.get(name)!.push(pyfloat(value));
      } else {
        if (!this.sets.has(name)) this.sets.set(name, new Set());
        this.sets.get(name)!.add(value);
      }
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.bad += 1;
    }
  }

  async flush(): Promise<number> {
    this.flushes += 1;
    const ts = 1700000000 + this.flushes * FLUSH_SECONDS;
    const out: string[] = [];
    for (const [name, v] of this.counters) {
      out.push(`stats.${name}.count ${fmt(v)} ${ts}`);
      out.push(`stats.${name}.rate ${fmt(v / FLUSH_SECONDS)} ${ts}`);
    }
    for (const [name, v] of this.gauges) out.push(`stats.gauges.${name} ${fmt(v)} ${ts}`);
    for (const [name, unsorted] of this.timers) {
      const vs = [...unsorted].sort((x, y) => x - y);
      const p90 = vs[Math.max(0, Math.ceil(0.9 * vs.length) - 1)]!;
      const sum = vs.reduce((s, x) => s + x, 0);
      const rows: [string, number][] = [
        ["count", vs.length],
        ["lower", vs[0]!],
        ["upper", vs.at(-1)!],
        ["mean", sum / vs.length],
        ["sum", sum],
        ["upper_90", p90],
      ];
      for (const [key, v] of rows) out.push(`stats.timers.${name}.${key} ${fmt(v)} ${ts}`);
    }
    for (const [name, vs] of this.sets) out.push(`stats.sets.${name}.count ${vs.size} ${ts}`);
    out.push(`stats.statsd.bad_lines ${this.bad} ${ts}`);
    {
      using g = await socket.create_connection(this.graphite_addr, { timeout: 5 });
      await g.sendall(b(out.map((line) => line + "\n").join("")));
    }
    this.reset();
    this.bad = 0;
    return out.length;
  }

  async run() {
    this.sock.settimeout(5);
    while (true) {
      const [data, addr] = await this.sock.recvfrom(2048);
      const text = decode(data);
      if (text === "flush") {
        await this.sock.sendto(b(`flushed ${await this.flush()}`), addr);
      } else if (text === "quit") {
        await this.sock.sendto(b("bye"), addr);
        return;
      } else {
        for (const line of text.split("\n")) if (line) this.line(line);
      }
    }
  }
}

{
  await using graphite = new TCPServer(["127.0.0.1", 0], GraphiteHandler);
  using usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  graphite.timeout = 5;
  usock.bind(["127.0.0.1", 0]);
  const statsd = new Statsd(usock, graphite.server_address as [string, number]);
  const st = statsd.run();

  const client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  client.settimeout(5);
  await client.connect(usock.getsockname());
  const batches = [
    ["api.hits:1|c", "api.hits:1|c", "api.hits:3|c"],
    ["api.hits:1|c|@0.1", "db.query:12|ms", "db.query:30|ms", "db.query:7|ms"],
    ["queue.depth:40|g", "queue.depth:-5|g", "queue.depth:+12|g"],
    ["users:alice|s", "users:bob|s", "users:alice|s"],
    ["nonsense", "x:1|q", ":5|c", "api.errors:abc|c", "db.query:21.5|ms"],
    ...Array.from({ length: 6 }, (_, i) => [`db.query:${100 + 13 * i}|ms`]),
  ];
  for (const batch of batches) await client.send(b(batch.join("\n")));
  for (let rnd = 0; rnd < 2; rnd++) {
    const gt = graphite.handle_request();
    await client.send(b("flush"));
    print(`flush ${rnd}:`, await client.recv(100));
    await join(gt, 5);
    for (const line of received.pop()!.sort()) print("  " + line);
    await client.send(b("api.hits:2|c\nqueue.depth:-7|g\ndb.query:5|ms"));
  }
  await client.send(b("quit"));
  print("quit:", await client.recv(100));
  client.close();
  await join(st, 5);
}
