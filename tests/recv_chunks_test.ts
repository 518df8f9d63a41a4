// A connection made through node:net (create_connection with source_address: Deno.connect has no local address)
// or TLS keeps the chunks its Duplex delivered until they are read; a peer sending many tiny segments must not make
// reading them cost O(chunks) each (they were shifted off an array). Every byte arrives once, in order.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { missing, sleep, within } from "./_socket_fixtures.ts";
import { python_server } from "./_ssl_fixtures.ts";

Deno.test("recv through node:net (source_address): 20,000 one-byte segments read late arrive in order, each once", {
  ignore: missing("python3"),
}, async () => {
  const peer = await python_server(`
import socket
l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
c, _ = l.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(20000): c.send(bytes([i % 251]))
c.close()
`);
  try {
    // bind(port 0) then connect can meet EADDRINUSE when the kernel's pick collides with a TIME_WAIT 4-tuple left
    // by other tests (Linux, as CPython's create_connection(source_address=...) would): try a few picks.
    let s!: Awaited<ReturnType<typeof create_connection>>;
    for (let i = 0;; i++) {
      try {
        s = await create_connection(["127.0.0.1", Number(peer.first)], { source_address: ["127.0.0.1", 0] });
        break;
      } catch (e) {
        if (i >= 4 || (e as { errno?: number }).errno !== 98) throw e;
      }
    }
    try {
      await sleep(500); // the segments pile up as chunks, unread
      const got = await within(
        (async () => {
          const parts: Uint8Array[] = [];
          let n = 0;
          for (let i = 0; i < 100_000; i++) {
            const d = await s.recv(1 << 20);
            if (d.length === 0) break;
            parts.push(d.slice());
            n += d.length;
          }
          const all = new Uint8Array(n);
          let off = 0;
          for (const p of parts) all.set(p, (off += p.length) - p.length);
          return all;
        })(),
        20_000,
        "reading 20,000 segments",
      );
      assert.equal(got.length, 20_000);
      for (let i = 0; i < got.length; i++) if (got[i] !== i % 251) assert.fail(`byte ${i}: ${got[i]}`);
    } finally {
      s.close();
    }
    const r = await peer.rest();
    assert.equal(r.code, 0, r.err);
  } finally {
    peer.kill();
  }
});
