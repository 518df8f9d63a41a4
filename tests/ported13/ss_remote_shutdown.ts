// Port of ss_remote_shutdown.py (the clients' thread and the shutdown thread are tasks: the handler calls
// server.shutdown() without await; handle_error() gets the exception as its third argument, Python's
// sys.exc_info(); the results hold each reply as the tuple (line, reply)).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { StreamRequestHandler, TCPServer } from "../../socketserver.ts";
import { b, decode, list, print } from "../ported/_py.ts";

const log: string[] = [];

class Handler extends StreamRequestHandler {
  override async handle() {
    for await (const raw of this.rfile) {
      const line = decode(raw as Uint8Array).trim();
      if (line === "PING") {
        await this.wfile.write(b("PONG\n"));
      } else if (line.startsWith("ADD ")) {
        const [a, c] = line.slice(4).split(/\s+/);
        await this.wfile.write(b(`${Number(a) + Number(c)}\n`));
      } else if (line === "BOOM") {
        throw new RangeError("boom requested");
      } else if (line === "STOP") {
        this.server.shutdown().catch((e) => print("shutdown failed:", e));
        await this.wfile.write(b("BYE\n"));
        return;
      } else {
        await this.wfile.write(b("ERR unknown\n"));
      }
    }
  }
}

class Server extends TCPServer {
  static override allow_reuse_address = true;

  override verify_request(_request: Socket, client_address: Address) {
    const ok = (client_address as [string, number])[0] === "127.0.0.1";
    log.push(`verify ${(client_address as [string, number])[0]} -> ${ok ? "True" : "False"}`);
    return ok;
  }

  override handle_error(_request: unknown, client_address: Address | null, e?: unknown) {
    const name = e instanceof RangeError ? "ValueError" : (e as Error).constructor.name;
    log.push(`handle_error ${(client_address as [string, number])[0]} ${name}: ${(e as Error).message}`);
  }
}

async function client(lines: string[], source: string | null = null) {
  const kw = source ? { source_address: [source, 0] as [string, number] } : {};
  using c = await socket.create_connection(ADDR, { timeout: 5, ...kw });
  const f = c.makefile("rwb");
  const out: [string, Uint8Array][] = [];
  for (const line of lines) {
    await f.write(b(line + "\n"));
    await f.flush();
    const reply = await f.readline() as Uint8Array;
    out.push([line, reply]);
    if (!reply.length) break;
  }
  await f.close();
  return out;
}

const server = new Server(["127.0.0.1", 0], Handler);
const ADDR = server.server_address as [string, number];
const results: [string, Uint8Array][][] = [];

async function clients() {
  results.push(await client(["PING", "ADD 2 40", "NOPE"]));
  results.push(await client(["PING"], "127.0.0.2"));
  results.push(await client(["ADD 1 1", "BOOM", "PING"]));
  results.push(await client(["PING", "STOP"]));
}

const t = clients();
await server.serve_forever(0.05);
print("serve_forever returned");
await t;
server.server_close();
for (const r of results) print(list(r));
for (const line of log) print(line);
try {
  await socket.create_connection(ADDR, { timeout: 5 });
} catch (e) {
  if (!(e instanceof socket.ConnectionRefusedError)) throw e;
  print("after server_close:", e.constructor.name, e.errno);
}
