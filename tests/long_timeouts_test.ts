// A timeout past setTimeout's range waits, as CPython's does. setTimeout fires a delay over 2**31-1 ms (~24.8 days)
// after 1 ms, so every timer pysocket arms from a user's timeout must be re-armed in steps: a `settimeout(3e6)`
// (35 days) that raised TimeoutError at once was found in the TLS handshake, a TLS accept and a send before the
// handshake (tests/tlshs_verify_cache_test.ts); these are the same class everywhere else a user's number becomes a
// timer: create_connection by name (Happy Eyeballs' per-attempt timer), socket timeouts on every wait, the select
// functions, socketserver's handle_request(timeout) and serve_forever(poll_interval). Each call must still be
// pending after 300 ms (CPython twin: the same calls in python3, each pending after 0.3 s), then ends when closed.

import assert from "node:assert/strict";
import { create_connection, create_server, type Socket, socketpair } from "../mod.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { stalled } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const LONG = 3e6; // seconds: 35 days, past setTimeout's 2**31-1 ms
const test = test_needing("python3");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const PY = String.raw`
import json, select, selectors, socket, socketserver, sys, threading, time
LONG = 3e6
out = {}
def pending(name, fn):
    box = []
    def run():
        try:
            fn(); box.append("done")
        except Exception as e:
            box.append(type(e).__name__)
    threading.Thread(target=run, daemon=True).start()
    time.sleep(0.3)
    out[name] = "pending" if not box else box[0]
stall = socket.socket(); stall.bind(("127.0.0.1", 0)); stall.listen(0)
filler = socket.create_connection(stall.getsockname())
a, b = socket.socketpair()
b.settimeout(LONG)
pending("recv", lambda: b.recv(1))
pending("readline", lambda: b.makefile("rb").readline())
lsn = socket.create_server(("127.0.0.1", 0)); lsn.settimeout(LONG)
pending("accept", lambda: lsn.accept())
c = socket.socket(); c.settimeout(LONG)
pending("connect", lambda: c.connect(stall.getsockname()))
pending("create_connection by name", lambda: socket.create_connection(("localhost", stall.getsockname()[1]), LONG))
pending("select.select", lambda: select.select([b], [], [], LONG))
sel = selectors.DefaultSelector(); sel.register(b, selectors.EVENT_READ)
pending("DefaultSelector.select", lambda: sel.select(LONG))
class H(socketserver.BaseRequestHandler):
    def handle(self): pass
class S(socketserver.TCPServer):
    timeouts = 0
    def handle_timeout(self): S.timeouts += 1
srv = S(("127.0.0.1", 0), H)
srv.timeout = LONG
pending("handle_request", srv.handle_request)
out["handle_timeout calls"] = S.timeouts
print(json.dumps(out))
`;

