// Memory per idle pysocket TLS connection, measured by bench/memory.ts in a process of its own (heap after full GCs,
// RSS after malloc_trim): `pairs` connections whose server end waits in recv(65536) after `burst` bytes each.

import assert from "node:assert/strict";

const dec = new TextDecoder();

/** Bytes per connection: RSS, V8 heap and ArrayBuffers (external). */
export interface IdleCost {
  rss: number;
  heap: number;
  external: number;
}

/** Run bench/memory.ts for `pairs` idle TLS connections (certificates in `dir`) after a `burst` of bytes each. */
export async function idle_tls_cost(dir: string, pairs: number, burst: number): Promise<IdleCost> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      "--v8-flags=--expose-gc",
      new URL("../bench/memory.ts", import.meta.url).pathname,
      "idle",
      "pysocket",
      "tls",
      String(pairs),
      String(burst),
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const text = dec.decode(out.stdout).trim();
  assert.equal(out.code, 0, dec.decode(out.stderr) + text);
  return JSON.parse(text.split("\n").pop()!) as IdleCost;
}
