// select() after issue 17's fifth round (sel7): the read graces of select()
// share one timer, waits are one object each and a Waker reuses its Set, a
// plain non-blocking send() settles without an async frame, and the send
// queue's flush makes no promise. Each test is the class of bug such a change
// could bring: a select-driven client loop that must see what CPython's sees,
// graces that overlap and must all end on time, every waiter woken by every
// change (twice, so that a reused Set is exercised), aborts in the middle, and
// queued bytes that must still reach the peer after close().

import assert from "node:assert/strict";
import { BlockingIOError, type Socket, socketpair } from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { sleep, test_needing, within } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const enc = new TextEncoder();

/** An echo task on `s` until EOF; resolves with the bytes echoed. */
async function echo(s: Socket): Promise<number> {
  let n = 0;
  for (;;) {
    const d = await s.recv(65536);
    if (d.length === 0) return n;
    await s.sendall(d);
    n += d.length;
  }
}

test("a select([s], [s], []) client loop and a DefaultSelector READ|WRITE loop echo N messages as CPython's do: s writable on every call, one readable report per echo, the bytes in order", async () => {
  const N = 300;
  const py = await cpython(`
import selectors
out = []
for mode in ("select", "selector"):
    a, b = socketpair()
    t = threading.Thread(target=lambda: [b.sendall(d) for d in iter(lambda: b.recv(65536), b"")])
    t.start()
    a.setblocking(False)
    sel = selectors.DefaultSelector()
    if mode == "selector": sel.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE)
    got = b""; sent = 0; pending = False; reads = 0; always_w = True
    while len(got) < ${N} * 4:
        if mode == "select":
            r, w, _ = select.select([a], [a], [], 5)
        else:
            ev = sel.select(5)
            r = [k.fileobj for k, m in ev if m & selectors.EVENT_READ]
            w = [k.fileobj for k, m in ev if m & selectors.EVENT_WRITE]
        always_w = always_w and w == [a]
        if r:
            got += a.recv(65536); reads += 1; pending = False
        if w and not pending and sent < ${N}:
            a.send(b"m%03d" % sent); sent += 1; pending = True
    a.close(); t.join(); b.close(); sel.close()
    out.append([mode, always_w, reads == ${N}, got == b"".join(b"m%03d" % i for i in range(${N}))])
print(json.dumps(out))
`);
  const ts: unknown[] = [];
  for (const mode of ["select", "selector"]) {
    const [a, b] = await socketpair();
    const peer = echo(b);
    a.setblocking(false);
    using sel = new DefaultSelector();
    if (mode === "selector") sel.register(a, EVENT_READ | EVENT_WRITE);
    let got = "", sent = 0, pending = false, reads = 0, always_w = true;
    const dec = new TextDecoder();
    while (got.length < N * 4) {
      let r: Socket[], w: Socket[];
      if (mode === "select") [r, w] = await within(select([a], [a], [], 5), 10_000, "select");
      else {
        const ev = await within(sel.select(5), 10_000, "sel.select");
        r = ev.filter(([, m]) => m & EVENT_READ).map(([k]) => k.fileobj as Socket);
        w = ev.filter(([, m]) => m & EVENT_WRITE).map(([k]) => k.fileobj as Socket);
      }
      always_w &&= w.length === 1 && w[0] === a;
      if (r.length > 0) {
        got += dec.decode(await a.recv(65536));
        reads++;
        pending = false;
      }
      if (w.length > 0 && !pending && sent < N) {
        await a.send(enc.encode(`m${String(sent).padStart(3, "0")}`));
        sent++;
        pending = true;
      }
    }
    a.close();
    await peer;
    b.close();
    const want = Array.from({ length: N }, (_, i) => `m${String(i).padStart(3, "0")}`).join("");
    ts.push([mode, always_w, reads === N, got === want]);
  }
  assert.deepEqual(ts, py);
  assert.deepEqual(ts, [["select", true, true, true], ["selector", true, true, true]]);
});

test("overlapping read graces all end on time: 30 tasks select a silent socket with a writable one (select() and DefaultSelector), and poll it with timeout 0; every call returns the writable socket alone", async () => {
  const pairs: Socket[][] = [];
  try {
    for (let i = 0; i < 30; i++) pairs.push(await socketpair());
    let calls = 0, worst = 0;
    await within(
      Promise.all(pairs.map(async ([x, y], i) => {
        using sel = new DefaultSelector();
        sel.register(x!, EVENT_READ);
        sel.register(y!, EVENT_WRITE);
        for (let k = 0; k < 20; k++) {
          const t0 = performance.now();
          if ((i + k) % 3 === 0) {
            const [r, w] = await select([x!], [y!], [], 5);
            assert.deepEqual([r.length, w.length, w[0] === y], [0, 1, true]);
          } else if ((i + k) % 3 === 1) {
            const ev = await sel.select(5);
            assert.deepEqual(ev.map(([key, m]) => [key.fileobj === y, m]), [[true, EVENT_WRITE]]);
          } else {
            const [r, w] = await select([x!], [], [], 0);
            assert.deepEqual([r.length, w.length], [0, 0]);
          }
          worst = Math.max(worst, performance.now() - t0);
          calls++;
        }
      })),
      60_000,
      "30 tasks x 20 selects",
    );
    assert.equal(calls, 600);
    // A grace lasts a few ms; a call that waited for its 5 s timeout instead would show here.
    assert.ok(worst < 4000, `a select() took ${worst.toFixed(0)} ms`);
  } finally {
    for (const p of pairs) for (const s of p) s.close();
  }
});

