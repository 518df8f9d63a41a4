// Port of resp_poll_pipeline.py (select.poll() and its POLL* constants come from selectors.ts; the server thread
// is a task; bytes formatting is template strings over latin-1-free ASCII plus the raw values joined with bjoin;
// the store holds bytes or a list; EOFError is a class of the port's own; Python lists print through list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { poll, POLLHUP, POLLIN, POLLOUT } from "../../selectors.ts";
import { b, bjoin, decode, list, print } from "../ported/_py.ts";

type Value = Uint8Array | Uint8Array[];
const store = new Map<string, Value>(); // keys as latin-1 strings of the key bytes
const k = (x: Uint8Array) => String.fromCharCode(...x);

function find(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return i;
  return -1;
}

/** One command from buf: [args, consumed] or [null, 0] if incomplete. */
function parse(buf: Uint8Array): [Uint8Array[] | null, number] {
  if (buf[0] !== 0x2a) return [null, 0];
  let nl = find(buf, 0);
  if (nl < 0) return [null, 0];
  const n = Number(decode(buf.subarray(1, nl)));
  let pos = nl + 2;
  const args: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    nl = find(buf, pos);
    if (nl < 0) return [null, 0];
    const ln = Number(decode(buf.subarray(pos + 1, nl)));
    if (buf.length < nl + 2 + ln + 2) return [null, 0];
    args.push(buf.slice(nl + 2, nl + 2 + ln));
    pos = nl + 2 + ln + 2;
  }
  return [args, pos];
}

const bulk = (v: Uint8Array | null) => v === null ? b("$-1\r\n") : bjoin([b(`$${v.length}\r\n`), v, b("\r\n")]);

