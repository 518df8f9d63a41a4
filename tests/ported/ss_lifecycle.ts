// Port of ss_lifecycle.py (threads are tasks; sys.exc_info() is handle_error's third argument; KeyError is an
// Error named KeyError whose message is Python's str() of it).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, beq, bjoin, join, print, repr } from "./_py.ts";

const log: string[] = [];

class KeyError extends Error {
  override name = "KeyError";
}

class Handler extends socketserver.StreamRequestHandler {
  override timeout = 0.5;
  override disable_nagle_algorithm = true;

  override async setup() {
    await super.setup();
    log.push("setup");
  }

  override async handle() {
    const nodelay = this.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) !== 0;
    log.push(`handle nodelay=${nodelay ? "True" : "False"} timeout=${this.connection.gettimeout()}`);
    const line = await this.rfile.readline() as Uint8Array;
    log.push(`read ${repr(line)}`);
    if (beq(line, b("raise\n"))) {
      throw new KeyError("'wanted'");
    }
    const n = await this.wfile.write(bjoin([b("ok "), line]));
    log.push(`wrote ${n}`);
  }

  override async finish() {
    log.push("finish");
    await super.finish();
  }
}

class Server extends socketserver.TCPServer {
  static override allow_reuse_address = true;
  actions = 0;
  refuse_next = false;

  override verify_request(_request: socketserver.Request, _client_address: socketserver.Address) {
    const ok = !this.refuse_next;
    this.refuse_next = false;
    log.push(`verify ${ok ? "True" : "False"}`);
    return ok;
  }

  override process_request(request: socketserver.Request, client_address: socketserver.Address) {
    log.push("process_request");
    return super.process_request(request, client_address);
  }

  override async finish_request(request: socketserver.Request, client_address: socketserver.Address) {
    log.push("finish_request");
    await super.finish_request(request, client_address);
  }

  override async shutdown_request(request: socketserver.Request) {
    log.push("shutdown_request");
    await super.shutdown_request(request);
  }

  override close_request(request: socketserver.Request) {
    log.push("close_request");
    super.close_request(request);
  }

  override handle_error(_request: socketserver.Request | null, _client_address: unknown, error?: unknown) {
    const e = error as Error;
    log.push(`handle_error ${e.name} ${e.message}`);
  }

  override service_actions() {
    this.actions += 1;
  }
}

async function talk(data: Uint8Array, read = true) {
  using c = await socket.create_connection(server.server_address as [string, number], { timeout: 5 });
  if (data.length) {
    await c.sendall(data);
  }
  if (read) {
    let got = new Uint8Array(0);
    while (true) {
      const chunk = await c.recv(100);
      if (!chunk.length) {
        break;
      }
      got = bjoin([got, chunk]);
    }
    return got;
  }
}

const server = new Server(["127.0.0.1", 0], Handler);
print("reuse", server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) !== 0);
for (const round of [1, 2]) {
  const t = server.serve_forever(0.05);
  let alive = true;
  t.finally(() => alive = false);
  print("round", round, await talk(b("hello\n")));
  print("round", round, await talk(b("raise\n")));
  print("round", round, await talk(b(""))); // the handler's readline times out
  server.refuse_next = true;
  print("round", round, await talk(b("refused\n")));
  await server.shutdown();
  await join(t, 5);
  print("round", round, "stopped", !alive, "service_actions called", server.actions > 0);
  for (const line of log) {
    print("  ", line);
  }
  log.length = 0;
}
server.server_close();
print("closed fileno", server.fileno());
