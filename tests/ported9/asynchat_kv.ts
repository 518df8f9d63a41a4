// deno-lint-ignore-file require-await -- handlers keep asyncore's async shape; the loop awaits each one
// Port of asynchat_kv.py (asynchat and asyncore are ./_asyncore.ts; threads are tasks; int() of bytes raises
// RangeError, pysocket's ValueError, with Python's text; `t.__name__` of a RangeError is printed as ValueError).
import * as socket from "../../mod.ts";
import * as asyncore from "./_asyncore.ts";
import { b, bjoin, decode, list, print, repr } from "../ported/_py.ts";

const use_poll = Deno.args[0] === "poll";
const store = new Map<string, Uint8Array>();

function int(x: Uint8Array): number {
  const t = decode(x).trim();
  if (!/^[+-]?\d+$/.test(t)) throw new RangeError(`invalid literal for int() with base 10: ${repr(x)}`);
  return Number(t);
}

function split(x: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i <= x.length; i++) {
    const ws = i === x.length || x[i] === 32 || (x[i]! >= 9 && x[i]! <= 13);
    if (ws && start >= 0) {
      out.push(x.subarray(start, i));
      start = -1;
    } else if (!ws && start < 0) start = i;
  }
  return out;
}

const is = (x: Uint8Array | undefined, s: string) => x !== undefined && decode(x) === s;

class KVHandler extends asyncore.async_chat {
  ibuffer: Uint8Array[] = [];
  key: string | null = null;

  constructor(sock: socket.Socket, public name: string) {
    super(sock);
    this.set_terminator(b("\r\n"));
  }

  override collect_incoming_data(data: Uint8Array) {
    this.ibuffer.push(data);
  }

  override async found_terminator() {
    const data = bjoin(this.ibuffer);
    this.ibuffer = [];
    if (this.key !== null) {
      store.set(this.key, data);
      print(this.name, "stored", this.key, data.length, "bytes");
      this.key = null;
      this.set_terminator(b("\r\n"));
      await this.push(b("STORED\r\n"));
      return;
    }
    const words = split(data);
    print(this.name, "command", list(words.slice(0, 2)));
    if (!words.length) await this.push(b("ERROR empty\r\n"));
    else if (is(words[0], "SET")) {
      this.key = decode(words[1]!);
      this.set_terminator(int(words[2]!));
      if (int(words[2]!) === 0) await this.found_terminator();
    } else if (is(words[0], "GET")) {
      const v = store.get(decode(words[1]!));
      if (v === undefined) await this.push(b("NOT_FOUND\r\n"));
      else await this.push(bjoin([b(`VALUE ${v.length}\r\n`), v]));
    } else if (is(words[0], "QUIT")) {
      await this.push(b("BYE\r\n"));
      this.close_when_done();
    } else await this.push(b("ERROR\r\n"));
  }

  override async handle_error(e: unknown) {
    const name = e instanceof RangeError ? "ValueError" : (e as Error).name;
    print(this.name, "error:", name, e);
    await this.handle_close();
  }

  override async handle_close() {
    print(this.name, "closed, pending body:", this.key, "terminator:", this.get_terminator());
    this.close();
  }
}

class KVServer extends asyncore.dispatcher {
  n = 0;
  constructor() {
    super();
    this.create_socket();
    this.bind(["127.0.0.1", 0]);
    this.listen(5);
  }

  override async handle_accepted(sock: socket.Socket, _addr: unknown) {
    this.n += 1;
    new KVHandler(sock, `h${this.n}`);
  }
}

const results: [string, unknown[]][] = [];

async function read_replies(f: socket.SocketFile): Promise<unknown[]> {
  const out: unknown[] = [];
  while (true) {
    const line = await f.readline() as Uint8Array;
    if (!line.length) {
      out.push("EOF");
      return out;
    }
    if (decode(line).startsWith("VALUE")) {
      const body = await f.read(int(split(line)[1]!)) as Uint8Array;
      out.push([line, body.length, body.subarray(0, 12)]);
    } else out.push(line);
  }
}

async function pipelined(port: number) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  await s.sendall(b("SET a 5\r\nhelloSET b 0\r\nGET a\r\nGET b\r\nGET c\r\nNOPE\r\nQUIT\r\n"));
  await using f = s.makefile("rb");
  results.push(["pipelined", await read_replies(f)]);
}

async function bytewise(port: number) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  for (const c of b("SET k 6\r\nab\r\ncdGET k\r\nQUIT\r\n")) await s.sendall(new Uint8Array([c]));
  await using f = s.makefile("rb");
  results.push(["bytewise", await read_replies(f)]);
}

async function big(port: number) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  const body = new Uint8Array(256 * 800).map((_, i) => i % 256);
  await s.sendall(bjoin([b(`SET big ${body.length}\r\n`), body, b("\r\nSET bad x\r\nGET big\r\nQUIT\r\n")]));
  await using f = s.makefile("rb");
  results.push(["big", await read_replies(f)]);
}

async function hangup(port: number) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  await s.sendall(b("SET gone 100\r\nonly part"));
  await s.shutdown(socket.SHUT_WR);
  await using f = s.makefile("rb");
  results.push(["hangup", await read_replies(f)]);
}

const server = new KVServer();
const port = (server.socket!.getsockname() as [string, number])[1];
for (const fn of [pipelined, bytewise, big, hangup]) {
  let alive = true;
  const t = fn(port).finally(() => alive = false);
  let i = 0;
  for (; i < 600; i++) {
    if (asyncore.socket_map.size === 1 && !alive) break;
    await asyncore.loop(0.05, use_poll, undefined, 1);
  }
  if (i === 600) print("loop limit reached");
  await t;
}
server.close();
for (const [name, replies] of results) print(name, list(replies));
print("keys:", list([...store.keys()].sort()), "map empty:", asyncore.socket_map.size === 0);
