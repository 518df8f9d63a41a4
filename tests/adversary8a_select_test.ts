// Adversary of this round's selectors.ts changes (a shared grace timer, waiting selectors linked through their
// cores, select()'s result built once) and of the writer's FLUSHING marker in _stream.ts: waits on one socket
// from two selectors, two waits on one selector, a selector closed or a registration dropped while another task
// waits, and selectors collected while others wait. Each scenario's outcome is compared with CPython's (its
// waits run in threads), except the GC child's, which has no twin (a C frame holds what it waits on).

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors.ts";
import { python } from "./_ssl_fixtures.ts";
import { run_gc_child, test_needing } from "./_socket_fixtures.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const TWIN = `
import json, selectors, socket, threading, time
out = {}
def run(fn, *args):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", fn(*args))); t.start(); return t, box
def masks(r, a): return [("a" if k.fileobj is a else "?", m) for k, m in r]
a, b = socket.socketpair()
s1, s2 = selectors.DefaultSelector(), selectors.DefaultSelector()
s1.register(a, selectors.EVENT_READ); s2.register(a, selectors.EVENT_READ)
ws = [run(s1.select, 5), run(s2.select, 5), run(s1.select, 5), run(s2.select, 5)]
time.sleep(0.1); b.send(b"1")
for t, _ in ws: t.join()
out["four_waits"] = [masks(box["r"], a) for _, box in ws]
a.recv(10)
w1, w2 = run(s1.select, 1), run(s2.select, 5)
time.sleep(0.1); s1.close(); time.sleep(0.1); b.send(b"2")
for t, _ in (w1, w2): t.join()
out["one_closed"] = [masks(w1[1]["r"], a), masks(w2[1]["r"], a)]
a.recv(10)
w3 = run(s2.select, 0.5)
time.sleep(0.1); s2.unregister(a); b.send(b"3"); w3[0].join()
out["unregistered"] = masks(w3[1]["r"], a)
s2.close(); a.close(); b.close()
print(json.dumps(out))
`;

test_needing("python3")(
  "adversary8a: waits on one socket from two selectors and twice on one selector, a selector closed and a registration dropped while others wait: as CPython's threads",
  async () => {
    const twin = await python(TWIN);
    assert.equal(twin.code, 0, twin.err);
    const want = JSON.parse(twin.out);
    const got: Record<string, unknown> = {};
    const [a, b] = await socketpair();
    const masks = (r: [{ fileobj: unknown }, number][]) => r.map(([k, m]) => [k.fileobj === a ? "a" : "?", m]);
    const s1 = new DefaultSelector(), s2 = new DefaultSelector();
    try {
      s1.register(a, EVENT_READ);
      s2.register(a, EVENT_READ);
      const ws = [s1.select(5), s2.select(5), s1.select(5), s2.select(5)];
      await sleep(100);
      await b.send(new Uint8Array([1]));
      got.four_waits = (await Promise.all(ws)).map(masks);
      await a.recv(10);
      const w1 = s1.select(1), w2 = s2.select(5);
      await sleep(100);
      s1.close();
      await sleep(100);
      await b.send(new Uint8Array([2]));
      got.one_closed = [masks(await w1), masks(await w2)];
      await a.recv(10);
      const w3 = s2.select(0.5);
      await sleep(100);
      s2.unregister(a);
      await b.send(new Uint8Array([3]));
      got.unregistered = masks(await w3);
    } finally {
      s1.close();
      s2.close();
      a.close();
      b.close();
    }
    assert.deepEqual(got, want);
  },
);

Deno.test("adversary8a: selectors waiting at once, some collected after their waits end, with full GCs between: every remaining wait wakes", async () => {
  const text = await run_gc_child(new URL("./fixtures/adversary8a_gc.ts", import.meta.url).pathname, []);
  const rows = text.split("\n").map((l) => JSON.parse(l) as { name: string; ok: boolean; detail: string });
  assert.ok(rows.length >= 3, text);
  assert.deepEqual(rows.filter((r) => !r.ok).map((r) => r.name), [], text);
});
