// adv18a: select(), Selector.select(), poll() and epoll.poll() after round 17's "no early empty return"
// (tests/select_early_test.ts): timeouts still honoured (0, tiny, None with a wake), no CPU spin while a readiness
// comes and goes under the call (measured from /proc/self/stat over bounded waits), concurrent callers on one socket
// all woken, against CPython's twin where it is deterministic. A18a-4: a readiness another task's blocked recv or
// accept took as it came was never reported (the call woke, looked, found nothing and waited on to its timeout);
// CPython's waiter wakes with the recv's thread and reports it.

import assert from "node:assert/strict";
import { type Socket, socket, socketpair } from "../mod.ts";
import { DefaultSelector, epoll, EPOLLIN, EVENT_READ, poll, POLLIN, select } from "../selectors.ts";
import { cpython, sleep } from "./_twin.ts";

type Wait = (s: Socket, seconds: number | null) => Promise<number>;

const WAITS: [string, Wait][] = [
  ["select()", async (s, t) => (await select([s], [], [], t))[0].length],
  ["DefaultSelector.select()", async (s, t) => {
    const sel = new DefaultSelector();
    sel.register(s, EVENT_READ);
    try {
      return (await sel.select(t)).length;
    } finally {
      sel.close();
    }
  }],
  ["poll()", async (s, t) => {
    const p = poll();
    p.register(s, POLLIN);
    return (await p.poll(t === null ? null : t * 1000)).length;
  }],
  ["epoll.poll()", async (s, t) => {
    const e = epoll();
    e.register(s.fileno(), EPOLLIN);
    try {
      return (await e.poll(t ?? -1)).length;
    } finally {
      e.close();
    }
  }],
];

