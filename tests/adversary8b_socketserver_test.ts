// adv8b: the Threading* servers' ends against CPython 3.11's socketserver: server_close() awaited from a handler
// (CPython: "cannot join current thread"), a handler blocked on its peer (server_close waits, as CPython's
// joins), daemon_threads, and serve_forever() again after shutdown().

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import type { Address, Request } from "../socketserver.ts";
import { BaseRequestHandler, TCPServer, ThreadingMixIn, ThreadingTCPServer } from "../socketserver.ts";
import { python_json } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const PY = `
import json, socket, socketserver, sys, threading, time
out = {}
errors = []
class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]; errors.append([type(e).__name__, str(e)])
class Closer(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.server_close(); self.request.sendall(b"x")
srv = S(("127.0.0.1", 0), Closer)
t = threading.Thread(target=srv.serve_forever, args=(0.05,)); t.start()
c = socket.create_connection(srv.server_address); c.settimeout(5)
got = c.recv(1); c.close()
srv.shutdown(); t.join(); srv.server_close()
out["closer"] = [got.decode(), errors]

class Blocked(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.recv(1)
res = []
for daemon in (False, True):
    srv = S(("127.0.0.1", 0), Blocked); srv.daemon_threads = daemon
    t = threading.Thread(target=srv.serve_forever, args=(0.05,)); t.start()
    c = socket.create_connection(srv.server_address)
    time.sleep(0.3)
    srv.shutdown(); t.join()
    closer = threading.Thread(target=srv.server_close); closer.start()
    closer.join(0.5); waiting = closer.is_alive()
    c.close()
    closer.join(10)
    res.append([waiting, closer.is_alive()])
out["blocked"] = res

class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.request.recv(10))
rounds = []
for cls in (socketserver.TCPServer, socketserver.ThreadingTCPServer):
    srv = cls(("127.0.0.1", 0), Echo)
    for r in range(2):
        t = threading.Thread(target=srv.serve_forever, args=(0.05,)); t.start()
        c = socket.create_connection(srv.server_address); c.settimeout(5)
        c.sendall(b"r%d" % r); rounds.append(c.recv(10).decode()); c.close()
        srv.shutdown(); t.join()
    srv.server_close()
out["restart"] = rounds
print(json.dumps(out))
`;

test("adversary8b: Threading* server ends as CPython's: server_close() in a handler, a blocked handler, restarts", async () => {
  const want = await python_json(PY, null) as Record<string, unknown>;
  assert.equal(typeof want, "object", String(want));
  const out: Record<string, unknown> = {};

  const errors: unknown[] = [];
  class S extends ThreadingMixIn(TCPServer) {
    override handle_error(_request: Request | null, _client_address: Address | null, error?: unknown): void {
      const e = error as Error;
      errors.push([e.name, e.message]);
    }
  }
  class Closer extends BaseRequestHandler {
    override async handle() {
      await this.server.server_close();
      await this.request.sendall(new Uint8Array([120]));
    }
  }
  {
    const srv = new S(["127.0.0.1", 0], Closer);
    const serving = srv.serve_forever(0.05);
    const c = await create_connection(srv.server_address as [string, number]);
    c.settimeout(5);
    const got = new TextDecoder().decode(await c.recv(1));
    c.close();
    await srv.shutdown();
    await serving;
    await srv.server_close();
    out.closer = [got, errors];
  }

  class Blocked extends BaseRequestHandler {
    override async handle() {
      await this.request.recv(1);
    }
  }
  const res: unknown[] = [];
  for (const daemon of [false, true]) {
    const srv = new S(["127.0.0.1", 0], Blocked);
    srv.daemon_threads = daemon;
    const serving = srv.serve_forever(0.05);
    const c = await create_connection(srv.server_address as [string, number]);
    await new Promise((r) => setTimeout(r, 300));
    await srv.shutdown();
    await serving;
    let done = false;
    const closing = srv.server_close().then(() => void (done = true));
    await new Promise((r) => setTimeout(r, 500));
    const waiting = !done;
    c.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([closing, new Promise((r) => timer = setTimeout(r, 10_000))]);
    clearTimeout(timer);
    res.push([waiting, !done]);
  }
  out.blocked = res;

  class Echo extends BaseRequestHandler {
    override async handle() {
      await this.request.sendall(await this.request.recv(10));
    }
  }
  const rounds: string[] = [];
  for (const Cls of [TCPServer, ThreadingTCPServer]) {
    const srv = new Cls(["127.0.0.1", 0], Echo);
    for (let r = 0; r < 2; r++) {
      const serving = srv.serve_forever(0.05);
      const c = await create_connection(srv.server_address as [string, number]);
      c.settimeout(5);
      await c.sendall(new TextEncoder().encode(`r${r}`));
      rounds.push(new TextDecoder().decode(await c.recv(10)));
      c.close();
      await srv.shutdown();
      await serving;
    }
    await srv.server_close();
  }
  out.restart = rounds;
  assert.deepEqual(out, want);
});
