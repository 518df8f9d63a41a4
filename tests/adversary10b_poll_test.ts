// adv10b: select.poll() against CPython's select.poll(), where port8's twin did not go: the timeout argument
// (floats rounded away from zero, NaN, huge values, non-numbers: CPython's error texts; A10b-10), a second poll()
// while one waits (RuntimeError "concurrent poll() invocation"; A10b-8), register/modify/unregister while a
// poll() waits (it waits on what was registered when it began, as CPython's), one socket registered twice (as an
// object and by its number), listening, UDP and Unix sockets; and a poll-loop echo server at scale (A10b-9: each
// poll() was quadratic in the number of registered sockets).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { python } from "./_ssl_fixtures.ts";

const test = test_needing("python3");

/** [label, timeout as Python writes it, as TypeScript passes it] */
const TIMEOUTS: [string, string, unknown][] = [
  ["0.4", "0.4", 0.4],
  ["1.5", "1.5", 1.5],
  ["-0.0", "-0.0", -0],
  ["True", "True", true],
  ["2**31", "2**31", 2 ** 31],
  ["-2**31-1", "-2**31-1", -(2 ** 31) - 1],
  ["2147483647.5", "2147483647.5", 2147483647.5],
  ["9223372036854", "9223372036854", 9223372036854],
  ["9223372036855", "9223372036855", 9223372036855],
  ["-9223372036855", "-9223372036855", -9223372036855],
  ["9.2e12 (float)", "9.2e12", 9.2e12 + 0.5],
  ["1e13 (float)", "1e13 + 0.5", 1e13 + 0.5],
  ["nan", "float('nan')", NaN],
  ["inf", "float('inf')", Infinity],
  ["-inf", "float('-inf')", -Infinity],
  ["'1'", "'1'", "1"],
  ["[]", "[]", []],
];

const PY = `
import json, select, socket, threading, time, os, tempfile, sys
out = []
def show(label, v): out.append([label, v])
a, b = socket.socketpair()
p = select.poll()
p.register(a, select.POLLIN)
for label, expr in json.loads(sys.argv[1]):
    t = eval(expr)
    try:
        t0 = time.monotonic(); r = p.poll(t); show("timeout " + label, [r, time.monotonic() - t0 < 5])
    except Exception as e:
        show("timeout " + label, [type(e).__name__, str(e)])
# A second poll() while one waits.
res = {}
def waiter(): res["first"] = p.poll(400)
th = threading.Thread(target=waiter); th.start(); time.sleep(0.1)
try: p.poll(0); show("concurrent", "no error")
except Exception as e: show("concurrent", [type(e).__name__, str(e)])
th.join(); show("first poll after", res["first"])
show("poll again", p.poll(0))
# unregister while waiting, then the socket becomes ready: the waiting poll() still reports it.
def later(f, delay): threading.Timer(delay, f).start()
later(lambda: (p.unregister(a), b.send(b"x")), 0.1)
show("unregistered while waiting", [e for _, e in p.poll(3000)])
a.recv(10)
show("after unregister", p.poll(0))
# modify while waiting: the waiting poll() keeps the mask it began with.
p.register(a, select.POLLIN)
later(lambda: p.modify(a, select.POLLOUT), 0.1)
show("modified while waiting", p.poll(400))
show("after modify", [e for _, e in p.poll(0)])
# register while waiting: not watched by the waiting poll().
q = select.poll()
c, d = socket.socketpair()
q.register(c, select.POLLIN)
later(lambda: q.register(d, select.POLLOUT), 0.1)
show("registered while waiting", q.poll(400))
show("after register", [e for _, e in q.poll(0)])
# One socket registered twice: as an object, then by its number.
r = select.poll()
r.register(c, select.POLLIN)
r.register(c, select.POLLOUT)
show("registered twice", [e for _, e in r.poll(0)])
r.register(c.fileno(), select.POLLIN | select.POLLOUT)
show("again by number", [e for _, e in r.poll(0)])
# Listening, UDP, Unix datagram sockets.
l = socket.create_server(("127.0.0.1", 0))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
s = select.poll()
s.register(l); s.register(u)
show("idle listener and UDP", [e for _, e in s.poll(0)])
k = socket.create_connection(l.getsockname())
u.sendto(b"dgram", u.getsockname())
time.sleep(0.1)
show("listener with a client, UDP with a datagram", [e for _, e in s.poll(1000)])
dd = tempfile.mkdtemp()
x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); x.bind(dd + "/x")
y = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
v = select.poll(); v.register(x, select.POLLIN)
show("idle unix dgram", v.poll(0))
y.sendto(b"hi", dd + "/x")
show("unix dgram with a datagram", [e for _, e in v.poll(1000)])
print(json.dumps(out))
`;

type Row = [string, unknown];

