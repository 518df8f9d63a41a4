// Port of rpc_partial.py (threads are tasks; threading.Event is a flag; struct "!I" is a DataView;
// json.dumps is pyjson() below (Python's ", " separators and \u escapes); memoryview slices are subarray();
// time.sleep is an awaited sleep).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { b, beq, bjoin, print, repr, sleep } from "../ported/_py.ts";

const sha = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("");

function pyjson(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `[${x.map(pyjson).join(", ")}]`;
  if (typeof x === "string") {
    return '"' + [...x].map((ch) => {
      const c = ch.charCodeAt(0);
      if (ch === '"' || ch === "\\") return "\\" + ch;
      return c < 0x20 || c > 0x7e ? "\\u" + c.toString(16).padStart(4, "0") : ch;
    }).join("") + '"';
  }
  if (typeof x === "object") {
    return `{${Object.entries(x as object).map(([k, v]) => `${pyjson(k)}: ${pyjson(v)}`).join(", ")}}`;
  }
  return String(x);
}
const u32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};
const get_u32 = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, 4).getUint32(0);

class Conn {
  inbuf = new Uint8Array(0);
  out: Uint8Array[] = [];
  constructor(public sock: Socket) {}

  async on_read() {
    let data: Uint8Array;
    try {
      data = await this.sock.recv(65536);
    } catch (e) {
      if (!(e instanceof socket.ConnectionResetError)) throw e;
      data = new Uint8Array(0);
    }
    if (!data.length) {
      if (this.out.length) stats.gone.push(true);
      this.close();
      return;
    }
    this.inbuf = bjoin([this.inbuf, data]);
    while (this.inbuf.length >= 4) {
      const n = get_u32(this.inbuf);
      if (this.inbuf.length < 4 + n) break;
      const req = JSON.parse(new TextDecoder().decode(this.inbuf.subarray(4, 4 + n)));
      this.inbuf = this.inbuf.slice(4 + n);
      const reply = answer(req);
      this.out.push(bjoin([u32(reply.length), reply]));
      stats.served += 1;
    }
    this.update();
  }

  async on_write() {
    while (this.out.length) {
      const view = this.out[0]!;
      let sent: number;
      try {
        sent = await this.sock.send(view);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) {
          stats.blocked += 1;
          return;
        }
        if (e instanceof socket.BrokenPipeError || e instanceof socket.ConnectionResetError) {
          stats.gone.push(true);
          this.close();
          return;
        }
        throw e;
      }
      if (sent < view.length) {
        stats.partial += 1;
        this.out[0] = view.subarray(sent);
        return;
      }
      this.out.shift();
    }
    this.update();
  }

  update() {
    sel.modify(this.sock, EVENT_READ | (this.out.length ? EVENT_WRITE : 0), this);
  }

  close() {
    sel.unregister(this.sock);
    this.sock.close();
  }
}

const sel = new DefaultSelector<Conn | null>();
const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen();
lsock.setblocking(false);
const port = (lsock.getsockname() as [string, number])[1];
const stats = { partial: 0, blocked: 0, served: 0, gone: [] as boolean[] };

function blob(n: number, seed: number): Uint8Array {
  const unit = Uint8Array.from({ length: 256 }, (_, i) => (i * seed + 11) % 256);
  const out = new Uint8Array(n);
  for (let i = 0; i + 256 <= n; i += 256) out.set(unit, i);
  return out.subarray(0, Math.floor(n / 256) * 256);
}

interface Req {
  op: string;
  args?: unknown;
}
function answer(req: Req): Uint8Array {
  const op = req.op;
  if (op === "echo") return b(pyjson(req.args));
  if (op === "sum") return b(String((req.args as number[]).reduce((a, x) => a + x, 0)));
  if (op === "blob") return blob(...(req.args as [number, number]));
  return b("error: unknown op " + op);
}

async function serve(stop: { set: boolean }) {
  sel.register(lsock, EVENT_READ, null);
  while (!stop.set) {
    for (const [key, mask] of await sel.select(0.05)) {
      if (key.data === null) {
        const [conn] = await lsock.accept();
        conn.setblocking(false);
        sel.register(conn, EVENT_READ, new Conn(conn));
        continue;
      }
      const c = key.data;
      if (mask & EVENT_READ) await c.on_read();
      if (mask & EVENT_WRITE && c.sock.fileno() !== -1 && c.out.length) await c.on_write();
    }
  }
}

const frame = (obj: unknown) => {
  const body = b(pyjson(obj));
  return bjoin([u32(body.length), body]);
};

async function recv_exact(sock: Socket, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let view = buf.subarray(0);
  while (view.length) {
    const k = await sock.recv_into(view);
    if (!k) throw new Error(`short read: ${n - view.length} of ${n}`);
    view = view.subarray(k);
  }
  return buf;
}

const call_reply = async (sock: Socket) => await recv_exact(sock, get_u32(await recv_exact(sock, 4)));

const stop = { set: false };
const server = serve(stop);

const c = await socket.create_connection(["127.0.0.1", port], 10);
const reqs: Req[] = [
  { op: "echo", args: ["héllo", 1, null] },
  { op: "blob", args: [2 << 20, 3] },
  { op: "sum", args: Array.from({ length: 1000 }, (_, i) => i) },
  { op: "blob", args: [3 << 20, 5] },
  { op: "nope" },
];
await c.sendall(bjoin(reqs.map(frame)));
await sleep(0.3);
for (const r of reqs) {
  const rep = await call_reply(c);
  if (r.op === "blob") {
    print(r.op, rep.length, (await sha(rep)).slice(0, 16), beq(rep, blob(...(r.args as [number, number]))));
  } else print(r.op, rep);
}
const f = frame({ op: "sum", args: [40, 2] });
for (const piece of [f.subarray(0, 2), f.subarray(2, 5), f.subarray(5)]) {
  await c.sendall(piece);
  await sleep(0.05);
}
print("split request:", await call_reply(c));
c.close();

const g = await socket.create_connection(["127.0.0.1", port], 10);
await g.sendall(frame({ op: "blob", args: [16 << 20, 7] }));
await g.recv(1000);
g.close();
const deadline = performance.now() + 10_000;
while (!stats.gone.length && performance.now() < deadline) await sleep(0.05);

const results = new Map<number, [Uint8Array, Uint8Array]>();
async function quick(i: number) {
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  await s.sendall(bjoin([frame({ op: "sum", args: Array(i + 1).fill(i) }), frame({ op: "echo", args: i })]));
  results.set(i, [await call_reply(s), await call_reply(s)]);
}
await Promise.all([0, 1, 2, 3, 4, 5].map(quick));
print("quick clients:", "[" + [0, 1, 2, 3, 4, 5].map((i) => repr(results.get(i))).join(", ") + "]");
// The server unregisters each client once it reads the client's EOF: wait for that (bounded) before stopping it.
{
  const deadline = performance.now() + 10_000;
  while (sel.get_map()!.size > 1 && performance.now() < deadline) await sleep(0.05);
}
stop.set = true;
await server;
lsock.close();
print(
  "served",
  stats.served,
  "partial sends seen:",
  stats.partial > 0,
  "gone:",
  "[" + stats.gone.map((x) => x ? "True" : "False").join(", ") + "]",
  "open keys:",
  sel.get_map()!.size,
);
