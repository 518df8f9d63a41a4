// listen(backlog) reaches the kernel (finding F5). Deno's listener is made by bind() with Deno's backlog (511), so a
// program that filled a listen(0) backlog to make connects time out never saw them stall. Now a TCP listener nobody
// has accepted from is made again with the backlog listen() gives. Against the python3 twin: how many of a burst of
// non-blocking connects complete while nobody accepts (Linux queues backlog + 1), and what a second listen() does.

import assert from "node:assert/strict";
import { SO_ERROR, socket, SOL_SOCKET } from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython, sleep } from "./_twin.ts";

const CASES: [number[], number][] = [[[0], 5], [[1], 5], [[3], 7], [[0, 2], 6], [[8, 0], 4]];

Deno.test("listen(backlog): a listener nobody accepts from queues backlog + 1 connections, as CPython's (F5)", async () => {
  const py = await cpython(`
out = []
for backlogs, burst in ${JSON.stringify(CASES)}:
    l = socket(); l.bind(("127.0.0.1", 0))
    for b in backlogs: l.listen(b)
    cs = []
    for _ in range(burst):
        c = socket(); c.setblocking(False); c.connect_ex(l.getsockname()); cs.append(c)
    time.sleep(0.3)
    _, w, _ = select.select([], cs, [], 0)
    done = sum(1 for c in w if c.getsockopt(SOL_SOCKET, SO_ERROR) == 0)
    accepted = 0
    l.settimeout(2)
    try:
        for _ in range(done): l.accept()[0].close(); accepted += 1
    except OSError: pass
    out.append([done, accepted])
    for c in cs: c.close()
    l.close()
print(json.dumps(out))
`);
  const got: unknown[] = [];
  for (const [backlogs, burst] of CASES) {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    for (const b of backlogs) l.listen(b);
    const cs = [];
    for (let i = 0; i < burst; i++) {
      const c = socket();
      c.setblocking(false);
      await c.connect_ex(l.getsockname());
      cs.push(c);
    }
    await sleep(300);
    const [, w] = await select([], cs, [], 0);
    let done = 0;
    for (const c of w) if (c.getsockopt(SOL_SOCKET, SO_ERROR) === 0) done++;
    let accepted = 0;
    l.settimeout(2);
    try {
      for (let i = 0; i < done; i++) {
        (await l.accept())[0].close();
        accepted++;
      }
    } catch { /* fewer than counted */ }
    got.push([done, accepted]);
    for (const c of cs) c.close();
    l.close();
  }
  assert.deepEqual(got, py);
  assert.deepEqual(got[0], [1, 1]); // listen(0): one connection queued, the others' SYNs dropped
});

Deno.test("listen(backlog) after an accept keeps the listener (no connection dropped)", async () => {
  const l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen(0);
  const a = socket();
  await a.connect(l.getsockname());
  const [x] = await l.accept();
  const b = socket();
  await b.connect(l.getsockname()); // queued before the second listen()
  l.listen(5);
  l.settimeout(5);
  const [y] = await l.accept();
  await b.sendall(new TextEncoder().encode("still here"));
  assert.equal(new TextDecoder().decode(await y.recv(32)), "still here");
  for (const s of [a, b, x, y, l]) s.close();
});