function execute(args: Uint8Array[]): Uint8Array {
  const cmd = decode(args[0]!).toUpperCase();
  if (cmd === "SET") {
    store.set(k(args[1]!), args[2]!);
    return b("+OK\r\n");
  }
  if (cmd === "GET") {
    const v = store.get(k(args[1]!)) ?? null;
    if (Array.isArray(v)) return b("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    return bulk(v === null || v.length < 100 ? v : b(`<${v.length} bytes>`));
  }
  if (cmd === "INCR" || cmd === "INCRBY") {
    const v = store.get(k(args[1]!)) ?? b("0");
    if (Array.isArray(v) || !/^-*\d+$/.test(decode(v))) return b("-ERR value is not an integer or out of range\r\n");
    const n = Number(decode(v)) + (cmd === "INCRBY" ? Number(decode(args[2]!)) : 1);
    store.set(k(args[1]!), b(`${n}`));
    return b(`:${n}\r\n`);
  }
  if (cmd === "DEL") {
    let n = 0;
    for (const key of args.slice(1)) if (store.delete(k(key))) n++;
    return b(`:${n}\r\n`);
  }
  if (cmd === "EXISTS") return b(`:${args.slice(1).filter((key) => store.has(k(key))).length}\r\n`);
  if (cmd === "LPUSH") {
    if (!store.has(k(args[1]!))) store.set(k(args[1]!), []);
    const lst = store.get(k(args[1]!)) as Uint8Array[];
    for (const v of args.slice(2)) lst.unshift(v);
    return b(`:${lst.length}\r\n`);
  }
  if (cmd === "LRANGE") {
    const lst = (store.get(k(args[1]!)) ?? []) as Uint8Array[];
    const [a, bb] = [Number(decode(args[2]!)), Number(decode(args[3]!))];
    const items = lst.slice(a, bb === -1 ? undefined : bb + 1);
    return bjoin([b(`*${items.length}\r\n`), ...items.map(bulk)]);
  }
  return bjoin([b("-ERR unknown command '"), args[0]!, b("'\r\n")]);
}

async function serve(lsock: Socket) {
  lsock.setblocking(false);
  const p = poll();
  p.register(lsock, POLLIN);
  const conns = new Map<number, [Socket, Uint8Array, Uint8Array]>();
  let served = 0;
  for (let i = 0; i < 100000; i++) {
    if (served && !conns.size) break;
    for (const [fd, ev] of await p.poll(5000)) {
      if (fd === lsock.fileno()) {
        const [c] = await lsock.accept();
        c.setblocking(false);
        conns.set(c.fileno(), [c, new Uint8Array(0), new Uint8Array(0)]);
        p.register(c, POLLIN);
        served += 1;
        continue;
      }
      const st = conns.get(fd)!;
      const c = st[0];
      if (ev & (POLLIN | POLLHUP)) {
        const data = await c.recv(4096);
        if (!data.length) {
          p.unregister(c);
          c.close();
          conns.delete(fd);
          continue;
        }
        st[1] = bjoin([st[1], data]);
        while (true) {
          const [args, used] = parse(st[1]);
          if (args === null) break;
          st[1] = st[1].slice(used);
          st[2] = bjoin([st[2], execute(args)]);
        }
      }
      if (ev & POLLOUT && st[2].length) {
        const n = await c.send(st[2]);
        st[2] = st[2].slice(n);
      }
      p.modify(c, POLLIN | (st[2].length ? POLLOUT : 0));
    }
  }
  lsock.close();
}

const cmd = (...args: Uint8Array[]) =>
  bjoin([b(`*${args.length}\r\n`), ...args.flatMap((a) => [b(`$${a.length}\r\n`), a, b("\r\n")])]);

class EOFError extends Error {}
type Reply = string | number | null | Uint8Array | Reply[];

class Reader {
  buf = new Uint8Array(0);
  constructor(public sock: Socket) {}

  async line(): Promise<Uint8Array> {
    while (find(this.buf, 0) < 0) {
      const chunk = await this.sock.recv(7);
      if (!chunk.length) throw new EOFError();
      this.buf = bjoin([this.buf, chunk]);
    }
    const nl = find(this.buf, 0);
    const line = this.buf.slice(0, nl);
    this.buf = this.buf.slice(nl + 2);
    return line;
  }

  async exact(n: number): Promise<Uint8Array> {
    while (this.buf.length < n + 2) this.buf = bjoin([this.buf, await this.sock.recv(7)]);
    const out = this.buf.slice(0, n);
    this.buf = this.buf.slice(n + 2);
    return out;
  }

  async reply(): Promise<Reply> {
    const line = await this.line();
    const kind = String.fromCharCode(line[0]!);
    const rest = decode(line.subarray(1));
    if (kind === "+") return rest;
    if (kind === "-") return "(error) " + rest;
    if (kind === ":") return Number(rest);
    if (kind === "$") return rest === "-1" ? null : await this.exact(Number(rest));
    if (kind === "*") {
      const out = list<Reply>([]);
      for (let i = 0; i < Number(rest); i++) out.push(await this.reply());
      return out;
    }
    throw new RangeError(decode(line));
  }
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = serve(lsock);
const c = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
const cmds = Array.from({ length: 10 }, (_, i) => cmd(b("SET"), b(`k${i}`), b(`v${i}`)));
const B = (...xs: string[]) => cmd(...xs.map(b));
cmds.push(
  B("GET", "k3"),
  B("GET", "nope"),
  B("INCR", "n"),
  B("INCRBY", "n", "41"),
  B("INCR", "k1"),
  B("DEL", "k0", "k1", "zz"),
  B("EXISTS", "k0", "k2", "k3"),
  B("LPUSH", "l", "a", "b", "c"),
  B("LRANGE", "l", "0", "-1"),
  B("LRANGE", "l", "1", "1"),
  B("GET", "l"),
  B("INCR", "l"),
  B("FLY", "away"),
  cmd(b("SET"), b("bin"), new Uint8Array([0x61, 0x0d, 0x0a, 0x62, 0x00, 0x63])),
  B("GET", "bin"),
);
for (let i = 0; i < 15; i++) cmds.push(B("INCR", "counter"));
await c.sendall(bjoin(cmds));
const r = new Reader(c);
for (let i = 0; i < cmds.length; i++) print(i, await r.reply());
const big = bjoin(Array.from({ length: 800 }, () => new Uint8Array(256).map((_, i) => i)));
await c.sendall(bjoin([cmd(b("SET"), b("big"), big), B("GET", "big"), B("EXISTS", "big")]));
print("big:", await r.reply(), await r.reply(), await r.reply());
await c.shutdown(socket.SHUT_WR);
try {
  await r.reply();
} catch (e) {
  if (!(e instanceof EOFError)) throw e;
  print("EOF after shutdown");
}
c.close();
await t;
