// adv12a (A12a-4): the fileno() number table keeps no entry of a socket collected without close() for long (it is
// swept each time it doubles: 40,000 such sockets leave at most a few thousand, were 40,000 entries of ~90 bytes),
// 10,000 open mapped sockets are all found, close() empties the table, and a collected socket's number is EBADF in
// select() and epoll.register(), POLLNVAL in poll(), as CPython's (whose collected sockets are closed).

import assert from "node:assert/strict";
import { run_gc_child } from "./_socket_fixtures.ts";

Deno.test("A12a-4: numbers of sockets collected without close() leave the table; their numbers are EBADF/POLLNVAL", async () => {
  const text = await run_gc_child(new URL("./fixtures/adversary12a_fdmap.ts", import.meta.url).pathname, []);
  const r = JSON.parse(text.split("\n").at(-1)!);
  assert.ok(r.after_collected < 12_000, text);
  assert.equal(r.mapped >= 10_000, true, text);
  assert.ok(r.after_close < 12_000 && r.after_close <= r.mapped - 10_000, text);
  assert.deepEqual(r.select, ["OSError", "[Errno 9] Bad file descriptor"]);
  assert.equal(r.poll[0], "ok");
  assert.deepEqual(r.poll[1].map((x: number[]) => x[1]), [32]); // POLLNVAL
  assert.deepEqual(r.epoll, ["OSError", "[Errno 9] Bad file descriptor"]);
});
