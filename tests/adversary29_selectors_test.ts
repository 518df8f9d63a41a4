// adv29: a readiness wait changed under it by another task (a thread in CPython): a DefaultSelector, epoll or poll
// object unregistered, modified, closed or given another registration while its select()/poll() waits, and a blocking
// connect() in flight to a listener whose backlog is full while that listener is closed, accepts, or the socket is
// shut down. Compared with CPython 3.11's threads (twin): the wait's result and whether it ended at once or at its
// timeout. Documented difference: DefaultSelector.close() ends a waiting select() at once with [] (CPython's waits
// out its timeout, then returns []; tests/selectors_wake_test.ts).

import assert from "node:assert/strict";
import { SHUT_RDWR, type Socket, socket, socketpair } from "../mod.ts";
import { DefaultSelector, epoll, EPOLLIN, EPOLLOUT, poll, POLLIN, POLLOUT } from "../selectors.ts";
import { cpython, sleep } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const enc = new TextEncoder();

const PY_SEL = `import selectors
res = {}
def case(name, setup, change, timeout=1.0):
    a, b = socketpair()
    obj = setup(a)
    got = []
    def run():
        t0 = time.time()
        try: r = obj["wait"](); got.append(["ok", r, round(time.time()-t0, 1)])
        except Exception as e: got.append([type(e).__name__, getattr(e, "errno", None), round(time.time()-t0,1)])
    th = threading.Thread(target=run, daemon=True); th.start()
    time.sleep(0.25)
    try: change(obj, a, b); ch = "ok"
    except Exception as e: ch = [type(e).__name__, getattr(e, "errno", None)]
    th.join(2.5)
    res[name] = [got[0] if got else "waiting", ch]
def sel(a):
    s = selectors.DefaultSelector(); s.register(a, selectors.EVENT_READ)
    return {"s": s, "wait": lambda: [ev for _, ev in s.select(2)]}
def ep(a):
    e = select.epoll(); e.register(a, select.EPOLLIN)
    return {"s": e, "wait": lambda: [ev for _, ev in e.poll(2)]}
def pl(a):
    p = select.poll(); p.register(a, select.POLLIN)
    return {"s": p, "wait": lambda: [ev for _, ev in p.poll(2000)]}
case("sel_unregister_then_send", sel, lambda o, a, b: (o["s"].unregister(a), b.send(b"x")))
case("sel_unregister", sel, lambda o, a, b: o["s"].unregister(a))
case("sel_close", sel, lambda o, a, b: o["s"].close())
case("sel_close_then_send", sel, lambda o, a, b: (o["s"].close(), b.send(b"x")))
case("sel_modify_write", sel, lambda o, a, b: o["s"].modify(a, selectors.EVENT_WRITE))
case("sel_register_other_ready", sel, lambda o, a, b: o["s"].register(b, selectors.EVENT_WRITE))
case("epoll_unregister_then_send", ep, lambda o, a, b: (o["s"].unregister(a), b.send(b"x")))
case("epoll_modify_out", ep, lambda o, a, b: o["s"].modify(a, select.EPOLLOUT))
case("poll_unregister_then_send", pl, lambda o, a, b: (o["s"].unregister(a), b.send(b"x")))
case("poll_modify_out", pl, lambda o, a, b: o["s"].modify(a, select.POLLOUT))
print(json.dumps(res))
`;
const PY_CONNECT = `def stalled():
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
    fill = [create_connection(l.getsockname())]
    for _ in range(3):
        x = socket(); x.setblocking(False); x.connect_ex(l.getsockname()); fill.append(x)
    return l, fill
res={}
for ch in ["listener_close","listener_accept","shut_rdwr"]:
    l, fill = stalled()
    s = socket()
    t0=time.time()
    got=[]
    def run():
        try: s.connect(l.getsockname()); got.append(["ok", round(time.time()-t0,1)])
        except Exception as e: got.append([type(e).__name__, e.errno, round(time.time()-t0,1)])
    th=threading.Thread(target=run,daemon=True); th.start()
    time.sleep(0.25)
    if ch=="listener_close": l.close()
    elif ch=="listener_accept":
        for _ in range(4):
            try:
                l.settimeout(0.5); c,_=l.accept(); c.close()
            except Exception as e: pass
    elif ch=="shut_rdwr":
        try: s.shutdown(SHUT_RDWR)
        except Exception as e: got.append(["shut", type(e).__name__])
    else: s.close()
    th.join(5)
    res[ch]=got or "waiting"
print(json.dumps(res))
`;

// deno-lint-ignore no-explicit-any
type O = { s: any; wait: () => Promise<unknown> };

/** A wait's time as the tables compare it: at once (the change woke it), about 1 s (a SYN retried), or later. */
const bucket = (t: number) => t < 0.6 ? "at once" : t < 1.6 ? "~1 s" : "late";
/** Every number that is a time (the last element of a [class, …, seconds] result) made a bucket. */
function bucketed(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  if (x.length >= 2 && typeof x[0] === "string" && typeof x.at(-1) === "number" && !Array.isArray(x[0])) {
    return [...x.slice(0, -1), bucket(x.at(-1) as number)];
  }
  return x.map(bucketed);
}

/** [result, seconds rounded to 0.1], as the twin's. */
async function timed(p: Promise<unknown>): Promise<unknown> {
  const t0 = Date.now();
  try {
    return ["ok", await p, Math.round((Date.now() - t0) / 100) / 10];
  } catch (e) {
    const x = e as { name: string; errno?: number };
    return [x.name, x.errno ?? null, Math.round((Date.now() - t0) / 100) / 10];
  }
}