/** This process's CPU seconds (user + system), or null where /proc/self/stat cannot be read. */
function cpu(): number | null {
  try {
    const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

async function measured<T>(fn: () => Promise<T>): Promise<[T, number, number | null]> {
  const c0 = cpu(), t0 = performance.now();
  const r = await fn();
  const c1 = cpu();
  return [r, performance.now() - t0, c0 === null || c1 === null ? null : c1 - c0];
}

for (const [name, wait] of WAITS) {
  Deno.test(`${name}: timeouts 0, 1 ms, 20 ms and 300 ms with nothing ready end on time; None ends at the wake`, async () => {
    const [a, b] = await socketpair();
    try {
      for (const t of [0, 0.001, 0.02, 0.3]) {
        const [n, ms] = await measured(() => wait(a, t));
        assert.equal(n, 0);
        assert.ok(ms >= t * 1000 - 2 && ms < t * 1000 + 400, `${name} timeout ${t}: ${ms.toFixed(0)} ms`);
      }
      setTimeout(() => b.send(new Uint8Array([1])), 200);
      const [n, ms] = await measured(() => wait(a, null));
      assert.equal(n, 1);
      assert.ok(ms >= 150 && ms < 1500, `${name} None: ${ms.toFixed(0)} ms`);
    } finally {
      a.close();
      b.close();
    }
  });

  Deno.test(`${name}: bytes another task's recv takes as they come (20 in 1 s) cost no CPU spin and the timeout holds`, async () => {
    const [a, b] = await socketpair();
    try {
      let taken = 0;
      const taker = (async () => {
        for (;;) {
          const d = await a.recv(10);
          taken += d.filter((x) => x === 3).length;
          if (d.length === 0 || d.includes(4)) return;
        }
      })();
      const feeder = (async () => {
        for (let i = 0; i < 20; i++) {
          await sleep(50);
          await b.send(new Uint8Array([3]));
        }
      })();
      const [n, ms, cpus] = await measured(() => wait(a, 1.5));
      await feeder;
      await b.send(new Uint8Array([4]));
      await taker;
      assert.equal(taken, 20);
      // n: 1 at the first byte (A18a-4, below), as CPython's. Either way the call must not spin nor overrun.
      assert.ok(n === 1 || (ms >= 1490 && ms < 2500), `${name}: ${n} after ${ms.toFixed(0)} ms`);
      if (cpus !== null) assert.ok(cpus < 0.5, `${name}: ${cpus.toFixed(2)} s of CPU in a ${ms.toFixed(0)} ms wait`);
    } finally {
      a.close();
      b.close();
    }
  });

  Deno.test(`${name}: three concurrent callers on one socket are all woken by one byte, as CPython's threads`, async () => {
    const [a, b] = await socketpair();
    try {
      const calls = [wait(a, 5), wait(a, 5), wait(a, 5)];
      await sleep(100);
      const [got, ms] = await measured(async () => {
        await b.send(new Uint8Array([1]));
        return await Promise.all(calls);
      });
      assert.deepEqual(got, [1, 1, 1]);
      assert.ok(ms < 1000, `${name}: ${ms.toFixed(0)} ms`);
    } finally {
      a.close();
      b.close();
    }
  });
}

const APIS = ["select", "selector", "poll", "epoll"] as const;

Deno.test("A18a-4: a byte, or a connection, that another task's blocked recv/accept takes as it comes is reported, as CPython's select/selector/poll/epoll in a thread report it", async () => {
  // CPython's waiter and the thread's recv are woken together; the waiter reports the socket unless the recv took
  // the bytes before it looked again (reported in 76 of 80 recv trials, 63 of 80 accept trials on this machine). The
  // twin tries up to eight times until it reports; pysocket's is deterministic (the recv's continuation runs first;
  // the call reports the arrival).
  const py = await cpython(`
import selectors
def wait(api, a):
    if api == "select": return len(select.select([a], [], [], 1.5)[0])
    if api == "selector":
        s = selectors.DefaultSelector(); s.register(a, selectors.EVENT_READ)
        try: return len(s.select(1.5))
        finally: s.close()
    if api == "poll":
        p = select.poll(); p.register(a, select.POLLIN); return len(p.poll(1500))
    e = select.epoll(); e.register(a.fileno(), select.EPOLLIN)
    try: return len(e.poll(1.5))
    finally: e.close()
def trial(api, kind):
    got = []
    if kind == "recv":
        a, b = socketpair()
        t = threading.Thread(target=lambda: got.append(a.recv(10).decode())); t.start(); time.sleep(0.05)
        threading.Timer(0.05, lambda: b.send(b"x")).start()
    else:
        a = socket(); a.bind(("127.0.0.1", 0)); a.listen(); b = socket()
        t = threading.Thread(target=lambda: got.append(a.accept()[0].close() or "conn")); t.start(); time.sleep(0.05)
        threading.Timer(0.05, lambda: b.connect(a.getsockname())).start()
    t0 = time.time(); n = wait(api, a); ms = (time.time() - t0) * 1000
    t.join(5); a.close(); b.close()
    return [n, ms < 1000, got]
out = []
for api in ${JSON.stringify(APIS)}:
    for kind in ["recv", "accept"]:
        best = trial(api, kind)
        for _ in range(7):
            if best[0] == 1: break
            best = max(best, trial(api, kind))
        out.append([api, kind] + best)
print(json.dumps(out))
`);
  const waits: Record<(typeof APIS)[number], Wait> = {
    select: WAITS[0]![1],
    selector: WAITS[1]![1],
    poll: WAITS[2]![1],
    epoll: WAITS[3]![1],
  };
  const out: unknown[] = [];
  for (const api of APIS) {
    for (const kind of ["recv", "accept"] as const) {
      const got: string[] = [];
      let a: Socket, b: Socket, taker: Promise<void>;
      if (kind === "recv") {
        [a, b] = await socketpair();
        const x = a;
        taker = x.recv(10).then((d) => void got.push(new TextDecoder().decode(d)));
        await sleep(50);
        setTimeout(() => b.send(new TextEncoder().encode("x")), 50);
      } else {
        a = socket();
        a.bind(["127.0.0.1", 0]);
        a.listen();
        b = socket();
        const x = a, y = b;
        taker = x.accept().then(([c]) => {
          c.close();
          got.push("conn");
        });
        await sleep(50);
        setTimeout(() => y.connect(x.getsockname()), 50);
      }
      const t0 = performance.now();
      const n = await waits[api](a, 1.5);
      const ms = performance.now() - t0;
      await taker;
      out.push([api, kind, n, ms < 1000, got]);
      a.close();
      b.close();
    }
  }
  assert.deepEqual(out, py);
});
