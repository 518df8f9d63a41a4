// adv14c: every state change while a blocking accept()/connect() waits (perf10 made both single reactions on the
// pending Deno op), against CPython 3.11's twin (threads there, tasks here): shutdown(SHUT_RD/SHUT_WR/SHUT_RDWR),
// settimeout()/setblocking() during the wait (the waiting call keeps its own timeout), a timed call made blocking, a
// process-wide setdefaulttimeout() changed mid-wait (the accepted socket takes the new default), the accepted
// socket's attributes and its readiness, AF_INET and AF_INET6; and 2,000 connect/close races leave no socket and
// nothing pending (a process of its own that must end).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  create_connection,
  setdefaulttimeout,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  SOCK_STREAM,
  type Socket,
  socket,
  SOL_SOCKET,
} from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython, settled_within, sleep } from "./_twin.ts";

const within = settled_within;

/** `[class, errno, message of a TimeoutError]`, as the twin's err3(). */
function err3(e: unknown): unknown[] {
  const o = e as { name?: string; errno?: number | null; message?: string };
  return [o.name ?? String(e), o.errno ?? null, o.name === "TimeoutError" ? o.message : null];
}

Deno.test("adv14c: state changes under a waiting blocking/timed connect() and accept(), accepted sockets' attributes (twin)", async () => {
  // The twin runs while pysocket's side does.
  const twin = cpython(`
def err3(e): return [type(e).__name__, getattr(e, "errno", None), str(e) if isinstance(e, TimeoutError) else None]
out = {}
def during(s, call, act, wait_after=0.2):
    got = []
    def run():
        try: call(s); got.append(["ok"])
        except Exception as e: got.append(err3(e))
    t = threading.Thread(target=run); t.start(); time.sleep(0.2)
    act(s); time.sleep(wait_after)
    t.join(5)
    return got[:1]
l, fill = stalled(); addr = l.getsockname()
def timed(v):
    s = socket(); s.settimeout(v); return s
def later(s, fn):
    fn(s); time.sleep(0.5); s.shutdown(SHUT_RDWR)
# Each row has its own socket (the connects all wait on one full listener, the accepts each on its own): the rows of
# a group run at once, each in its own threads.
def together(*rows):
    ts = [threading.Thread(target=r) for r in rows]
    for t in ts: t.start()
    for t in ts: t.join(20)
def shut_row(name, how):
    def r():
        s = socket(); out[name] = during(s, lambda s: s.connect(addr), lambda s: s.shutdown(how)); s.close()
    return r
def r_settimeout():
    s = socket(); out["conn_settimeout"] = during(s, lambda s: s.connect(addr), lambda s: later(s, lambda s: s.settimeout(0.2))); s.close()
def r_setblocking():
    s = socket(); out["conn_setblocking"] = during(s, lambda s: s.connect(addr), lambda s: later(s, lambda s: s.setblocking(False))); s.close()
def r_timed_none():
    s = timed(0.8); out["timed_conn_none"] = during(s, lambda s: s.connect(addr), lambda s: s.settimeout(None), 0.8); s.close()
def r_timed_setblocking():
    s = timed(0.8); out["timed_conn_setblocking"] = during(s, lambda s: s.connect(addr), lambda s: s.setblocking(False), 0.8); s.close()
def r_timed_shut():
    s = timed(2); out["timed_conn_shut"] = during(s, lambda s: s.connect(addr), lambda s: s.shutdown(SHUT_RDWR))
    out["timed_conn_shut_after"] = [s.connect_ex(addr), s.getsockopt(SOL_SOCKET, SO_ERROR)]; s.close()
together(shut_row("conn_shut_rdwr", SHUT_RDWR), shut_row("conn_shut_rd", SHUT_RD), shut_row("conn_shut_wr", SHUT_WR),
         r_settimeout, r_setblocking, r_timed_none, r_timed_setblocking, r_timed_shut)
l.close()
for f in fill: f.close()
def lis(fam=AF_INET, t=None):
    x = socket(fam); x.bind(("127.0.0.1", 0) if fam == AF_INET else ("::1", 0)); x.listen(); x.settimeout(t); return x
def connect_soon(x):
    threading.Timer(0.1, lambda: create_connection(x.getsockname()[:2]).close()).start()
def acc_row(name, t, call, act, wait_after=0.2):
    def r():
        x = lis(t=t); out[name] = during(x, call, act, wait_after); x.close()
    return r
together(
    acc_row("acc_settimeout", None, lambda s: s.accept()[0].close(), lambda s: (s.settimeout(0.2), time.sleep(0.4), connect_soon(s)), 0.5),
    acc_row("timed_acc_none", 0.8, lambda s: s.accept(), lambda s: s.settimeout(None), 0.8),
    acc_row("timed_acc_setblocking", 0.8, lambda s: s.accept(), lambda s: s.setblocking(True), 0.8),
    acc_row("acc_shut_rdwr", None, lambda s: s.accept(), lambda s: s.shutdown(SHUT_RDWR)),
    acc_row("acc_shut_rd", None, lambda s: s.accept(), lambda s: s.shutdown(SHUT_RD)))
for fam in (AF_INET, AF_INET6):
    x = lis(fam); res = []
    def run():
        a, ad = x.accept()
        res.append([a.family == fam, a.type == SOCK_STREAM, a.proto, a.gettimeout(), a.getblocking(), a.getsockname() == x.getsockname(), a.getpeername() == ad, a.fileno() > 0])
        r, w, _ = select.select([a, x], [a], [], 0); res.append([len(r), len(w)])
        a.close()
    t = threading.Thread(target=run); t.start(); time.sleep(0.2)
    setdefaulttimeout(2.5)
    c = create_connection(x.getsockname()[:2], None); t.join(5); setdefaulttimeout(None)
    out["accepted_%d" % fam] = res; c.close(); x.close()
x = lis(t=3); c = create_connection(x.getsockname()); a, _ = x.accept(); out["acc_from_timed"] = [a.gettimeout(), a.getblocking()]; a.close(); c.close(); x.close()
setdefaulttimeout(0)
x = lis(); c = create_connection(x.getsockname(), None); a, _ = x.accept(); out["acc_default0"] = [a.gettimeout(), a.getblocking(), x.gettimeout()]; a.close(); c.close(); x.close()
setdefaulttimeout(None)
print(json.dumps(out))
`) as Promise<Record<string, unknown>>;

  const out: Record<string, unknown> = {};
  const during = async (s: Socket, call: (s: Socket) => Promise<unknown>, act: (s: Socket) => unknown, after = 200) => {
    const got: unknown[] = [];
    const p = call(s).then(() => got.push(["ok"]), (e) => got.push(err3(e)));
    await sleep(200);
    await act(s);
    await sleep(after);
    await within(p, 5_000);
    return got.slice(0, 1);
  };
  // A listener whose backlog is full: connects to it wait.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
  const port = (l.addr as Deno.NetAddr).port;
  const filler = await Deno.connect({ hostname: "127.0.0.1", port });
  const addr: [string, number] = ["127.0.0.1", port];
  const timed = (v: number) => {
    const s = socket();
    s.settimeout(v);
    return s;
  };
  const later = async (s: Socket, fn: (s: Socket) => void) => {
    fn(s);
    await sleep(500);
    await s.shutdown(SHUT_RDWR);
  };
  try {
    // Each row has its own socket (the connects all wait on the one full listener): all at once.
    const row = async (name: string, s: Socket, f: (s: Socket) => Promise<unknown>) => {
      try {
        out[name] = await f(s);
      } finally {
        if (name !== "timed_conn_shut") s.close();
      }
    };
    await Promise.all([
      ...([["conn_shut_rdwr", SHUT_RDWR], ["conn_shut_rd", SHUT_RD], ["conn_shut_wr", SHUT_WR]] as const).map((
        [name, how],
      ) => row(name, socket(), (s) => during(s, (s) => s.connect(addr), (s) => s.shutdown(how)))),
      row(
        "conn_settimeout",
        socket(),
        (s) => during(s, (s) => s.connect(addr), (s) => later(s, (s) => s.settimeout(0.2))),
      ),
      row(
        "conn_setblocking",
        socket(),
        (s) => during(s, (s) => s.connect(addr), (s) => later(s, (s) => s.setblocking(false))),
      ),
      row("timed_conn_none", timed(0.8), (s) => during(s, (s) => s.connect(addr), (s) => s.settimeout(null), 800)),
      row(
        "timed_conn_setblocking",
        timed(0.8),
        (s) => during(s, (s) => s.connect(addr), (s) => s.setblocking(false), 800),
      ),
      (async () => {
        const s = timed(2);
        try {
          out.timed_conn_shut = await during(s, (s) => s.connect(addr), (s) => s.shutdown(SHUT_RDWR));
          out.timed_conn_shut_after = [await s.connect_ex(addr), s.getsockopt(SOL_SOCKET, SO_ERROR)];
        } finally {
          s.close();
        }
      })(),
    ]);
  } finally {
    filler.close();
    l.close();
  }
  const lis = (fam: number = AF_INET, t: number | null = null) => {
    const x = socket(fam);
    x.bind(fam === AF_INET ? ["127.0.0.1", 0] : ["::1", 0]);
    x.listen();
    x.settimeout(t);
    return x;
  };
  const name2 = (x: Socket) => (x.getsockname() as [string, number]).slice(0, 2) as [string, number];
  const connect_soon = (x: Socket) => setTimeout(async () => (await create_connection(name2(x))).close(), 100);
  // Each accept row has its own listener: all at once.
  const acc = async (name: string, x: Socket, f: (x: Socket) => Promise<unknown>) => {
    try {
      out[name] = await f(x);
    } finally {
      x.close();
    }
  };
  await Promise.all([
    acc("acc_settimeout", lis(), (x) =>
      during(x, (s) => s.accept().then(([a]) => a.close()), async (s) => {
        s.settimeout(0.2);
        await sleep(400);
        connect_soon(s);
      }, 500)),
    acc("timed_acc_none", lis(AF_INET, 0.8), (x) => during(x, (s) => s.accept(), (s) => s.settimeout(null), 800)),
    acc(
      "timed_acc_setblocking",
      lis(AF_INET, 0.8),
      (x) => during(x, (s) => s.accept(), (s) => s.setblocking(true), 800),
    ),
    acc("acc_shut_rdwr", lis(), (x) => during(x, (s) => s.accept(), (s) => s.shutdown(SHUT_RDWR))),
    acc("acc_shut_rd", lis(), (x) => during(x, (s) => s.accept(), (s) => s.shutdown(SHUT_RD))),
  ]);
  for (const fam of [AF_INET, AF_INET6]) {
    const x = lis(fam);
    const res: unknown[] = [];
    const p = x.accept().then(async ([a, ad]) => {
      const same = (u: unknown, v: unknown) => JSON.stringify(u) === JSON.stringify(v);
      res.push([
        a.family === fam,
        a.type === SOCK_STREAM,
        a.proto,
        a.gettimeout(),
        a.getblocking(),
        same(a.getsockname(), x.getsockname()),
        same(a.getpeername(), ad),
        a.fileno() > 0,
      ]);
      const [r, w] = await select([a, x], [a], [], 0);
      res.push([r.length, w.length]);
      a.close();
    });
    await sleep(200);
    setdefaulttimeout(2.5);
    try {
      const c = await create_connection(name2(x), null);
      await within(p, 5_000);
      c.close();
    } finally {
      setdefaulttimeout(null);
    }
    out[`accepted_${fam}`] = res;
    x.close();
  }
  {
    const x = lis(AF_INET, 3);
    const c = await create_connection(name2(x));
    const [a] = await x.accept();
    out.acc_from_timed = [a.gettimeout(), a.getblocking()];
    a.close();
    c.close();
    x.close();
  }
  setdefaulttimeout(0);
  try {
    const x = lis();
    const c = await create_connection(name2(x), null);
    const [a] = await x.accept();
    out.acc_default0 = [a.gettimeout(), a.getblocking(), x.gettimeout()];
    a.close();
    c.close();
    x.close();
  } finally {
    setdefaulttimeout(null);
  }
  assert.deepEqual(out, await twin);
});

