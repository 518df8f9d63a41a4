// A readiness call returns before its timeout only with something to report, as CPython's select(), poll(),
// epoll.poll() and selectors' select() do. pysocket's calls look at once, then give the event loop a turn and look
// again: what was ready at the first look could go during that turn (another task read the bytes, a bound socket
// began to listen), and the call returned an empty list at once, which a select loop takes for its timeout.

import assert from "node:assert/strict";
import { socket, socketpair } from "../mod.ts";
import { DefaultSelector, epoll, EPOLLIN, EVENT_READ, poll, POLLIN, select } from "../selectors.ts";
import { sleep } from "./_twin.ts";

type Wait = (s: ReturnType<typeof socket>, seconds: number) => Promise<number>;

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
    return (await p.poll(t * 1000)).length;
  }],
  ["epoll.poll()", async (s, t) => {
    const e = epoll();
    e.register(s.fileno(), EPOLLIN);
    try {
      return (await e.poll(t)).length;
    } finally {
      e.close();
    }
  }],
];

for (const [name, wait] of WAITS) {
  Deno.test(`${name}: bytes another task reads during the call's first turn do not end it early`, async () => {
    const [a, b] = await socketpair();
    try {
      await b.sendall(new TextEncoder().encode("x"));
      assert.equal((await select([a], [], [], 5))[0].length, 1);
      const t0 = performance.now();
      const w = wait(a, 0.5);
      assert.equal((await a.recv(1)).length, 1); // taken while the call looks
      const n = await w;
      const ms = performance.now() - t0;
      assert.ok(n > 0 || ms >= 450, `${name} returned ${n} after ${ms.toFixed(0)} ms (timeout 500)`);
      // and a later byte still ends the wait
      const w2 = wait(a, 5);
      setTimeout(() => b.send(new TextEncoder().encode("y")), 100);
      assert.equal(await w2, 1);
    } finally {
      a.close();
      b.close();
    }
  });

  Deno.test(`${name}: a bound socket that begins to listen during the call does not end it early`, async () => {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    const t0 = performance.now();
    const w = wait(l, 0.5);
    l.listen(5);
    const n = await w;
    const ms = performance.now() - t0;
    assert.ok(n > 0 || ms >= 450, `${name} returned ${n} after ${ms.toFixed(0)} ms (timeout 500)`);
    await sleep(0);
    l.close();
  });
}
