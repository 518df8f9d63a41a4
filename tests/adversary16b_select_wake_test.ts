// adv16b A16b-1: select() (and poll(), which waits through it) in one task lost the wake-up of its own socket
// when that socket's watch fired during the event-loop turn the call yields after a wake-up that found nothing
// ready (another task's socket had woken every select() call): the call then waited for the NEXT change anywhere,
// forever if none came. Found by the generated matrix (tests/adversary16b_matrix_test.ts): 42 of 822 readiness
// cells' select()/poll() never returned after their socket was closed.
// Not a CPython twin: CPython's select()/poll() in a thread is not woken by close() from another thread on Linux
// (a race the matrix does not compare); pysocket's contract is that close() wakes every waiter
// (tests/stream_shutdown_test.ts), and that must not depend on what another task's socket does.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import { DefaultSelector, EVENT_READ, poll, POLLIN, POLLNVAL, select } from "../selectors.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const hops of [1, 2, 5, 20]) {
  Deno.test(`A16b-1: select() and poll() in other tasks wake when their socket is closed ${hops} microtask(s) after another's close`, async () => {
    const pairs = await Promise.all([socketpair(), socketpair(), socketpair()]);
    const [[a1], [a2], [a3]] = pairs;
    const got: Record<string, unknown> = {};
    const s1 = select([a1], [], [], null).then(([r]) => got.s1 = r.length);
    const s2 = select([a2], [], [], 5).then(([r]) => got.s2 = r.length);
    const p = poll();
    p.register(a3, POLLIN);
    const s3 = p.poll(5000).then((r) => got.s3 = r.map(([, ev]) => ev));
    await sleep(100);
    a1.close(); // wakes every waiting select(): s2's and s3's find nothing ready and yield a turn
    for (let i = 0; i < hops; i++) await Promise.resolve();
    a2.close();
    a3.close();
    await Promise.race([Promise.all([s1, s2, s3]), sleep(1000)]);
    try {
      assert.deepEqual(got, { s1: 1, s2: 1, s3: [POLLNVAL] }, "every call returns at once, none waits for its timeout");
    } finally {
      await Promise.all([s1, s2, s3]);
      for (const [a, b] of pairs) a.close(), b.close();
    }
  });
}

Deno.test("A16b-1: a DefaultSelector (its own ready list) beside select() calls keeps its wake-ups too", async () => {
  const pairs = await Promise.all([socketpair(), socketpair()]);
  const [[a1], [a2, b2]] = pairs;
  using sel = new DefaultSelector();
  sel.register(a2, EVENT_READ);
  const s1 = select([a1], [], [], null);
  const s2 = sel.select(5);
  await sleep(100);
  a1.close();
  await Promise.resolve();
  await b2.send(new Uint8Array([1]));
  const r = await Promise.race([s2, sleep(2000).then(() => "timed out")]);
  assert.notEqual(r, "timed out");
  assert.deepEqual((r as [unknown, number][]).map(([, ev]) => ev), [EVENT_READ]);
  await s1;
  for (const [a, b] of pairs) a.close(), b.close();
});
