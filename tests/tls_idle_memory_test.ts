// An idle TLS session keeps little after a burst. Two classes of retention
// under the ciphertext side (_tls.ts): the pending read of an idle session
// pinned a buffer as large as the burst's reads had grown (up to 256 KiB,
// external memory), and ciphertext handed to Deno's TLS engine 256 KiB at a
// time made the engine keep a buffer that size per session (native memory).
// Before: 590 KB RSS and 153 KB external per connection after a 1 MiB burst;
// after: ~204 KB and ~7 KB (raw Deno.startTls reading into 64 KiB: 187 KB).
//
// Measured by bench/memory.ts in its own process (heap after full GCs, RSS
// after malloc_trim): 200 connections whose pysocket server end waits in
// recv after receiving (and reading) 1 MiB each from a raw Deno client.

import assert from "node:assert/strict";
import { make_certs } from "../bench/_certs.ts";
import { idle_tls_cost } from "./_idle_memory.ts";

Deno.test("idle TLS sessions after a 1 MiB burst keep a small read buffer and no burst-sized TLS buffer", async () => {
  const certs = await make_certs();
  try {
    const r = await idle_tls_cost(certs.dir, 200, 1024 * 1024);
    console.log(`per idle TLS connection after a 1 MiB burst: ${JSON.stringify(r)}`);
    // Before: ~153 KB of ArrayBuffers (a pending read of up to 256 KiB). A 4 KiB read plus
    // the plaintext side's small buffer is ~8 KB.
    assert.ok(r.external < 40_000, `external bytes per connection: ${r.external}`);
    // Before: ~590 KB (~420 KB of it in Deno's TLS engine). Generous: allocators differ.
    assert.ok(r.rss < 350_000, `RSS per connection: ${r.rss}`);
  } finally {
    certs.cleanup();
  }
});
