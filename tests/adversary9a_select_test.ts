// adv9a: selectors and select.select() against CPython 3.11 (python3 twin in the same test): a closed
// selector's errors (A9a-5: get_key raised a plain Error, CPython's is a RuntimeError), one socket in two
// selectors, changes while another task waits in select(), and the argument errors of both APIs.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import * as selectors from "../selectors.ts";
import { cpython } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
// deno-lint-ignore no-explicit-any
type Loose = any; // the scenarios pass values the signatures forbid, on purpose
const { select, DefaultSelector, EVENT_READ, EVENT_WRITE } = selectors;
const { socket, create_connection } = m;
const later = (s: number, fn: () => unknown) => setTimeout(fn, s * 1000);

/** `["ok", value]` or `[class, str(e)]`, Python's ValueError named RangeError, the socket's repr as S. */
async function out(fn: () => unknown, s?: unknown): Promise<unknown[]> {
  try {
    const r = await fn();
    return ["ok", r === null || typeof r !== "object" ? r ?? null : "object"];
  } catch (e) {
    const x = e as Error;
    return [x.name, s === undefined ? x.message : x.message.replace(String(s), "S")];
  }
}

test("adversary9a: selectors and select.select() as CPython's: closed selectors, two selectors, waits and bad arguments", async () => {
  const py = await cpython(`
import selectors
def out(fn, s=None):
    try:
        r = fn()
        return ["ok", r if isinstance(r, (int, str, float, type(None))) else "object"]
    except Exception as x:
        n = "RangeError" if type(x).__name__ == "ValueError" else type(x).__name__
        return [n, str(x).replace(repr(s), "S") if s is not None else str(x)]
def later(dt, fn):
    def run(): time.sleep(dt); fn()
    threading.Thread(target=run, daemon=True).start()
def ready(sel, t=0):
    return sorted([k.data, ev] for k, ev in sel.select(t))
R = {}
c, a = pair()
sel = selectors.DefaultSelector(); sel2 = selectors.DefaultSelector()
sel.register(a, selectors.EVENT_READ, "one"); sel2.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE, "two")
later(0.2, lambda: c.send(b"x"))
R["one socket, two selectors"] = [ready(sel, 5), ready(sel2, 0)]
a.recv(1)
later(0.2, lambda: sel.register(c, selectors.EVENT_WRITE, "c"))
R["a registration made while select() waits"] = ready(sel, 5)
sel.unregister(c)
later(0.1, lambda: sel.unregister(a)); later(0.3, lambda: c.send(b"y"))
t0 = time.monotonic()
R["unregistered while select() waits"] = [ready(sel, 1), time.monotonic() - t0 > 0.8]
R["select(-1), select(0), select(1e-4)"] = [len(sel.select(-1)), len(sel.select(0)), len(sel.select(0.0001))]
sel.register(a, selectors.EVENT_READ, "a")
z = socket()
R["modify to 4 and to 0"] = [[k.events for k in (sel.modify(a, 4), sel.modify(a, 0))], out(lambda: sel.modify(z, 1), z), out(lambda: sel.register(a, 1), a)]
R["timeout '1'"] = out(lambda: sel.select("1"))
sel.close()
R["after close"] = [out(lambda: sel.get_key(a)), out(lambda: sel.modify(a, 2), a), out(lambda: sel.unregister(a), a), out(lambda: sel.register(a, 1)), out(lambda: sel.select(0)), sel.get_map(), out(lambda: sel.close())]
class F:
    def fileno(self): return -1
x = socket(); x.close()
s3 = selectors.DefaultSelector()
R["bad objects"] = [out(lambda: s3.register(F(), 1)), out(lambda: s3.register(x, 1)), out(lambda: s3.register("a", 1)), out(lambda: select.select([F()], [], [], 0)), out(lambda: select.select([x], [], [], 0)), out(lambda: select.select(["a"], [], [], 0))]
R["select.select timeouts"] = [out(lambda: select.select([a], [], [], -1)), out(lambda: select.select([], [], [], "1")), out(lambda: select.select([], [], [], float("nan"))), out(lambda: len(select.select([], [], [], 0)))]
R["select.select: the same socket twice, exceptional list"] = [[len(r) for r in select.select([a, a], [a, a], [], 0)], [len(r) for r in select.select([], [], [a], 0)]]
y = socket(); s3.register(y, 1, "y")
R["fresh socket"] = ready(s3)
s3.modify(y, 3, "y3")
R["fresh socket, both events"] = ready(s3)
l = socket(); l.bind(("127.0.0.1", 0)); l.listen(); s3.register(l, 3, "l")
R["and a listener with nothing to accept"] = ready(s3)
print(json.dumps(R))
`);
  const ready = async (sel: Loose, t = 0) =>
    (await sel.select(t)).map(([k, ev]: [Loose, number]) => [k.data, ev]).sort();
  const l0: Loose = socket();
  l0.bind(["127.0.0.1", 0]);
  l0.listen();
  const c: Loose = await create_connection(l0.getsockname());
  const [a]: Loose = await l0.accept();
  l0.close();
  const R: Record<string, unknown> = {};
  const sel: Loose = new DefaultSelector(), sel2: Loose = new DefaultSelector();
  sel.register(a, EVENT_READ, "one");
  sel2.register(a, EVENT_READ | EVENT_WRITE, "two");
  later(0.2, () => c.send(new Uint8Array([120])));
  R["one socket, two selectors"] = [await ready(sel, 5), await ready(sel2, 0)];
  await a.recv(1);
  later(0.2, () => sel.register(c, EVENT_WRITE, "c"));
  R["a registration made while select() waits"] = await ready(sel, 5);
  sel.unregister(c);
  later(0.1, () => sel.unregister(a));
  later(0.3, () => c.send(new Uint8Array([121])));
  const t0 = performance.now();
  R["unregistered while select() waits"] = [await ready(sel, 1), performance.now() - t0 > 800];
  R["select(-1), select(0), select(1e-4)"] = [
    (await sel.select(-1)).length,
    (await sel.select(0)).length,
    (await sel.select(0.0001)).length,
  ];
  sel.register(a, EVENT_READ, "a");
  const z = socket();
  R["modify to 4 and to 0"] = [
    [sel.modify(a, 4).events, sel.modify(a, 0).events],
    await out(() => sel.modify(z, 1), z),
    await out(() => sel.register(a, 1), a),
  ];
  R["timeout '1'"] = await out(() => sel.select("1"));
  sel.close();
  R["after close"] = [
    await out(() => sel.get_key(a)),
    await out(() => sel.modify(a, 2), a),
    await out(() => sel.unregister(a), a),
    await out(() => sel.register(a, 1)),
    await out(() => sel.select(0)),
    sel.get_map(),
    await out(() => sel.close()),
  ];
  const F = { fileno: () => -1 };
  const x = socket();
  x.close();
  const s3: Loose = new DefaultSelector();
  R["bad objects"] = [
    await out(() => s3.register(F, 1)),
    await out(() => s3.register(x, 1)),
    await out(() => s3.register("a", 1)),
    await out(() => select([F as Loose], [], [], 0)),
    await out(() => select([x], [], [], 0)),
    await out(() => select(["a" as Loose], [], [], 0)),
  ];
  R["select.select timeouts"] = [
    await out(() => select([a], [], [], -1)),
    await out(() => select([], [], [], "1" as Loose)),
    await out(() => select([], [], [], NaN)),
    await out(async () => (await select([], [], [], 0)).length),
  ];
  R["select.select: the same socket twice, exceptional list"] = [
    (await select([a, a], [a, a], [], 0)).map((r) => r.length),
    (await select([], [], [a], 0)).map((r) => r.length),
  ];
  const y = socket();
  s3.register(y, 1, "y");
  R["fresh socket"] = await ready(s3);
  s3.modify(y, 3, "y3");
  R["fresh socket, both events"] = await ready(s3);
  const l: Loose = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  s3.register(l, 3, "l");
  R["and a listener with nothing to accept"] = await ready(s3);
  s3.close(), sel2.close();
  for (const s of [a, c, y, l, z]) s.close();
  assert.deepEqual(R, py);
});
