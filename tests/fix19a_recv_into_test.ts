// fix19a, A18d-3: a blocking recv_into() (recvfrom_into(), recvmsg_into() and an unbuffered file's readinto share the
// path) on an idle reader read into a buffer of the reader's own as large as the caller's, then copied: a 256 MiB
// buffer cost another 256 MiB of V8 external memory per call. Now that buffer is at most 2 MiB (pooled); a read
// returns at most what the kernel holds, so a call may return less, as recv_into allows. CPython twin: the counts and
// the bytes of 8 MiB read through 64 MiB and 256 MiB buffers, and one 1,000-byte read into a 256 MiB buffer.

import assert from "node:assert/strict";
import { cpython, pair } from "./_twin.ts";

const TOTAL = 8 * 2 ** 20;

/** Byte i of the stream: a pattern no shift or repeat of 2 MiB blocks matches. */
const PY_DATA = `data = bytes((i * 7 + (i >> 13)) & 255 for i in range(${TOTAL}))`;
function data(): Uint8Array {
  const d = new Uint8Array(TOTAL);
  for (let i = 0; i < TOTAL; i++) d[i] = (i * 7 + (i >> 13)) & 255;
  return d;
}

Deno.test("A18d-3: recv_into() with 64 MiB and 256 MiB buffers reads 8 MiB whole and in order, and one 1,000-byte message into a 256 MiB buffer, as CPython (twin)", async () => {
  const py = await cpython(`
${PY_DATA}
import hashlib
out = []
for size in (64 << 20, 256 << 20):
    c, s = pair()
    buf = bytearray(size)
    t = threading.Thread(target=c.sendall, args=(data,)); t.start()
    got = bytearray()
    for _ in range(100000):
        n = s.recv_into(buf)
        got += buf[:n]
        if n == 0 or len(got) >= len(data): break
    t.join(10)
    out.append([size, len(got), got == data])
    c.sendall(b"a" * 1000); time.sleep(0.05)
    out.append([size, s.recv_into(buf)])
    c.close(); s.close()
print(json.dumps(out))
`);
  const d = data();
  const out: unknown[] = [];
  for (const size of [64 * 2 ** 20, 256 * 2 ** 20]) {
    using p = await pair();
    const [c, s] = p;
    const buf = new Uint8Array(size);
    const sender = c.sendall(d);
    const got = new Uint8Array(TOTAL);
    let have = 0;
    for (let i = 0; i < 100000; i++) {
      const n = await s.recv_into(buf);
      got.set(buf.subarray(0, n), have);
      have += n;
      if (n === 0 || have >= TOTAL) break;
    }
    await sender;
    out.push([size, have, got.every((v, i) => v === d[i])]);
    await c.sendall(new Uint8Array(1000).fill(97));
    await new Promise((r) => setTimeout(r, 50));
    out.push([size, await s.recv_into(buf)]);
  }
  assert.deepEqual(out, py);
});

Deno.test("A18d-3: ten blocking recv_into() calls with a 256 MiB buffer allocate no second buffer of its size (external memory grows < 16 MiB; was +256 MiB per call)", async () => {
  using p = await pair();
  const [c, s] = p;
  const buf = new Uint8Array(256 * 2 ** 20);
  const before = Deno.memoryUsage().external;
  let peak = 0;
  for (let i = 0; i < 10; i++) {
    await c.sendall(new Uint8Array(1000).fill(97));
    assert.equal(await s.recv_into(buf), 1000);
    peak = Math.max(peak, Deno.memoryUsage().external - before);
  }
  assert.ok(peak / 2 ** 20 < 16, `external memory grew ${(peak / 2 ** 20).toFixed(0)} MiB`);
});
