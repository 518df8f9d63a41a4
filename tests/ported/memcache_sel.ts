// Port of memcache_sel.py (the server thread is a task; bytes.split/find are small helpers; a stop Event is
// a flag).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, beq, bjoin, decode, join, list, print, sleep } from "./_py.ts";

const CRLF = b("\r\n");
/** `bytes.find(sub)`. */
function find(buf: Uint8Array, sub: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= buf.length - sub.length; i++) {
    for (let j = 0; j < sub.length; j++) if (buf[i + j] !== sub[j]) continue outer;
    return i;
  }
  return -1;
}
/** `bytes.endswith(sub)`. */
const endswith = (buf: Uint8Array, sub: Uint8Array) =>
  buf.length >= sub.length && beq(buf.subarray(buf.length - sub.length), sub);

const store = new Map<string, [number, Uint8Array]>();
const sel = new selectors.DefaultSelector<Conn | null>();
const listener = socket.create_server(["127.0.0.1", 0]);
listener.setblocking(false);
sel.register(listener, selectors.EVENT_READ, { data: null });
const stats = { conns: 0, closed: 0 };

class Conn {
  sock: socket.Socket;
  inb: Uint8Array = new Uint8Array(0);
  outb: Uint8Array = new Uint8Array(0);
  constructor(sock: socket.Socket) {
    this.sock = sock;
  }

  process(): boolean {
    while (true) {
      const i = find(this.inb, CRLF);
      if (i < 0) {
        return true;
      }
      const line = this.inb.subarray(0, i);
      const rest = this.inb.subarray(i + 2);
      const parts = decode(line).split(/\s+/).filter((p) => p);
      if (parts[0] === "set") {
        const n = Number(parts[4]);
        if (rest.length < n + 2) {
          return true;
        }
        store.set(parts[1]!, [Number(parts[2]), rest.slice(0, n)]);
        this.inb = rest.subarray(n + 2);
        this.outb = bjoin([this.outb, b("STORED\r\n")]);
      } else if (parts[0] === "get") {
        this.inb = rest;
        for (const k of parts.slice(1)) {
          const v = store.get(k);
          if (v) {
            const [flags, data] = v;
            this.outb = bjoin([this.outb, b(`VALUE ${k} ${flags} ${data.length}\r\n`), data, CRLF]);
          }
        }
        this.outb = bjoin([this.outb, b("END\r\n")]);
      } else if (parts[0] === "delete") {
        this.inb = rest;
        const had = store.delete(parts[1]!);
        this.outb = bjoin([this.outb, b(had ? "DELETED\r\n" : "NOT_FOUND\r\n")]);
      } else if (parts[0] === "quit") {
        return false;
      } else {
        this.inb = rest;
        this.outb = bjoin([this.outb, b("ERROR\r\n")]);
      }
    }
  }
}

async function serve(stop: { set: boolean }) {
  while (!stop.set) {
    for (const [key, mask] of await sel.select(0.05)) {
      if (key.data === null) {
        const [sock] = await (key.fileobj as socket.Socket).accept();
        sock.setblocking(false);
        stats.conns += 1;
        sel.register(sock, selectors.EVENT_READ, { data: new Conn(sock) });
        continue;
      }
      const c = key.data;
      let keep = true;
      if (mask & selectors.EVENT_READ) {
        const data = await c.sock.recv(4096);
        if (data.length) {
          c.inb = bjoin([c.inb, data]);
          keep = c.process();
        } else {
          keep = false;
        }
      }
      if (keep && mask & selectors.EVENT_WRITE && c.outb.length) {
        const sent = await c.sock.send(c.outb);
        c.outb = c.outb.subarray(sent);
      }
      if (!keep) {
        sel.unregister(c.sock);
        c.sock.close();
        stats.closed += 1;
      } else {
        sel.modify(c.sock, selectors.EVENT_READ | (c.outb.length ? selectors.EVENT_WRITE : 0), { data: c });
      }
    }
  }
}

async function read_until(sock: socket.Socket, end: Uint8Array) {
  let buf = new Uint8Array(0);
  while (!endswith(buf, end)) {
    const chunk = await sock.recv(65536);
    if (!chunk.length) {
      break;
    }
    buf = bjoin([buf, chunk]);
  }
  return buf;
}

const stop = { set: false };
const t = serve(stop);
const addr = listener.getsockname();

{
  using c = await socket.create_connection(addr, 10);
  for (const byte of b("set a 5 0 3\r\nabc\r\nget a b\r\n")) {
    await c.send(new Uint8Array([byte]));
  }
  print("byte by byte", await read_until(c, b("END\r\n")));
  await c.sendall(b("quit\r\n"));
  print("after quit", await c.recv(10));
}

{
  using c = await socket.create_connection(addr, 10);
  await c.sendall(b(
    "set k1 0 0 2\r\nv1\r\nset k2 1 0 4\r\nv\r\n2\r\nbogus\r\nget k1 k2 a nope\r\n" +
      "delete k1\r\ndelete k1\r\nget k1\r\n",
  ));
  print("pipelined", await read_until(c, b("NOT_FOUND\r\nEND\r\n")));
}

{
  using c = await socket.create_connection(addr, 10);
  const big = new Uint8Array(256 * 800).map((_, i) => i % 256);
  await c.sendall(bjoin([b(`set big 9 0 ${big.length}\r\n`), big, b("\r\nget big\r\n")]));
  const got = await read_until(c, b("END\r\n"));
  const i = find(got, CRLF);
  const j = find(got, CRLF, i + 2);
  const [stored, value, rest] = [got.subarray(0, i), got.subarray(i + 2, j), got.subarray(j + 2)];
  print("big", stored, value, beq(rest.subarray(0, big.length), big), rest.subarray(big.length), got.length);
}

const c = await socket.create_connection(addr, 10);
await c.sendall(b("get a\r\n"));
print("then close", await read_until(c, b("END\r\n")));
c.close();
await sleep(0.3);
stop.set = true;
await join(t, 5);
const keys = list([...store.keys()].sort().map(b));
print(`stats {'conns': ${stats.conns}, 'closed': ${stats.closed}}`, keys);
listener.close();
sel.close();
