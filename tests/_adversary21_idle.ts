// adv21's idle check as a process of its own (`deno test --parallel` runs test files as workers of one process, so
// the test's own CPU reading counted the other files' work: 491-858 ms in loaded CI runs, 4-8 ms alone). Usage:
// deno run -A --unstable-net tests/_adversary21_idle.ts — makes 40 connections (TCP and AF_UNIX) whose readers each
// have a top-up read in flight, then runs select(0.25) for one second and prints
// {"rounds", "reported", "cpu" (ms of this process), "reading" (readers with a read in flight)} as JSON.

import { cpuUsage } from "node:process";
import { AF_INET, AF_UNIX, type Socket } from "../mod.ts";
import { select } from "../selectors.ts";
import { pair } from "./_twin.ts";

const pairs: ([Socket, Socket] & Disposable)[] = [];
try {
  for (let i = 0; i < 40; i++) pairs.push(await pair(i % 2 ? AF_UNIX : AF_INET));
  for (const [c, s] of pairs) {
    await c.sendall(new TextEncoder().encode("ab"));
    await select([s], [], [], 1);
    await s.recv(1); // one byte left: a top-up read is in flight
    await s.recv(1); // drained, the top-up still waits
  }
  const socks = pairs.map(([, s]) => s);
  const reading = socks.filter((s) => s._stream_parts().reader.reading).length;
  const c0 = cpuUsage(), t0 = performance.now();
  let rounds = 0, reported = 0;
  while (performance.now() - t0 < 1000 && rounds < 100) {
    reported += (await select(socks, [], [], 0.25))[0].length;
    rounds++;
  }
  const c1 = cpuUsage(c0);
  console.log(JSON.stringify({ rounds, reported, cpu: Math.round((c1.user + c1.system) / 1000), reading }));
} finally {
  for (const p of pairs) p[Symbol.dispose]();
}
