// Waits that survive garbage collection: a program's main() that awaits `sel.select()` is reachable only from
// the wake-up it waits for. In an earlier round a DefaultSelector's watches reached their registrations only
// through WeakRefs (so that a dropped selector is freed), and a full GC during an untimed select() freed the
// waiting selector with its caller: the wake-up was lost and the program hung (found by the select-echo bench,
// which hung in 1 of 3 runs). The child process runs every kind of wait (selector, select.select, recv,
// readline, accept, recvfrom, TLS, serve_forever) with forced full GCs in the middle; each must wake. CPython
// has no twin to run here: a waiting call's C frame holds its objects, so each of these simply returns there.

import assert from "node:assert/strict";
import { localhost_cert } from "./_ssl_fixtures.ts";
import { run_gc_child, test_needing } from "./_socket_fixtures.ts";

test_needing("openssl")("every kind of wait wakes after full garbage collections in the middle of it", async () => {
  const { cert, key } = await localhost_cert("pysocket_gc_");
  const text = await run_gc_child(new URL("./fixtures/gc_waits.ts", import.meta.url).pathname, [cert, key]);
  const rows = text.split("\n").map((l) => JSON.parse(l) as { name: string; ok: boolean; detail: string });
  assert.ok(rows.length >= 11, text);
  const hung = rows.filter((r) => !r.ok).map((r) => r.name);
  assert.deepEqual(hung, [], `these waits never woke after a GC:\n${text}`);
  const got = Object.fromEntries(rows.map((r) => [r.name, r.detail]));
  assert.equal(got["DefaultSelector.select() on a plain socket"], "b:1");
  assert.equal(got["DefaultSelector.select() for EVENT_WRITE once a full send buffer drains"], "a:2");
  assert.equal(got["DefaultSelector.select() and recv() on an SSLSocket"], "tls:1 3 1");
  assert.equal(got["TCPServer.serve_forever() with no poll timeout"], "ping");
});
