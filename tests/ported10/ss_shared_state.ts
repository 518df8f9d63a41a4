// Port of ss_shared_state.py (threads are tasks; threading.Lock is an async lock below, as the handler awaits
// inside its critical section; sys.exc_info() is handle_error's third argument; a dict keyed by
// client_address is keyed by its repr; class attributes are static members).
import * as socket from "../../mod.ts";
import type { Address, Request, Socket } from "../../socketserver.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, bupper, list, print, repr, sleep } from "../ported/_py.ts";

class Lock {
  #tail: Promise<void> = Promise.resolve();
  async with<T>(fn: () => Promise<T> | T): Promise<T> {
    let release!: () => void;
    const prev = this.#tail;
    this.#tail = new Promise((r) => release = r);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const order: string[] = [];
const dec = (x: Uint8Array) => new TextDecoder().decode(x);

class KVServer extends socketserver.ThreadingTCPServer {
  static override allow_reuse_address = true;
  static override block_on_close = true;
  store = new Map<string, Uint8Array>();
  lock = new Lock();
  refused = 0;
  errors: string[] = [];
  finished = 0;

  override verify_request(_request: Request, _client_address: Address) {
    const v = this.store.get("closed");
    if (v !== undefined && dec(v) === "1") {
      this.refused += 1;
      return false;
    }
    return true;
  }

  override handle_error(_request: Request | null, _client_address: Address | null, error?: unknown) {
    const e = error as Error;
    this.errors.push(e.name + ": " + e.message);
  }
}

class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

class KVHandler extends socketserver.StreamRequestHandler<KVServer> {
  override async handle() {
    for await (const line of this.rfile) {
      const [cmd, ...args] = dec(line as Uint8Array).split(/\s+/).filter((x) => x);
      const srv = this.server;
      let reply: Uint8Array;
      if (cmd === "INCR") {
        reply = await srv.lock.with(async () => {
          const v = Number(dec(srv.store.get(args[0]!) ?? b("0")));
          await sleep(0.001);
          srv.store.set(args[0]!, b(String(v + 1)));
          return srv.store.get(args[0]!)!;
        });
      } else if (cmd === "SET") {
        await srv.lock.with(() => srv.store.set(args[0]!, b(args[1]!)));
        reply = b("OK");
      } else if (cmd === "GET") {
        reply = await srv.lock.with(() => srv.store.get(args[0]!) ?? b("(nil)"));
      } else if (cmd === "SLOW") {
        await sleep(1.0);
        order.push("slow handler done");
        reply = b("SLOW DONE");
      } else if (cmd === "BOOM") {
        throw new ZeroDivisionError("division by zero in " + args[0]);
      } else reply = b("ERR " + cmd);
      await this.wfile.write(bjoin([reply, b("\n")]));
    }
  }

  override async finish() {
    await super.finish();
    this.server.finished += 1;
  }
}

class CountServer extends socketserver.ThreadingUDPServer {
  lock = new Lock();
  counts = new Map<string, number>();
}

class CountHandler extends socketserver.BaseRequestHandler<socketserver.DatagramRequest, CountServer> {
  override async handle() {
    const [data, sock] = this.request;
    const key = repr(this.client_address);
    const n = await this.server.lock.with(() => {
      const n = (this.server.counts.get(key) ?? 0) + 1;
      this.server.counts.set(key, n);
      return n;
    });
    await sock.sendto(bjoin([bupper(data), b(` #${n}`)]), this.client_address);
  }
}

const server = new KVServer(["127.0.0.1", 0], KVHandler);
const port = (server.server_address as [string, number])[1];
const t = server.serve_forever({ poll_interval: 0.05 });

async function call(f: socket.SocketFile, s: Socket, line: string) {
  await s.sendall(b(line + "\n"));
  const r = await f.readline() as Uint8Array;
  return r.subarray(0, r.length && r[r.length - 1] === 10 ? -1 : r.length);
}

async function hammer(i: number, out: Map<number, number>) {
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  const f = s.makefile("rb");
  let last: Uint8Array = new Uint8Array(0);
  for (let k = 0; k < 40; k++) last = await call(f, s, "INCR hits");
  await call(f, s, `INCR client${i}`);
  out.set(i, Number(dec(last)));
  await f.close();
}

const out = new Map<number, number>();
await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => hammer(i, out)));
{
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  const f = s.makefile("rb");
  print("hits:", await call(f, s, "GET hits"), "max seen by a client:", Math.max(...out.values()));
  const per: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) per.push(await call(f, s, `GET client${i}`));
  print("per client:", repr(list(per)));
  print("unknown:", await call(f, s, "FROB x"));
  await s.sendall(b("BOOM now\n"));
  print("after BOOM:", await f.read());
  await f.close();
}

const slow = await socket.create_connection(["127.0.0.1", port], 10);
await slow.sendall(b("SLOW\n"));
await slow.shutdown(socket.SHUT_WR);
{
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  const f = s.makefile("rb");
  print("close the door:", await call(f, s, "SET closed 1"));
  await f.close();
}
{
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  await s.sendall(b("GET hits\n"));
  print("refused client reads:", await s.recv(100));
}
await sleep(0.1);
await server.shutdown();
order.push("shutdown returned");
await server.server_close();
order.push("server_close returned");
await t;
print("slow client got:", await slow.recv(100));
slow.close();
print("order:", repr(list(order)));
print("refused", server.refused, "errors", repr(list(server.errors)), "finished", server.finished);

const userver = new CountServer(["127.0.0.1", 0], CountHandler);
const ut = userver.serve_forever({ poll_interval: 0.05 });
const clients = [0, 1, 2].map(() => socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
for (const c of clients) {
  c.settimeout(5);
  c.bind(["127.0.0.1", 0]);
}
const replies: Uint8Array[] = [];
for (let rnd = 0; rnd < 3; rnd++) {
  for (const [i, c] of clients.slice(0, rnd + 1).entries()) {
    await c.sendto(b(`ping from ${i}`), userver.server_address);
    replies.push(await c.recv(100));
  }
}
await userver.shutdown();
await userver.server_close();
await ut;
print("udp replies:", repr(list(replies)));
print("udp counts:", repr(list([...userver.counts.values()].sort())));
for (const c of clients) c.close();
