// fix19c: socketserver findings C1-4, C1-5, C1-6 (cpy1) as classes: every server class, both ways of serving, and
// the siblings of C1-6 (verify_request, shutdown_request and handle_error raising). Each test runs a python3 twin of
// the same scenario and compares (CPython's ValueError is pysocket's RangeError).

import assert from "node:assert/strict";
import { type Address, AF_INET, AF_UNIX, create_connection, SOCK_DGRAM, socket } from "../mod.ts";
import {
  BaseRequestHandler,
  type Request,
  TCPServer,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixStreamServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "../socketserver.ts";
import { cpython, pooled, settled_within, sleep } from "./_twin.ts";
import { TempDir } from "./_socket_fixtures.ts";

const HOST = "127.0.0.1";
const py_name = (n: string) => n === "ValueError" ? "RangeError" : n;

const CLASSES = {
  TCPServer,
  UDPServer,
  UnixStreamServer,
  UnixDatagramServer,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixStreamServer,
} as const;
type ClassName = keyof typeof CLASSES;
const NAMES = Object.keys(CLASSES) as ClassName[];

const PY_CLASSES = `
import socketserver, io
def addr_for(name):
    return os.path.join(tempfile.mkdtemp(), "s") if "Unix" in name else ("127.0.0.1", 0)
`;

function make(name: ClassName, dir: TempDir, Base?: typeof TCPServer): TCPServer {
  const cls = Base ?? CLASSES[name];
  return new cls(name.includes("Unix") ? dir.sock(`${name}-${Math.random()}`) : [HOST, 0], BaseRequestHandler);
}

Deno.test("fix19c C1-4: shutdown() before serve_forever() is kept; the late serve_forever() returns at once", async () => {
  // [late serve_forever returned within 1 s, service_actions it ran, a second serve_forever serves (alive 0.3 s)]
  // The classes are independent (a server each) and mostly wait: all at once on each side, both sides at once.
  const twin = cpython(
    PY_CLASSES + `
out = {}
def row(name):
    class S(getattr(socketserver, name)):
        actions = 0
        def service_actions(self): self.actions += 1
    s = S(addr_for(name), socketserver.BaseRequestHandler)
    t = threading.Thread(target=s.shutdown, daemon=True); t.start()   # blocks until a serve_forever() ends
    time.sleep(0.1)
    t0 = time.monotonic(); s.serve_forever(0.01); late = time.monotonic() - t0 < 1
    t.join(1); first = s.actions
    t2 = threading.Thread(target=s.serve_forever, args=(0.01,), daemon=True); t2.start(); t2.join(0.3)
    serving = t2.is_alive()
    s.shutdown(); t2.join(2); s.server_close()
    out[name] = [late, first, serving, not t.is_alive()]
rows = [threading.Thread(target=row, args=(name,)) for name in ${JSON.stringify(NAMES)}]
for r in rows: r.start()
for r in rows: r.join(20)
print(json.dumps(out))
`,
  ) as Promise<Record<string, unknown[]>>;
  using dir = new TempDir();
  const ts: Record<string, unknown[]> = {};
  await Promise.all(NAMES.map(async (name) => {
    class S extends (CLASSES[name] as typeof TCPServer) {
      actions = 0;
      override service_actions() {
        this.actions++;
      }
    }
    const s = make(name, dir, S) as S;
    try {
      const shut = s.shutdown(); // resolves at once: pysocket never blocks here
      await sleep(100);
      const late = await settled_within(s.serve_forever(0.01).then(() => true), 1000);
      const first = s.actions;
      const serving = s.serve_forever(0.01);
      const alive = (await settled_within(serving.then(() => "ended"), 300)) === null;
      await s.shutdown();
      await settled_within(serving, 2000);
      ts[name] = [late === true, first, alive, (await settled_within(shut.then(() => true), 100)) === true];
    } finally {
      await s.shutdown();
      await s.server_close();
    }
  }));
  const py = await twin;
  assert.deepEqual(Object.fromEntries(NAMES.map((n) => [n, ts[n]])), py);
  for (const name of NAMES) assert.deepEqual(py[name], [true, 0, true, true], name);
});

Deno.test("fix19c C1-5: serve_forever()/handle_request() on a closed server: ValueError 'Invalid file descriptor: -1'", async () => {
  const py = await cpython(
    PY_CLASSES + `
out = {}
for name in ${JSON.stringify(NAMES)}:
    s = getattr(socketserver, name)(addr_for(name), socketserver.BaseRequestHandler); s.server_close()
    row = []
    def shut_then_serve():
        threading.Thread(target=s.shutdown, daemon=True).start(); time.sleep(0.05); s.serve_forever(0.01)
    def typed_timeout():
        s.timeout = "x"
        try: s.handle_request()
        finally: s.timeout = None
    for call in (lambda: s.serve_forever(0.01), s.handle_request, lambda: s.serve_forever("x"),
                 lambda: s.serve_forever(float("nan")), shut_then_serve, typed_timeout):
        try: call(); row.append(["ok", None])
        except Exception as e: row.append([type(e).__name__, str(e)])
    out[name] = row
print(json.dumps(out))
`,
  ) as Record<string, [string, string | null][]>;
  using dir = new TempDir();
  const ts: Record<string, [string, string | null][]> = {};
  for (const name of NAMES) {
    const s = make(name, dir);
    await s.server_close();
    const row: [string, string | null][] = [];
    const calls: (() => Promise<unknown>)[] = [
      () => s.serve_forever(0.01),
      () => s.handle_request(),
      () => s.serve_forever("x" as never),
      () => s.serve_forever(NaN),
      async () => {
        void s.shutdown();
        await sleep(50);
        await s.serve_forever(0.01);
      },
      async () => {
        s.timeout = "x" as never;
        try {
          await s.handle_request();
        } finally {
          s.timeout = null;
        }
      },
    ];
    for (const call of calls) {
      const r = await settled_within(
        call().then(
          (): [string, string | null] => ["ok", null],
          (e): [string, string | null] => [(e as Error).name, (e as Error).message],
        ),
        1000,
      );
      row.push(r ?? ["still waiting", null]);
    }
    ts[name] = row;
  }
  const want = Object.fromEntries(
    Object.entries(py).map(([k, rows]) => [k, rows.map(([n, m]) => [py_name(n), m])]),
  );
  assert.deepEqual(ts, want);
  assert.deepEqual(py.TCPServer?.[0], ["ValueError", "Invalid file descriptor: -1"]);
});

/** Scenarios of C1-6 and its siblings: which hook raises. */
const WHATS = ["handler", "verify", "shut", "refuse_shut", "process", "process_raise", "process_sync"] as const;
type What = typeof WHATS[number];
const SERVING = ["TCPServer", "ThreadingTCPServer", "UDPServer", "ThreadingUDPServer", "UnixStreamServer"] as const;

Deno.test("fix19c C1-6 class: an error of handle_error/verify_request/shutdown_request/process_request on plain and threading servers", async () => {
  const twin = cpython(
    PY_CLASSES + `
sys.stderr = io.StringIO()
def run(name, mode, what):
    log = []
    class H(socketserver.BaseRequestHandler):
        def handle(self):
            log.append("handle")
            if what == "handler": raise ValueError("boom")
    class S(getattr(socketserver, name)):
        def verify_request(self, r, a):
            if what == "verify": raise ValueError("v")
            return what != "refuse_shut"
        def shutdown_request(self, r):
            log.append("shutdown_request")
            if what in ("shut", "refuse_shut"): raise ValueError("s")
            super().shutdown_request(r)
        def process_request(self, r, a):
            if what.startswith("process"):
                log.append("process_request"); raise ValueError("p")
            super().process_request(r, a)
        def handle_error(self, r, a):
            log.append("handle_error:" + type(sys.exc_info()[1]).__name__)
            if what in ("handler", "process_raise"): raise
    s = S(addr_for(name), H)
    if "UDP" in name:
        c = socket(AF_INET, SOCK_DGRAM); c.sendto(b"x", s.server_address)
    else:
        c = socket(AF_UNIX if "Unix" in name else AF_INET); c.connect(s.server_address)
    out = []
    def call():
        try:
            s.handle_request() if mode == "handle_request" else s.serve_forever(0.01)
            out.append("returned")
        except Exception as e:
            out.append("raised " + type(e).__name__)
    t = threading.Thread(target=call, daemon=True); t.start(); t.join(0.5)
    if not out:
        s.shutdown(); t.join(); out.insert(0, "still serving")
    time.sleep(0.05)   # a handler thread's last hook
    c.close(); s.server_close()
    return " ".join([out[0]] + log)
# The rows are independent (their own server and client) and a row still serving waits 0.5 s: eight at a time.
import concurrent.futures
keys = [(n, m, w) for n in ${JSON.stringify(SERVING)} for m in ("handle_request", "serve_forever") for w in ${
      JSON.stringify(WHATS)
    }]
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    print(json.dumps(dict(zip([f"{n}.{m}.{w}" for n, m, w in keys], ex.map(lambda k: run(*k), keys)))))
`,
  ) as Promise<Record<string, string>>;
  using dir = new TempDir();
  const ts: Record<string, string> = {};
  // As the twin: eight rows at a time, both sides at once.
  const keys = SERVING.flatMap((name) =>
    ["handle_request", "serve_forever"].flatMap((mode) => WHATS.map((what) => [name, mode, what] as const))
  );
  await pooled(keys, 8, async ([name, mode, what]) => {
    ts[`${name}.${mode}.${what}`] = await ts_row(name, mode, what, dir);
  });
  const py = await twin;
  const want = Object.fromEntries(Object.entries(py).map(([k, v]) => [k, v.replaceAll("ValueError", "RangeError")]));
  assert.deepEqual(ts, want);
  // CPython's rows that make the class: a plain server lets every such error out; a threading server only
  // verify_request's and the refused request's shutdown_request's (they run in the serving thread).
  assert.equal(py["TCPServer.serve_forever.handler"], "raised ValueError handle handle_error:ValueError");
  assert.equal(py["ThreadingTCPServer.serve_forever.handler"]?.split(" ")[0], "still");
  assert.equal(py["ThreadingTCPServer.serve_forever.verify"], "raised ValueError");
});

async function ts_row(name: typeof SERVING[number], mode: string, what: What, dir: TempDir): Promise<string> {
  const log: string[] = [];
  class H extends BaseRequestHandler {
    override handle(): void {
      log.push("handle");
      if (what === "handler") throw new RangeError("boom");
    }
  }
  class S extends (CLASSES[name] as typeof TCPServer) {
    override verify_request(): boolean {
      if (what === "verify") throw new RangeError("v");
      return what !== "refuse_shut";
    }
    override async shutdown_request(r: Request): Promise<void> {
      log.push("shutdown_request");
      if (what === "shut" || what === "refuse_shut") throw new RangeError("s");
      await super.shutdown_request(r);
    }
    override process_request(r: Request, a: Address): Promise<void> {
      if (what === "process_sync") {
        log.push("process_request");
        throw new RangeError("p");
      }
      if (what === "process" || what === "process_raise") {
        log.push("process_request");
        return Promise.reject(new RangeError("p")); // an async override's error
      }
      return super.process_request(r, a);
    }
    override handle_error(_r: Request | null, _a: Address | null, e?: unknown): void {
      log.push(`handle_error:${(e as Error).name}`);
      if (what === "handler" || what === "process_raise") throw e;
    }
  }
  const s = new S(name.includes("Unix") ? dir.sock(`${name}-${mode}-${what}`) : [HOST, 0], H);
  const c = name.includes("UDP") ? socket(AF_INET, SOCK_DGRAM) : name.includes("Unix") ? socket(AF_UNIX) : null;
  let conn = null;
  try {
    if (name.includes("UDP")) await c!.sendto(new Uint8Array([120]), s.server_address);
    else if (c) await c.connect(s.server_address);
    else conn = await create_connection(s.server_address as [string, number]);
    const p = (mode === "handle_request" ? s.handle_request() : s.serve_forever(0.01))
      .then(() => "returned", (e) => `raised ${(e as Error).name}`);
    let out = await settled_within(p, 500);
    if (out === null) {
      await s.shutdown();
      await p;
      out = "still serving";
    }
    await sleep(50); // a handler task's last hook
    return [out, ...log].join(" ");
  } finally {
    c?.close();
    conn?.close();
    await s.server_close();
  }
}
