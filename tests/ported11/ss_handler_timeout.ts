// Port of ss_handler_timeout.py (threads are tasks; class attributes are static fields; sys.exc_info()[1] is
// handle_error's third argument and type(e).__name__ its name; `for line in self.rfile` is for await;
// time.monotonic() is performance.now() / 1000).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, list, print, sleep } from "../ported/_py.ts";

const log: string[] = [];
const now = () => performance.now() / 1000;

class Handler extends socketserver.StreamRequestHandler {
  static timeout = 0.3;
  name: string | null = null;

  override async handle() {
    this.name = null;
    for await (const line of this.rfile) {
      if (this.name === null) this.name = decode(line as Uint8Array).trim();
      await this.wfile.write(bjoin([b("echo "), line as Uint8Array]));
    }
    log.push(`handler ${this.name}: EOF`);
  }

  override async finish() {
    log.push(`finish ${this.name === null ? "None" : this.name}`);
    await super.finish();
  }
}

class Server extends socketserver.ThreadingTCPServer {
  static override daemon_threads = true;
  static override timeout = 0.2;

  override handle_error(_request: unknown, _client_address: Address | null, error?: unknown) {
    const e = error as Error;
    log.push(`handle_error ${e.constructor.name}: ${e.message}`);
  }

  override handle_timeout() {
    log.push("handle_timeout");
  }
}

async function read_all(s: Socket) {
  const out: Uint8Array[] = [];
  const f = s.makefile("rb");
  for await (const line of f) out.push(line as Uint8Array);
  await f.close();
  return list(out);
}

const server = new Server(["127.0.0.1", 0], Handler);
const addr = server.server_address as [string, number];
let t0 = now();
await server.handle_request();
print("handle_request without a client returned after the server timeout:", now() - t0 >= 0.15);
print("log:", list(log));
log.length = 0;
const t = server.serve_forever({ poll_interval: 0.05 });

{
  using c = await socket.create_connection(addr, 5);
  await c.sendall(b("stall\nsecond line\nthird li"));
  t0 = now();
  const got = await read_all(c);
  print("stalling client got", got, "then EOF; took at least the handler timeout:", now() - t0 >= 0.25);
}

{
  using c = await socket.create_connection(addr, 5);
  for (const ch of b("trickle\n")) {
    await c.send(Uint8Array.of(ch));
    await sleep(0.05);
  }
  await c.sendall(b("done\n"));
  await c.shutdown(socket.SHUT_WR);
  print("trickling client got", await read_all(c));
}

{
  using c = await socket.create_connection(addr, 5);
  t0 = now();
  print("silent client got", await read_all(c), "then EOF");
}

{
  using c = await socket.create_connection(addr, 5);
  await c.sendall(b("polite\n"));
  print("polite client got", await c.recv(64));
  await c.shutdown(socket.SHUT_WR);
  print("polite client then", await read_all(c));
}

await sleep(0.1);
await server.shutdown();
server.server_close();
await t;
for (const line of log) print(line);