Deno.test("adv14c: 2,000 connects raced by close() (same turn, a microtask, a timer, after) and 500 create_connection()s leave no socket open and nothing pending: the process ends", async () => {
  const mod = new URL("../mod.ts", import.meta.url).href;
  const code = `
import { create_connection, socket } from ${JSON.stringify(mod)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The process's TCP sockets: its socket descriptors but Unix ones (Deno opens a Unix socket pair of its own once,
// lazily, during such a run; raw Deno too).
const sockets = () => {
  const unix = new Set(Deno.readTextFileSync("/proc/self/net/unix").split("\\n").slice(1).map((l) => l.trim().split(/\\s+/)[6]));
  return [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
    try {
      const m = /^socket:\\[(\\d+)\\]$/.exec(Deno.readLinkSync("/proc/self/fd/" + e.name));
      return m !== null && !unix.has(m[1]);
    } catch { return false; }
  }).length;
};
const srv = socket(); srv.bind(["127.0.0.1", 0]); srv.listen(128);
const addr = srv.getsockname();
const stall = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 });
const filler = await Deno.connect({ hostname: "127.0.0.1", port: stall.addr.port });
const base = sockets();
const acc = (async () => { for (;;) { try { const [a] = await srv.accept(); a.close(); } catch { return; } } })();
const seen = {};
const note = (k) => seen[k] = (seen[k] ?? 0) + 1;
for (let i = 0; i < 2000; i++) {
  const s = socket();
  const to = i % 8 < 6 ? addr : ["127.0.0.1", stall.addr.port];
  const p = s.connect(to).then(() => note("ok"), (e) => note(e.name + e.errno));
  const mode = i % 4;
  if (mode === 0) s.close();
  else if (mode === 1) { await Promise.resolve(); s.close(); }
  else if (mode === 2) setTimeout(() => s.close(), 0);
  else { await Promise.race([p, sleep(5)]); s.close(); }
  await p;
}
for (let i = 0; i < 500; i++) (await create_connection(addr)).close();
await sleep(300);
const after = sockets();
srv.close(); await acc; filler.close(); stall.close();
console.log(JSON.stringify({ base, after, total: Object.values(seen).reduce((a, b) => a + b, 0) }));
`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(code));
  await w.close();
  const killer = setTimeout(() => child.kill(), 90_000);
  const res = await child.output();
  clearTimeout(killer);
  assert.equal(res.code, 0, `the process did not end by itself: ${new TextDecoder().decode(res.stderr)}`);
  const got = JSON.parse(new TextDecoder().decode(res.stdout).trim().split("\n").at(-1)!);
  assert.equal(got.total, 2000);
  assert.ok(got.base > 0, JSON.stringify(got));
  assert.equal(got.after, got.base, `sockets left open: ${JSON.stringify(got)}`);
});
