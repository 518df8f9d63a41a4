// Adversary 12b: an SSLSocket write left unfinished (SSLWantWriteError, TimeoutError) and retried from another
// mode. CPython's is OpenSSL's SSL_write: the retry with the same bytes goes on from what was queued, whatever
// the mode of either call (send, sendall, timed, non-blocking, blocking). pysocket's timed send/sendall and its
// non-blocking sendall forgot what they had queued, so the retry sent it twice (A12b-1, A12b-2). Each scenario runs
// a CPython client and a pysocket client against the same python3 server, which reports what it received.

import assert from "node:assert/strict";
import type { SSLSocket } from "../ssl.ts";
import { client_twins, make_certs, sha256 } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const MiB = 1 << 20;

/** The bytes both clients send (the python twin's pattern() computes the same, fast). */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((i % 251) * 7 + seed) & 255;
  return b;
}

/** The twin's pattern() and show(). */
const PY_DEFS = `
def pattern(n, seed):
    return (bytes((i * 7 + seed) & 255 for i in range(251)) * (n // 251 + 1))[:n]
def show(f):
    try:
        r = f()
        print("None" if r is None else r)
    except Exception as e: print(type(e).__name__, e)
`;

/** As the twin's show(): the result or `Class message`. */
async function show(out: string[], f: () => Promise<unknown>): Promise<void> {
  try {
    const r = await f();
    out.push(r === undefined ? "None" : String(r));
  } catch (e) {
    const x = e as Error;
    out.push(`${x.name} ${x.message}`);
  }
}

const both = (sleep_s: number, py_body: string, ours: (s: SSLSocket) => Promise<string[]>) =>
  client_twins(certs, sleep_s, PY_DEFS + py_body, ours);

const data = pattern(16 * MiB, 3);

/** Each (first call, retry) pair: the first leaves the write unfinished, the retry has the same bytes. */
const CASES: [string, string, (s: SSLSocket) => Promise<string[]>][] = [
  [
    "a timed send that timed out, retried by a timed send",
    `s.settimeout(0.2); show(lambda: s.send(data)); s.settimeout(30); show(lambda: s.send(data))`,
    async (s) => {
      const o: string[] = [];
      s.settimeout(0.2);
      await show(o, () => s.send(data));
      s.settimeout(30);
      await show(o, () => s.send(data));
      return o;
    },
  ],
  [
    "a timed sendall that timed out, retried by a timed sendall",
    `s.settimeout(0.2); show(lambda: s.sendall(data)); s.settimeout(30); show(lambda: s.sendall(data))`,
    async (s) => {
      const o: string[] = [];
      s.settimeout(0.2);
      await show(o, () => s.sendall(data));
      s.settimeout(30);
      await show(o, () => s.sendall(data));
      return o;
    },
  ],
  [
    "a non-blocking sendall (SSLWantWriteError), retried by a blocking sendall",
    `s.setblocking(False); show(lambda: s.sendall(data)); s.setblocking(True); show(lambda: s.sendall(data))`,
    async (s) => {
      const o: string[] = [];
      s.setblocking(false);
      await show(o, () => s.sendall(data));
      s.setblocking(true);
      await show(o, () => s.sendall(data));
      return o;
    },
  ],
  [
    "a timed send that timed out, retried by a non-blocking send in a select() loop",
    `
s.settimeout(0.2); show(lambda: s.send(data)); s.setblocking(False)
for _ in range(20000):
    try:
        print(s.send(data)); break
    except ssl.SSLWantWriteError: select.select([], [s], [], 5)`,
    async (s) => {
      const o: string[] = [];
      s.settimeout(0.2);
      await show(o, () => s.send(data));
      s.setblocking(false);
      const { select } = await import("../selectors.ts");
      for (let i = 0; i < 20_000; i++) {
        try {
          o.push(String(await s.send(data)));
          break;
        } catch (e) {
          if ((e as Error).name !== "SSLWantWriteError") throw e;
          await select([], [s], [], 5);
        }
      }
      return o;
    },
  ],
];

for (const [name, py, ours] of CASES) {
  test(`adversary12b ssl: ${name} delivers the bytes once, as CPython's (A12b-1, A12b-2)`, async () => {
    const r = await both(1, `data = pattern(${16 * MiB}, 3)\n${py}\nend()`, ours);
    assert.equal(r.cpython[0], `${16 * MiB} ${await sha256(data)} eof`);
    assert.deepEqual(r.pysocket, r.cpython);
  });
}

test("adversary12b ssl: one unfinished write carried through non-blocking, timed and blocking send/sendall, then a longer retry (its extra bytes written), as CPython's", async () => {
  const longer = new Uint8Array(data.length + 3);
  longer.set(data);
  longer.set([88, 89, 90], data.length);
  const r = await both(
    1.5,
    `
data = pattern(${16 * MiB}, 3)
s.setblocking(False); show(lambda: s.send(data))
s.settimeout(0.1); show(lambda: s.send(data))
s.setblocking(False); show(lambda: s.sendall(data))
s.settimeout(0.1); show(lambda: s.sendall(data))
s.setblocking(True); show(lambda: s.send(data + b"XYZ"))
end()`,
    async (s) => {
      const o: string[] = [];
      s.setblocking(false);
      await show(o, () => s.send(data));
      s.settimeout(0.1);
      await show(o, () => s.send(data));
      s.setblocking(false);
      await show(o, () => s.sendall(data));
      s.settimeout(0.1);
      await show(o, () => s.sendall(data));
      s.setblocking(true);
      await show(o, () => s.send(longer));
      return o;
    },
  );
  assert.equal(r.cpython[0], `${longer.length} ${await sha256(longer)} eof`);
  assert.deepEqual(r.pysocket, r.cpython);
});

// Documented in docs/limits.md, not fixed: the deadline is checked between the writes of an SSLSocket's timed send.
Deno.test({
  name:
    "adversary12b ssl (documented in docs/limits.md): a timed send to a peer reading a trickle may end up to one timeout past its deadline (CPython's ends at it)",
  ignore: true,
  fn() {},
});
