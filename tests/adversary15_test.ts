// adv15: several serve_forever() calls on one server (P11-1's joined loop), each beside CPython's threads.
//
// A15-1: a joined serve_forever() whose running loop dies of an exception (service_actions raised) returned
// quietly and nobody served any more; CPython's other thread serves on (a client is answered), and the
// shutdown() afterwards ends it normally.
// A15-2: a joined serve_forever("x") waited quietly; CPython's thread raises its selector's TypeError.

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { cpython } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test({
  name: "A15-1, A15-2: a joined serve_forever() serves on when the loop it joined raised; checks its poll_interval",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
out = {}
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.request.recv(100).upper())
class Once(socketserver.TCPServer):
    raised = 0
    def service_actions(self):
        if not self.raised:
            self.raised = 1
            raise RuntimeError("once")
srv = Once(("127.0.0.1", 0), Echo)
res = []
def run():
    try:
        srv.serve_forever(0.05); res.append("returned")
    except Exception as e:
        res.append(type(e).__name__ + ": " + str(e))
ts = [threading.Thread(target=run, daemon=True) for _ in range(2)]
for t in ts: t.start()
for _ in range(100):
    if res: break
    time.sleep(0.05)
time.sleep(0.3)
out["after_raise"] = sorted(res)
c = create_connection(srv.server_address); c.settimeout(10); c.sendall(b"hi")
out["answer"] = c.recv(10).decode(); c.close()
srv.shutdown()
for t in ts: t.join(10)
out["after_shutdown"] = sorted(res)
srv.server_close()
srv = socketserver.TCPServer(("127.0.0.1", 0), Echo)
threading.Thread(target=srv.serve_forever, daemon=True).start(); time.sleep(0.2)
try:
    srv.serve_forever("x"); out["bad"] = "returned"
except Exception as e:
    out["bad"] = type(e).__name__ + ": " + str(e)
srv.shutdown(); srv.server_close()
print(json.dumps(out))
`);
    const out: Record<string, unknown> = {};
    class Echo extends BaseRequestHandler {
      override async handle() {
        const r = this.request as socket.Socket;
        const data = await r.recv(100);
        await r.sendall(new TextEncoder().encode(new TextDecoder().decode(data).toUpperCase()));
      }
    }
    class RuntimeError extends Error {
      override name = "RuntimeError";
    }
    class Once extends TCPServer {
      raised = 0;
      override service_actions() {
        if (!this.raised) {
          this.raised = 1;
          throw new RuntimeError("once");
        }
      }
    }
    const res: string[] = [];
    const run = (s: TCPServer, pi: unknown) =>
      s.serve_forever(pi as number).then(
        () => void res.push("returned"),
        (e: Error) => void res.push(`${e.name}: ${e.message}`),
      );
    const bounded = <T>(p: Promise<T>) => Promise.race([p, sleep(10_000)]);
    const srv = new Once(["127.0.0.1", 0], Echo);
    try {
      const ts = [run(srv, 0.05), run(srv, 0.05)];
      for (let i = 0; i < 100 && res.length === 0; i++) await sleep(50);
      await sleep(300);
      out.after_raise = [...res].sort();
      const c = await socket.create_connection(srv.server_address as [string, number]);
      try {
        c.settimeout(10);
        await c.sendall(new TextEncoder().encode("hi"));
        out.answer = new TextDecoder().decode(await c.recv(10));
      } catch (e) {
        out.answer = String(e);
      } finally {
        c.close();
      }
      await bounded(srv.shutdown());
      await bounded(Promise.all(ts));
      out.after_shutdown = [...res].sort();
    } finally {
      srv.server_close();
    }
    const srv2 = new TCPServer(["127.0.0.1", 0], Echo);
    try {
      const first = srv2.serve_forever();
      await sleep(200);
      try {
        const r = await Promise.race([
          srv2.serve_forever("x" as unknown as number).then(() => "returned"),
          sleep(2000),
        ]);
        out.bad = r ?? "still waiting";
      } catch (e) {
        out.bad = `${(e as Error).name}: ${(e as Error).message}`;
      }
      await bounded(srv2.shutdown());
      await bounded(first);
    } finally {
      srv2.server_close();
    }
    assert.deepEqual(out, py);
  },
});