async function kase(
  res: Record<string, unknown>,
  name: string,
  setup: (a: Socket) => O,
  change: (o: O, a: Socket, b: Socket) => unknown,
): Promise<void> {
  const [a, b] = await socketpair() as [Socket, Socket];
  const o = setup(a);
  let got: unknown = "waiting";
  const p = timed(o.wait()).then((r) => got = r);
  await sleep(250);
  let ch: unknown = "ok";
  try {
    await change(o, a, b);
  } catch (e) {
    ch = [(e as Error).name, (e as { errno?: number }).errno ?? null];
  }
  await Promise.race([p, sleep(2500)]);
  res[name] = [got, ch];
  a.close();
  b.close();
  await Promise.race([p, sleep(2500)]);
}

const sel = (a: Socket): O => {
  const s = new DefaultSelector();
  s.register(a, 1);
  return { s, wait: async () => (await s.select(2)).map(([, ev]) => ev) };
};
const ep = (a: Socket): O => {
  const s = epoll();
  s.register(a, EPOLLIN);
  return { s, wait: async () => (await s.poll(2)).map(([, ev]) => ev) };
};
const pl = (a: Socket): O => {
  const s = poll();
  s.register(a, POLLIN);
  return { s, wait: async () => (await s.poll(2000)).map(([, ev]) => ev) };
};

/** At the start the results were all CPython's but this one (documented: see the header). */
const DOCUMENTED: Record<string, unknown> = { sel_close: [["ok", [], "at once"], "ok"] };

test("adv29: a selector, epoll or poll object changed while its select()/poll() waits in another task, as CPython's threads (twin)", async () => {
  const py = await cpython(PY_SEL) as Record<string, unknown>;
  const res: Record<string, unknown> = {};
  await kase(res, "sel_unregister_then_send", sel, async (o, a, b) => {
    o.s.unregister(a);
    await b.send(enc.encode("x"));
  });
  await kase(res, "sel_unregister", sel, (o, a) => o.s.unregister(a));
  await kase(res, "sel_close", sel, (o) => o.s.close());
  await kase(res, "sel_close_then_send", sel, async (o, _a, b) => {
    o.s.close();
    await b.send(enc.encode("x"));
  });
  await kase(res, "sel_modify_write", sel, (o, a) => o.s.modify(a, 2));
  await kase(res, "sel_register_other_ready", sel, (o, _a, b) => o.s.register(b, 2));
  await kase(res, "epoll_unregister_then_send", ep, async (o, a, b) => {
    o.s.unregister(a);
    await b.send(enc.encode("x"));
  });
  await kase(res, "epoll_modify_out", ep, (o, a) => o.s.modify(a, EPOLLOUT));
  await kase(res, "poll_unregister_then_send", pl, async (o, a, b) => {
    o.s.unregister(a);
    await b.send(enc.encode("x"));
  });
  await kase(res, "poll_modify_out", pl, (o, a) => o.s.modify(a, POLLOUT));
  // CPython's own race: its EpollSelector.select() masks the events epoll returned with the key it finds, and the
  // other thread's modify() may not have replaced that key yet: [0] (EPOLLOUT & EVENT_READ) instead of [2]. Seen
  // once in CI; pysocket's select() sees the modify whole ([2]).
  const race = py.sel_modify_write as unknown[] | undefined;
  if (Array.isArray(race) && Array.isArray(race[0]) && JSON.stringify(race[0][1]) === "[0]") race[0][1] = [2];
  for (const k of Object.keys(py)) {
    if (k in DOCUMENTED) {
      console.log(`  documented: ${k}: CPython ${JSON.stringify(py[k])}, pysocket ${JSON.stringify(res[k])}`);
      assert.deepEqual(bucketed(res[k]), DOCUMENTED[k], k);
    } else assert.deepEqual(bucketed(res[k]), bucketed(py[k]), k);
  }
});

test("adv29: a blocking connect() in flight to a full backlog when the listener closes or accepts, or the socket is shut down, as CPython's thread (twin)", async () => {
  const py = await cpython(PY_CONNECT) as Record<string, unknown>;
  const res: Record<string, unknown> = {};
  for (const ch of ["listener_close", "listener_accept", "shut_rdwr"]) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
    const port = (l.addr as Deno.NetAddr).port;
    const filler = await Deno.connect({ hostname: "127.0.0.1", port });
    const s = socket();
    const p = timed(s.connect(["127.0.0.1", port]));
    await sleep(250);
    if (ch === "listener_close") l.close();
    else if (ch === "listener_accept") {
      for (let i = 0; i < 2; i++) {
        const c = await Promise.race([l.accept(), sleep(1500).then(() => null)]);
        c?.close();
      }
    } else await s.shutdown(SHUT_RDWR);
    const r = await Promise.race([p, sleep(5000).then(() => "waiting")]);
    // connect() resolves to undefined: the twin's ["ok", seconds]
    res[ch] = Array.isArray(r) ? [r[0] === "ok" ? ["ok", r[2]] : r] : r;
    s.close();
    try {
      l.close();
    } catch { /* closed */ }
    filler.close();
    await p;
  }
  for (const ch of Object.keys(res)) assert.deepEqual(bucketed(res[ch]), bucketed(py[ch]), ch);
});