test("a timeout past setTimeout's range (3e6 s) waits in every call that takes one, as CPython's does", async () => {
  const py = await new Deno.Command("python3", { args: ["-c", PY], stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  assert.equal(py.code, 0, dec.decode(py.stderr));
  const theirs = JSON.parse(dec.decode(py.stdout)) as Record<string, string | number>;

  const stall = await stalled();
  const closers: { close(): void }[] = [];
  const ours: Record<string, string | number> = {};
  const started: [string, Promise<unknown>][] = [];
  const pending = (name: string, p: Promise<unknown>) => {
    ours[name] = "pending";
    started.push([name, p]);
    p.then(() => ours[name] = "done", (e: Error) => ours[name] = e.name);
  };
  const [a, b] = await socketpair();
  closers.push(a, b);
  b.settimeout(LONG);
  pending("recv", b.recv(1));
  const [c2, d2] = await socketpair(); // readline on a socket of its own (recv above holds b's reader)
  closers.push(c2, d2);
  d2.settimeout(LONG);
  pending("readline", d2.makefile("rb").readline());
  const lsn = create_server(["127.0.0.1", 0]);
  closers.push(lsn);
  lsn.settimeout(LONG);
  pending("accept", lsn.accept());
  const { socket } = await import("../mod.ts");
  const c = socket();
  closers.push(c);
  c.settimeout(LONG);
  pending("connect", c.connect(["127.0.0.1", stall.port]));
  pending(
    "create_connection by name",
    create_connection(["localhost", stall.port], LONG).then((s: Socket) => closers.push(s)),
  );
  const [e2, f2] = await socketpair();
  closers.push(e2, f2);
  pending("select.select", select([f2], [], [], LONG));
  const sel = new DefaultSelector();
  closers.push(sel);
  sel.register(f2, EVENT_READ);
  pending("DefaultSelector.select", sel.select(LONG));
  let timeouts = 0;
  class S extends TCPServer {
    override handle_timeout() {
      timeouts++;
    }
  }
  const srv = new S(["127.0.0.1", 0], BaseRequestHandler);
  srv.timeout = LONG;
  pending("handle_request", srv.handle_request());
  await sleep(300);
  ours["handle_timeout calls"] = timeouts;
  const snapshot = { ...ours };
  // End every wait: close what it waits on (each raises or returns; none may hang).
  for (const x of closers) x.close();
  stall[Symbol.dispose](); // the stalled connects' next SYN is refused
  await srv.server_close();
  await Promise.race([
    Promise.allSettled(started.map(([, p]) => p)),
    sleep(30_000).then(() => assert.fail(`a wait did not end after close: ${JSON.stringify(ours)}`)),
  ]);
  // Python's OverflowError (epoll's and poll()'s int of milliseconds ends at 2**31-1) is a RangeError here.
  const py_names = Object.fromEntries(
    Object.entries(theirs).map(([k, v]) => [k, v === "OverflowError" || v === "ValueError" ? "RangeError" : v]),
  );
  assert.deepEqual(snapshot, py_names);
  for (const k of ["recv", "readline", "accept", "connect", "create_connection by name", "select.select"]) {
    assert.equal(snapshot[k], "pending", k);
  }
});

const PY_TABLE = String.raw`
import json, math, select, selectors, socket, socketserver
a, b = socket.socketpair(); a.send(b"x")
sel = selectors.DefaultSelector(); sel.register(b, selectors.EVENT_READ)
srv = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
s = socket.socket()
out = []
for t in json.loads(input()):
    t = float(t)
    row = []
    for name, fn in (("select", lambda: select.select([b], [], [], t)), ("DefaultSelector", lambda: sel.select(t)),
                     ("settimeout", lambda: s.settimeout(t)), ("serve_forever", lambda: srv.serve_forever(t)),
                     ("handle_request", lambda: (setattr(srv, "timeout", t), srv.handle_request()))):
        if name in ("serve_forever", "handle_request") and not (t > 2147483.647 or math.isnan(t)):
            row.append("skip"); continue  # a valid one would serve (or wait)
        try:
            fn(); row.append("ok")
        except Exception as e:
            row.append(type(e).__name__ + ": " + str(e))
    out.append(row)
print(json.dumps(out))
`;

test("timeouts too large, infinite or NaN: CPython's errors from select(), DefaultSelector, settimeout and socketserver", async () => {
  const values = [
    "2147483.647",
    "2147483.6471",
    "3e6",
    "9223372036.8",
    "9223372036.86",
    "1e300",
    "inf",
    "-inf",
    "nan",
    "-1e300",
  ];
  const py = new Deno.Command("python3", { args: ["-c", PY_TABLE], stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const w = py.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(values) + "\n"));
  await w.close();
  const res = await py.output();
  const dec = new TextDecoder();
  assert.equal(res.code, 0, dec.decode(res.stderr));
  const theirs = (JSON.parse(dec.decode(res.stdout)) as string[][]).map((row) =>
    row.map((v) => v.replace(/^(OverflowError|ValueError): /, "RangeError: "))
  );
  const [a, b] = await socketpair();
  await a.sendall(new Uint8Array([120]));
  using sel = new DefaultSelector();
  sel.register(b, EVENT_READ);
  const srv = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
  const { socket } = await import("../mod.ts");
  using s = socket();
  const outcome = async (fn: () => unknown): Promise<string> => {
    try {
      await fn();
      return "ok";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const ours: string[][] = [];
  for (const v of values) {
    const t = Number(v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : v);
    const big = t > 2147483.647 || Number.isNaN(t); // (a valid timeout would serve or wait)
    ours.push([
      await outcome(() => select([b], [], [], t)),
      await outcome(() => sel.select(t)),
      await outcome(() => s.settimeout(t)),
      big ? await outcome(() => srv.serve_forever(t)) : "skip",
      big
        ? await outcome(() => {
          srv.timeout = t;
          return srv.handle_request();
        })
        : "skip",
    ]);
  }
  await srv.server_close();
  a.close();
  b.close();
  assert.deepEqual(ours, theirs);
});
