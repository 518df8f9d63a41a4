// The memory rows, one variant per process so variants do not pollute each
// other: open N connections, report RSS and heap growth per connection (pair).
//
// usage: deno run -A --unstable-net --v8-flags=--expose-gc bench/memory.ts pysocket|raw N
//        ... bench/memory.ts idle pysocket|raw|raw4k tcp|tls N BURST CERT_DIR
//   The first: N idle connected pairs (both ends the variant's), nothing pending.
//   The second: N connections whose server end (the variant's) waits in recv,
//   after reading BURST bytes each (0: fresh); client ends are raw Deno.

import { open_pairs } from "./_deno_rows.ts";
import { open_idle } from "./_tls_rows.ts";
import type { Certs } from "./_certs.ts";

const gc = (globalThis as { gc?: (o?: unknown) => void }).gc ?? (() => {});

// glibc keeps freed memory resident (only the top of the heap is trimmed),
// so after a burst RSS would show the allocator's high-water mark, and a
// buffer reused from the warm-up round would not show at all. The idle rows
// ask glibc to return every free page first (malloc_trim), so their RSS is
// what the connections keep alive.
const trim = (() => {
  if (Deno.args[0] !== "idle") return () => {};
  try {
    const libc = Deno.dlopen("libc.so.6", { malloc_trim: { parameters: ["usize"], result: "i32" } });
    return () => void libc.symbols.malloc_trim(0n);
  } catch {
    return () => {};
  }
})();

async function settle(): Promise<Deno.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    // A last-resort GC compacts and gives free pages back, as V8's memory
    // reducer does to an idle process: RSS then shows what the pairs keep,
    // not the slack V8 committed for the garbage made while opening them.
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    await new Promise((r) => setTimeout(r, 20));
    trim();
  }
  return Deno.memoryUsage();
}

let open: () => Promise<() => void | Promise<void>>;
let n: number;
if (Deno.args[0] === "idle") {
  const variant = Deno.args[1] === "raw" ? "raw" : Deno.args[1] === "raw4k" ? "raw4k" : "pysocket";
  const tls = Deno.args[2] === "tls";
  n = Number(Deno.args[3] ?? 1000);
  const burst = Number(Deno.args[4] ?? 0);
  const dir = Deno.args[5] ?? "";
  const certs = tls
    ? {
      dir,
      ca: `${dir}/ca.pem`,
      cert: `${dir}/server.pem`,
      key: `${dir}/server.key`,
      ca_pem: Deno.readTextFileSync(`${dir}/ca.pem`),
      cert_pem: Deno.readTextFileSync(`${dir}/server.pem`),
      key_pem: Deno.readTextFileSync(`${dir}/server.key`),
      cleanup: () => {},
    } satisfies Certs
    : null;
  open = () => open_idle({ variant, tls, pairs: n, burst }, certs);
} else {
  const variant = Deno.args[0] === "raw" ? "raw" : "pysocket";
  n = Number(Deno.args[1] ?? 5000);
  open = () => open_pairs(variant, n);
}

// Warm up the code paths, the allocator and V8's heap sizing with as many
// pairs first, so the growth measured below is what the pairs retain, not the
// one-time growth of the young generation under each variant's garbage.
await (await open())();
const before = await settle();
const close = await open();
// Idle connections are measured idle: a second with nothing sent (for both variants alike).
if (Deno.args[0] === "idle") await new Promise((r) => setTimeout(r, 1000));
const after = await settle();
await close();
console.log(JSON.stringify({
  rss: (after.rss - before.rss) / n,
  heap: (after.heapUsed - before.heapUsed) / n,
  external: (after.external - before.external) / n,
}));
