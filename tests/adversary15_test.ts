// adv15: several serve_forever() calls on one server (P11-1's joined loop), each beside CPython's threads.
//
// A15-1: a joined serve_forever() whose running loop dies of an exception (service_actions raised) returned
// quietly and nobody served any more; CPython's other thread serves on (a client is answered), and the
// shutdown() afterwards ends it normally. With three loops, both others serve on (neither returns).
// A15-2: a joined serve_forever("x") waited quietly; CPython's thread raises its selector's TypeError.
// A15-3: a joined serve_forever(0.05) beside a serve_forever(null) never called service_actions(); CPython's
// thread calls it after each poll_interval its select() waited in vain.
// Also checked equal: restart after shutdown(), handle_request() timing out beside a running loop, a
// ThreadingTCPServer with two loops whose handler raises (handle_error, then serving on).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import { BaseRequestHandler, TCPServer, ThreadingTCPServer } from "../socketserver.ts";
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
# three loops, one raises: both others serve on (neither returns)
srv = Once(("127.0.0.1", 0), Echo)
res = []
for _ in range(3): threading.Thread(target=run, daemon=True).start()
for _ in range(100):
    if res: break
    time.sleep(0.05)
time.sleep(0.3)
out["after_raise3"] = sorted(res)
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
    res.length = 0;
    const srv3 = new Once(["127.0.0.1", 0], Echo);
    try {
      const ts = [run(srv3, 0.05), run(srv3, 0.05), run(srv3, 0.05)];
      for (let i = 0; i < 100 && res.length === 0; i++) await sleep(50);
      await sleep(300);
      out.after_raise3 = [...res].sort();
      await bounded(srv3.shutdown());
      await bounded(Promise.all(ts));
    } finally {
      srv3.server_close();
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

test({
  name: "A15-3: a joined serve_forever(poll_interval) calls service_actions() at its own poll_interval",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
out = {}
class S(socketserver.TCPServer):
    ticks = 0
    def service_actions(self): self.ticks += 1
srv = S(("127.0.0.1", 0), socketserver.BaseRequestHandler)
threading.Thread(target=srv.serve_forever, args=(None,), daemon=True).start()
time.sleep(0.1)
out["before"] = srv.ticks
threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
time.sleep(1.0)
out["ticked"] = srv.ticks >= 3
srv.shutdown(); srv.server_close()
print(json.dumps(out))
`);
    class S extends TCPServer {
      ticks = 0;
      override service_actions() {
        this.ticks++;
      }
    }
    const out: Record<string, unknown> = {};
    const srv = new S(["127.0.0.1", 0], BaseRequestHandler);
    try {
      const a = srv.serve_forever(null);
      await sleep(100);
      out.before = srv.ticks;
      const b = srv.serve_forever(0.05);
      await sleep(1000);
      out.ticked = srv.ticks >= 3;
      await Promise.race([srv.shutdown(), sleep(10_000)]);
      await Promise.race([Promise.all([a, b]), sleep(10_000)]);
    } finally {
      srv.server_close();
    }
    assert.deepEqual(out, py);
  },
});

test({
  name: "A15: restart, handle_request() beside serve_forever(), a raising handler under two loops: as CPython",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
out = {}
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.request.recv(100).upper())
def ask(srv, m=b"hi"):
    c = create_connection(srv.server_address); c.settimeout(10); c.sendall(m)
    try: return c.recv(10).decode()
    except Exception as e: return type(e).__name__
    finally: c.close()
srv = socketserver.TCPServer(("127.0.0.1", 0), Echo)
t = threading.Thread(target=srv.serve_forever, daemon=True); t.start(); time.sleep(0.1)
srv.shutdown(); t.join()
t = threading.Thread(target=srv.serve_forever, daemon=True); t.start(); time.sleep(0.1)
out["restart"] = ask(srv)
srv.shutdown(); t.join(); srv.server_close()
class T(socketserver.TCPServer):
    timeout = 0.2
    def handle_timeout(self): out["timeout"] = True
srv = T(("127.0.0.1", 0), Echo)
t = threading.Thread(target=srv.serve_forever, daemon=True); t.start(); time.sleep(0.1)
srv.handle_request()
out["serves_after"] = ask(srv)
srv.shutdown(); t.join(); srv.server_close()
errs = []
class Bad(socketserver.BaseRequestHandler):
    def handle(self):
        if self.request.recv(10) == b"bad": raise ValueError("x")
        self.request.sendall(b"ok")
class TS(socketserver.ThreadingTCPServer):
    def handle_error(self, r, a): errs.append("err")
srv = TS(("127.0.0.1", 0), Bad)
for _ in range(2): threading.Thread(target=srv.serve_forever, daemon=True).start()
time.sleep(0.1)
out["bad"] = ask(srv, b"bad"); out["good"] = ask(srv, b"good"); out["errs"] = errs
srv.shutdown(); srv.server_close()
print(json.dumps(out))
`);
    const out: Record<string, unknown> = {};
    const bounded = <T>(p: Promise<T>) => Promise.race([p, sleep(10_000)]);
    class Echo extends BaseRequestHandler {
      override async handle() {
        const r = this.request as socket.Socket;
        const data = await r.recv(100);
        await r.sendall(new TextEncoder().encode(new TextDecoder().decode(data).toUpperCase()));
      }
    }
    const ask = async (srv: TCPServer, m = "hi") => {
      const c = await socket.create_connection(srv.server_address as [string, number]);
      try {
        c.settimeout(10);
        await c.sendall(new TextEncoder().encode(m));
        return new TextDecoder().decode(await c.recv(10));
      } catch (e) {
        return (e as Error).name;
      } finally {
        c.close();
      }
    };
    const s1 = new TCPServer(["127.0.0.1", 0], Echo);
    try {
      let t = s1.serve_forever();
      await sleep(100);
      await bounded(s1.shutdown());
      await bounded(t);
      t = s1.serve_forever();
      await sleep(100);
      out.restart = await ask(s1);
      await bounded(s1.shutdown());
      await bounded(t);
    } finally {
      s1.server_close();
    }
    class T extends TCPServer {
      static override timeout = 0.2;
      override handle_timeout() {
        out.timeout = true;
      }
    }
    const s2 = new T(["127.0.0.1", 0], Echo);
    try {
      const t = s2.serve_forever();
      await sleep(100);
      await bounded(s2.handle_request());
      out.serves_after = await ask(s2);
      await bounded(s2.shutdown());
      await bounded(t);
    } finally {
      s2.server_close();
    }
    const errs: string[] = [];
    class Bad extends BaseRequestHandler {
      override async handle() {
        const r = this.request as socket.Socket;
        if (new TextDecoder().decode(await r.recv(10)) === "bad") throw new Error("x");
        await r.sendall(new TextEncoder().encode("ok"));
      }
    }
    class TS extends ThreadingTCPServer {
      override handle_error() {
        errs.push("err");
      }
    }
    const s3 = new TS(["127.0.0.1", 0], Bad);
    try {
      const ts = [s3.serve_forever(), s3.serve_forever()];
      await sleep(100);
      out.bad = await ask(s3, "bad");
      out.good = await ask(s3, "good");
      out.errs = errs;
      await bounded(s3.shutdown());
      await bounded(Promise.all(ts));
    } finally {
      s3.server_close();
    }
    assert.deepEqual(out, py);
  },
});

