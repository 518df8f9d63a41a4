// adv18d A18d-2 (fixed): a datagram flood at a UDPServer whose handler is slow. CPython's UDPServer handles one
// datagram at a time and its kernel drops what the receive queue cannot hold, so its memory stays flat; pysocket runs
// every request in its own task, and before the fix kept every datagram and its handler (13,284 running handlers and
// +249 MiB of heap after 2 s of flood). Datagram servers now default to max_concurrent 256: at the bound the server
// stops receiving, datagrams wait in the kernel's queue, and the kernel drops the rest, as for CPython's server.
// Each flood runs in a process of its own (tests/_adversary18d.ts).

import assert from "node:assert/strict";
import { ThreadingUDPServer, UDPServer, UnixDatagramServer } from "../socketserver.ts";
import { run_gc_child, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const CHILD = new URL("./_adversary18d.ts", import.meta.url).pathname;

interface Mem {
  rss: number;
  own: number;
}

async function child<T>(...args: string[]): Promise<T> {
  const text = await run_gc_child(CHILD, args, 90_000);
  return JSON.parse(text.split("\n").at(-1)!) as T;
}

interface UdpFlood {
  kind: string;
  max_concurrent: number | null;
  sent: number;
  most: number;
  handled: number;
  answered: number;
  m0: Mem;
  m1: Mem;
}

test("A18d-2: a datagram flood at a slow UDPServer / ThreadingUDPServer handler: at most 256 handlers, memory flat, served again at once", async () => {
  assert.equal(UDPServer.max_concurrent, 256);
  assert.equal(ThreadingUDPServer.max_concurrent, 256);
  assert.equal(UnixDatagramServer.max_concurrent, 256);
  const runs = await Promise.all(["plain", "threading"].map((k) => child<UdpFlood>("udpflood", k, "default")));
  for (const r of runs) {
    console.log(
      `  ${r.kind}: ${r.sent} datagrams of 8,000 bytes in 1.5 s; at most ${r.most} handlers ran; heap and buffers ` +
        `+${(r.m1.own - r.m0.own).toFixed(1)} MiB, RSS +${(r.m1.rss - r.m0.rss).toFixed(1)} MiB; ${r.handled} ` +
        `handled; a new client answered ${r.answered} ms after the handlers were released`,
    );
    assert.equal(r.max_concurrent, 256);
    assert.ok(r.most <= 256, `${r.kind}: ${r.most} handlers at once`);
    assert.ok(r.m1.own - r.m0.own < 16, `${r.kind}: heap and buffers grew ${r.m1.own - r.m0.own} MiB`);
    assert.ok(r.answered >= 0 && r.answered < 5000, `${r.kind}: answered ${r.answered}`);
  }
});

test("UDPServer: max_concurrent null still means no bound (the program's choice), a number its own bound", async () => {
  const [open, two] = await Promise.all([
    child<UdpFlood>("udpflood", "plain", "null"),
    child<UdpFlood>("udpflood", "plain", "2"),
  ]);
  console.log(`  null: at most ${open.most} handlers; 2: at most ${two.most}`);
  assert.equal(open.max_concurrent, null);
  assert.ok(open.most > 256, `null: ${open.most} handlers at once`);
  assert.ok(two.most <= 2, `2: ${two.most}`);
  assert.ok(two.answered >= 0, "served after the flood");
});
