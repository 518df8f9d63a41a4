// adv18d: 1,000 idle accepted connections watched by a selector (python3 clients that connect and never send, or
// send one burst each and then go quiet). Memory per connection stays bounded, a burst's read-ahead is given back,
// and select() on idle sockets spins nothing: no timer per idle socket, the CPU of a 2 s wait is a few
// milliseconds, as CPython's select() costs none. In a process of its own (tests/_adversary18d.ts).

import assert from "node:assert/strict";
import { run_gc_child, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const CHILD = new URL("./_adversary18d.ts", import.meta.url).pathname;

interface Mem {
  rss: number;
  own: number;
}
interface Idle {
  n: number;
  burst: number;
  got: number;
  rounds: number;
  reported: number;
  cpu: number;
  m0: Mem;
  m1: Mem;
  m2: Mem;
}

const N = Deno.env.get("PYSOCKET_HEAVY") === "1" ? 4000 : 1000;

test(`${N} idle accepted connections with a selector: bounded memory per connection, an idle select() costs no CPU`, async () => {
  const runs = await Promise.all(
    [0, 65536].map(async (burst) =>
      JSON.parse((await run_gc_child(CHILD, ["idle", String(N), String(burst)], 90_000)).split("\n").at(-1)!) as Idle
    ),
  );
  for (const r of runs) {
    const per = (a: Mem, b: Mem, k: keyof Mem) => ((b[k] - a[k]) * 1024 / r.n).toFixed(1);
    console.log(
      `  ${r.n} connections, burst ${r.burst} bytes each (read: ${r.got}): per connection, heap and buffers ` +
        `${per(r.m0, r.m2, "own")} KB, RSS ${per(r.m0, r.m2, "rss")} KB; 2 s of select(0.5) on them all: ` +
        `${r.rounds} rounds, ${r.reported} reported, ${r.cpu} ms of CPU`,
    );
    assert.equal(r.got, r.n * r.burst);
    assert.equal(r.reported, 0, "nothing to report on idle sockets");
    assert.ok(r.rounds <= 5, `select(0.5) returned ${r.rounds} times in 2 s`);
    assert.ok(r.cpu < 400, `${r.cpu} ms of CPU while idle`);
    // What pysocket keeps per idle connection (its socket, watch and reader, with any read-ahead given back).
    assert.ok((r.m2.own - r.m0.own) * 1024 / r.n < 24, `heap and buffers ${per(r.m0, r.m2, "own")} KB per connection`);
    assert.ok((r.m2.rss - r.m0.rss) * 1024 / r.n < 160, `RSS ${per(r.m0, r.m2, "rss")} KB per connection`);
  }
});