test({
  name: "A15-3: service_actions() raising in a joined serve_forever() ends that call only; the loop serves on",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
out = {}
class Echo(socketserver.BaseRequestHandler):
    def handle(self): self.request.sendall(self.request.recv(100).upper())
class S(socketserver.TCPServer):
    armed = False
    def service_actions(self):
        if self.armed:
            self.armed = False
            raise RuntimeError("joined")
srv = S(("127.0.0.1", 0), Echo)
res = []
def run(pi):
    try: srv.serve_forever(pi); res.append("returned")
    except Exception as e: res.append(type(e).__name__ + ": " + str(e))
threading.Thread(target=run, args=(None,), daemon=True).start(); time.sleep(0.1)
srv.armed = True
threading.Thread(target=run, args=(0.05,), daemon=True).start()
time.sleep(0.5)
out["res"] = sorted(res)
c = create_connection(srv.server_address); c.settimeout(10); c.sendall(b"hi"); out["answer"] = c.recv(10).decode(); c.close()
print(json.dumps(out))
`);
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
    class S extends TCPServer {
      armed = false;
      override service_actions() {
        if (this.armed) {
          this.armed = false;
          throw new RuntimeError("joined");
        }
      }
    }
    const out: Record<string, unknown> = {};
    const res: string[] = [];
    const srv = new S(["127.0.0.1", 0], Echo);
    try {
      const run = (pi: number | null) =>
        srv.serve_forever(pi).then(
          () => void res.push("returned"),
          (e: Error) => void res.push(`${e.name}: ${e.message}`),
        );
      const a = run(null);
      await sleep(100);
      srv.armed = true;
      const b = run(0.05);
      await sleep(500);
      out.res = [...res].sort();
      const c = await socket.create_connection(srv.server_address as [string, number]);
      try {
        c.settimeout(10);
        await c.sendall(new TextEncoder().encode("hi"));
        out.answer = new TextDecoder().decode(await c.recv(10));
      } finally {
        c.close();
      }
      await Promise.race([srv.shutdown(), sleep(10_000)]);
      await Promise.race([Promise.all([a, b]), sleep(10_000)]);
    } finally {
      srv.server_close();
    }
    assert.deepEqual(out, py);
  },
});