async function ts_twin(): Promise<Row[]> {
  const out: Row[] = [];
  const show = (label: string, v: unknown) => out.push([label, v]);
  const events = (r: [number, number][]) => r.map(([, e]) => e);
  const name = (e: unknown) => (e as Error).name === "RangeError" ? "ValueError|OverflowError" : (e as Error).name;
  const [a, b] = await socket.socketpair();
  const p = select.poll();
  p.register(a, select.POLLIN);
  for (const [label, , t] of TIMEOUTS) {
    try {
      const t0 = performance.now();
      // Bounded even against a regression that waits for ever (the old code's NaN or 2**31).
      const r = await p.poll(t as number, { signal: AbortSignal.timeout(5_000) });
      show("timeout " + label, [r, performance.now() - t0 < 5000]);
    } catch (e) {
      show("timeout " + label, [name(e), (e as Error).message]);
    }
  }
  const first = p.poll(400);
  await new Promise((r) => setTimeout(r, 100));
  try {
    await p.poll(0);
    show("concurrent", "no error");
  } catch (e) {
    show("concurrent", [name(e), (e as Error).message]);
  }
  show("first poll after", await first);
  show("poll again", await p.poll(0));
  const later = (f: () => unknown, ms: number) => setTimeout(f, ms);
  later(() => (p.unregister(a), b.send(new Uint8Array([0x78]))), 100);
  show("unregistered while waiting", events(await p.poll(3000)));
  await a.recv(10);
  show("after unregister", await p.poll(0));
  p.register(a, select.POLLIN);
  later(() => p.modify(a, select.POLLOUT), 100);
  show("modified while waiting", await p.poll(400));
  show("after modify", events(await p.poll(0)));
  const q = select.poll();
  const [c, d] = await socket.socketpair();
  q.register(c, select.POLLIN);
  later(() => q.register(d, select.POLLOUT), 100);
  show("registered while waiting", await q.poll(400));
  show("after register", events(await q.poll(0)));
  const r = select.poll();
  r.register(c, select.POLLIN);
  r.register(c, select.POLLOUT);
  show("registered twice", events(await r.poll(0)));
  r.register(c.fileno(), select.POLLIN | select.POLLOUT);
  show("again by number", events(await r.poll(0)));
  const l = socket.create_server(["127.0.0.1", 0]);
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const s = select.poll();
  s.register(l);
  s.register(u);
  show("idle listener and UDP", events(await s.poll(0)));
  const k = await socket.create_connection(l.getsockname() as [string, number]);
  await u.sendto(new TextEncoder().encode("dgram"), u.getsockname());
  await new Promise((r) => setTimeout(r, 100));
  show("listener with a client, UDP with a datagram", events(await s.poll(1000)));
  const dd = Deno.makeTempDirSync();
  const x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  x.bind(`${dd}/x`);
  const y = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const v = select.poll();
  v.register(x, select.POLLIN);
  show("idle unix dgram", await v.poll(0));
  await y.sendto(new TextEncoder().encode("hi"), `${dd}/x`);
  show("unix dgram with a datagram", events(await v.poll(1000)));
  for (const z of [a, b, c, d, l, u, k, x, y]) z.close();
  Deno.removeSync(dd, { recursive: true });
  return out;
}

test("adversary10b: poll() timeouts, a concurrent poll(), registrations changed while one waits, double registration, listener/UDP/Unix readiness: as CPython's select.poll()", async () => {
  const r = await python(PY, JSON.stringify(TIMEOUTS.map(([l, e]) => [l, e])));
  assert.equal(r.code, 0, r.err);
  const want = (JSON.parse(r.out.trim().split("\n").at(-1)!) as Row[]).map(([label, v]) => {
    // Python's ValueError/OverflowError are RangeError in pysocket (the message is Python's).
    const vv = Array.isArray(v) && (v[0] === "ValueError" || v[0] === "OverflowError")
      ? ["ValueError|OverflowError", v[1]]
      : v;
    return [label, vv] as Row;
  });
  const got = await ts_twin();
  const norm = (rows: Row[]) => JSON.parse(JSON.stringify(rows));
  assert.deepEqual(norm(got), norm(want));
});

test("adversary10b: a poll() loop echo server over 300 connections answers every client (bounded; linear per poll)", async () => {
  const l = socket.create_server(["127.0.0.1", 0], { backlog: 512 });
  l.setblocking(false);
  const p = select.poll();
  p.register(l, select.POLLIN);
  const by_fd = new Map<number, socket.Socket>([[l.fileno(), l]]);
  const N = 300;
  let served = 0;
  const server = (async () => {
    for (let round = 0; round < 20_000 && served < N; round++) {
      for (const [fd, ev] of await p.poll(10_000)) {
        const sk = by_fd.get(fd)!;
        if (sk === l) {
          for (let i = 0; i < 64; i++) {
            try {
              const [c] = await l.accept();
              c.setblocking(false);
              by_fd.set(c.fileno(), c);
              p.register(c, select.POLLIN);
            } catch (e) {
              if (e instanceof socket.BlockingIOError) break;
              throw e;
            }
          }
        } else if (ev & select.POLLIN) {
          const data = await sk.recv(100);
          if (data.length) await sk.sendall(data);
          else {
            p.unregister(sk);
            by_fd.delete(fd);
            sk.close();
            served++;
          }
        }
      }
    }
  })();
  const port = l.getsockname()[1] as number;
  const client = async (i: number) => {
    const c = await socket.create_connection(["127.0.0.1", port], 30);
    const msg = new TextEncoder().encode(`hello ${i}`);
    await c.sendall(msg);
    let got = "";
    for (let k = 0; k < 50 && got.length < msg.length; k++) got += new TextDecoder().decode(await c.recv(100));
    c.shutdown(socket.SHUT_WR);
    await c.recv(10);
    c.close();
    return got;
  };
  const results: string[] = [];
  for (let i = 0; i < N; i += 50) {
    results.push(...await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => client(i + k))));
  }
  await server;
  l.close();
  assert.equal(served, N);
  assert.deepEqual(results, Array.from({ length: N }, (_, i) => `hello ${i}`));
});
