// The memory row, one variant per process so variants do not pollute each
// other: open N idle connected pairs, report RSS and heap growth per pair.
//
// usage: deno run -A --unstable-net --v8-flags=--expose-gc bench/memory.ts pysocket|raw N

import { open_pairs } from "./_deno_rows.ts";

const variant = Deno.args[0] === "raw" ? "raw" : "pysocket";
const pairs = Number(Deno.args[1] ?? 5000);
const gc = (globalThis as { gc?: (o?: unknown) => void }).gc ?? (() => {});

async function settle(): Promise<Deno.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    // A last-resort GC compacts and gives free pages back, as V8's memory
    // reducer does to an idle process: RSS then shows what the pairs keep,
    // not the slack V8 committed for the garbage made while opening them.
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    await new Promise((r) => setTimeout(r, 20));
  }
  return Deno.memoryUsage();
}

// Warm up the code paths, the allocator and V8's heap sizing with as many
// pairs first, so the growth measured below is what the pairs retain, not the
// one-time growth of the young generation under each variant's garbage.
(await open_pairs(variant, pairs))();
const before = await settle();
const close = await open_pairs(variant, pairs);
const after = await settle();
close();
console.log(JSON.stringify({
  rss: (after.rss - before.rss) / pairs,
  heap: (after.heapUsed - before.heapUsed) / pairs,
}));
