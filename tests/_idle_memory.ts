// Memory per idle pysocket TLS connection, measured by bench/memory.ts in a process of its own (heap after full GCs,
// RSS after malloc_trim): `pairs` connections whose server end waits in recv(65536) after `burst` bytes each.

import { run_gc_child } from "./_socket_fixtures.ts";

/** Bytes per connection: RSS, V8 heap and ArrayBuffers (external). */
export interface IdleCost {
  rss: number;
  heap: number;
  external: number;
}

/** Run bench/memory.ts for `pairs` idle TLS connections (certificates in `dir`) after a `burst` of bytes each. */
export async function idle_tls_cost(dir: string, pairs: number, burst: number): Promise<IdleCost> {
  const text = await run_gc_child(
    new URL("../bench/memory.ts", import.meta.url).pathname,
    ["idle", "pysocket", "tls", String(pairs), String(burst), dir],
    180_000,
  );
  return JSON.parse(text.split("\n").pop()!) as IdleCost;
}