test("a read grace that starts while an earlier one's timer is armed ends on time too (the shared timer is armed again for it), with nothing else happening", async () => {
  for (let i = 0; i < 20; i++) {
    // Fresh sockets: each select() arms their reads itself, so each takes a grace.
    const [x1, y1] = await socketpair();
    const [x2, y2] = await socketpair();
    try {
      const first = select([x1], [y1], [], 5);
      await new Promise((r) => setImmediate(r)); // the first is in its grace now
      const spin = performance.now() + 0.5 + (i % 4) * 0.3;
      while (performance.now() < spin) { /* the second grace starts later, ending after the first */ }
      const t0 = performance.now();
      const second = select([x2], [y2], [], 5);
      const [r1, w1] = await within(first, 10_000, "first grace");
      const [r2, w2] = await within(second, 10_000, "second grace");
      assert.deepEqual([r1.length, w1[0] === y1, r2.length, w2[0] === y2], [0, true, 0, true]);
      assert.ok(performance.now() - t0 < 4000, "the second select() waited for its timeout");
    } finally {
      for (const s of [x1, y1, x2, y2]) s.close();
    }
  }
});

test("every waiter is woken by every change, twice over: 20 select() calls, 20 timed and 20 untimed DefaultSelector.select() calls on one socket all return when a byte arrives, and again for the next byte", async () => {
  const [a, b] = await socketpair();
  try {
    using sel = new DefaultSelector();
    sel.register(b, EVENT_READ);
    for (let round = 0; round < 2; round++) {
      const waits: Promise<boolean>[] = [];
      for (let i = 0; i < 20; i++) {
        waits.push(select([b], [], [], 10).then(([r]) => r.length === 1 && r[0] === b));
        waits.push(sel.select(10).then((ev) => ev.length === 1 && ev[0]![0].fileobj === b));
        waits.push(sel.select().then((ev) => ev.length === 1 && ev[0]![0].fileobj === b));
      }
      await sleep(50);
      await a.sendall(new Uint8Array([round]));
      const res = await within(Promise.all(waits), 20_000, `round ${round}`);
      assert.equal(res.filter((x) => x).length, 60, `round ${round}: ${res.filter((x) => !x).length} not woken`);
      assert.deepEqual([...await b.recv(10)], [round]);
    }
  } finally {
    a.close();
    b.close();
  }
});

test("an abort in the middle of select() waits (timed, untimed, in a grace) rejects with the reason, and the next selects still wake and time out as asked", async () => {
  const [a, b] = await socketpair();
  const [x, y] = await socketpair();
  try {
    using sel = new DefaultSelector();
    sel.register(b, EVENT_READ);
    for (let i = 0; i < 20; i++) {
      const ac = new AbortController();
      const reason = new Error(`stop ${i}`);
      const ws = [
        select([b], [], [], 10, { signal: ac.signal }),
        sel.select({ timeout: 10, signal: ac.signal }),
        sel.select({ signal: ac.signal }),
        // A writable socket with a silent one: a read grace, aborted during it or just after.
        select([x], [y], [], 10, { signal: ac.signal }),
      ];
      setTimeout(() => ac.abort(reason), i % 3);
      const res = await within(Promise.allSettled(ws), 20_000, "aborted selects");
      for (const [k, r] of res.slice(0, 3).entries()) {
        assert.equal(r.status, "rejected", `wait ${k}`);
        assert.equal((r as PromiseRejectedResult).reason, reason);
      }
      const g = res[3]!;
      if (g.status === "rejected") assert.equal(g.reason, reason);
      else assert.deepEqual([g.value[0].length, g.value[1][0] === y], [0, true]);
    }
    const t0 = performance.now();
    assert.deepEqual(await select([b], [], [], 0.05), [[], [], []]);
    assert.ok(performance.now() - t0 >= 45, "a timed select() still waits its timeout");
    const w = sel.select(10);
    await a.sendall(new Uint8Array([1]));
    assert.equal((await within(w, 20_000, "select after aborts")).length, 1);
  } finally {
    for (const s of [a, b, x, y]) s.close();
  }
});

test("a non-blocking sender's queued bytes reach the peer after close(), exactly what send() reported, as CPython's kernel delivers them", async () => {
  const py = await cpython(`
a, b = socketpair()
a.setblocking(False)
taken = 0
chunk = b"q" * 65536
while True:
    try:
        taken += a.send(chunk)
    except BlockingIOError:
        break
a.close()
got = 0
while True:
    d = b.recv(1 << 20)
    if not d: break
    got += len(d)
print(json.dumps([taken > 0, got == taken]))
`);
  const [a, b] = await socketpair();
  a.setblocking(false);
  let taken = 0;
  const chunk = new Uint8Array(65536).fill(0x71);
  for (let i = 0; i < 10_000; i++) {
    try {
      taken += await a.send(chunk);
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      break;
    }
  }
  a.close();
  let got = 0;
  for (;;) {
    const d = await within(b.recv(1 << 20), 20_000, "reading the queued bytes");
    if (d.length === 0) break;
    got += d.length;
  }
  b.close();
  assert.deepEqual([taken > 0, got === taken], py);
  assert.equal(got, taken);
});
