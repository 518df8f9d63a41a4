// adv25: false expectations of A24-2's datagram hint (_dgram.ts: sent_here()/#incoming/expecting). A datagram one
// socket of this process sends another increments the receiver's #incoming (for DGRAM_EXPECT_MS, 50 ms after the
// last such send); it is decremented when a datagram arrives whose sender local_receiver() finds in local_dgrams. A
// look at once (non-blocking recv, select(0), ...) with #incoming > 0 and nothing queued waits until the hint
// expires. A datagram counted but never matched on arrival leaves #incoming up, and the next look waits ~50 ms for
// nothing, where CPython's EAGAIN is immediate. Each row counts looks slower than SLOW_MS (an ordinary EAGAIN costs a
// timer turn, 1-4 ms) and compares outcomes with a CPython twin.
//
// A25-2 (fixed: dgram_key reads ::ffff:a.b.c.d as a.b.c.d): an AF_INET6 socket bound to "::" (dual-stack) receiving from an AF_INET socket bound to
// 127.0.0.1: the arrival's source is "::ffff:127.0.0.1", which local_receiver() does not map back to the sender's
// "udp|127.0.0.1|port" key, so every datagram leaves +1: each round's first EAGAIN waits (8 of 8 rounds, ~45 ms).
// A25-3 (fixed: a closed sender's key counts for 50 ms more): the sender closes before its datagram arrives (another local datagram socket open, so
// the `local_dgrams.size > 1` branch runs): the sender's key is gone, the arrival is not matched, +1 left (6 of 6).
// A25-4 (documented in docs/limits.md, ignored row): a burst that overflows the receiver's kernel queue (the kernel drops the rest): the
// dropped datagrams stay counted, the look that finds the queue drained waits out the hint (1 of 1, ~45 ms).
// ADV25_RUN_IGNORED=1 runs the ignored rows.

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, type Socket, socket, socketpair } from "../mod.ts";
import { select } from "../selectors.ts";
import { HAS_IPV6, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const RUN_IGNORED = Deno.env.get("ADV25_RUN_IGNORED") === "1";
/** A look slower than this waited for a datagram that is not coming (the hint lasts 50 ms; an EAGAIN is ~1-4 ms). */
const SLOW_MS = 30;
/**
 * Slow looks a row tolerates: a loaded CI machine can stretch one timer turn past SLOW_MS (seen: 1 of 24); the bugs
 * these rows catch made every round's look slow (6 of 6, 8 of 8).
 */
const LOAD_SLOW = 2;
const enc = new TextEncoder();
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One look, timed: its outcome ("ok:<text>", a select count, or the error class) and whether it was slow. */
async function timed(fn: () => Promise<unknown>): Promise<[string | number, boolean]> {
  const t = performance.now();
  let o: string | number;
  try {
    const r = await fn();
    o = r instanceof Uint8Array ? `ok:${dec.decode(r)}` : r as number;
  } catch (e) {
    o = (e as Error).name;
  }
  return [o, performance.now() - t > SLOW_MS];
}

/** Rounds of: `send()`, a short pause, then recv, recv, select(0) at once on `r` (non-blocking). */
async function rounds(
  r: Socket,
  n: number,
  send: (i: number) => Promise<void>,
): Promise<{ outs: (string | number)[][]; slow: number }> {
  const outs: (string | number)[][] = [];
  let slow = 0;
  for (let i = 0; i < n; i++) {
    await send(i);
    await sleep(5);
    const row: (string | number)[] = [];
    for (const f of [() => r.recv(100), () => r.recv(100), () => select([r], [], [], 0).then((x) => x[0].length)]) {
      const [o, s] = await timed(f);
      row.push(o);
      if (s) slow++;
    }
    outs.push(row);
  }
  return { outs, slow };
}

/** The twin of rounds(): PY_ROUNDS(r, n, send_body) with `send(i)` defined by the caller's Python. */
const PY_ROUNDS = `
def L(f):
    try:
        x = f()
        return "ok:" + x.decode() if isinstance(x, bytes) else x
    except Exception as e:
        return type(e).__name__
def rounds(r, n, send):
    out = []
    for i in range(n):
        send(i); time.sleep(0.005)
        out.append([L(lambda: r.recv(100)), L(lambda: r.recv(100)), len(select.select([r], [], [], 0)[0])])
    return out
`;

// ---- A25-2: dual-stack receiver, IPv4 sender ----

for (const bound of [true, false]) {
  const ignored = false; // A25-2 fixed (dgram_key reads a v4-mapped source as the IPv4 sender)
  test({
    name:
      `adv25: an AF_INET6 socket on "::" receiving from an AF_INET socket ${
        bound ? "bound to 127.0.0.1" : "autobound by its first sendto"
      }: each round's recv, recv, select(0) at once as CPython's, no look waits` +
      (ignored
        ? " (ignored: A25-2, the ::ffff:127.0.0.1 source is not matched to the sender: every datagram " +
          "leaves the hint up, each round's EAGAIN waits ~45 ms)"
        : ""),
    ignore: !HAS_IPV6 || (ignored && !RUN_IGNORED),
  }, async () => {
    const py = await cpython(
      PY_ROUNDS + `
r = socket(AF_INET6, SOCK_DGRAM); r.bind(("::", 0)); r.setblocking(False)
port = r.getsockname()[1]
s = socket(AF_INET, SOCK_DGRAM)
if ${bound ? "True" : "False"}: s.bind(("127.0.0.1", 0))
print(json.dumps(rounds(r, 8, lambda i: s.sendto(b"d%d" % i, ("127.0.0.1", port)))))
`,
    );
    const r = socket(AF_INET6, SOCK_DGRAM);
    const s = socket(AF_INET, SOCK_DGRAM);
    try {
      r.bind(["::", 0]);
      r.setblocking(false);
      const port = (r.getsockname() as unknown as [string, number])[1];
      if (bound) s.bind(["127.0.0.1", 0]);
      const got = await rounds(r, 8, async (i) => {
        await s.sendto(enc.encode(`d${i}`), ["127.0.0.1", port]);
      });
      if (ignored) console.log(`A25-2: ${got.slow} looks > ${SLOW_MS} ms of 24`);
      assert.deepEqual(got.outs, py);
      assert.ok(got.slow <= LOAD_SLOW, `${got.slow} slow looks`);
    } finally {
      r.close();
      s.close();
    }
  });
}

// ---- A25-3: the sender closes before its datagram arrives ----

for (const bystander of [true, false]) {
  const ignored = false; // A25-3 fixed (closed senders are kept for the hint's 50 ms)
  test({
    name:
      `adv25: UDP, a fresh sender sends one datagram and closes at once${
        bystander ? " (another datagram socket of this process open)" : ""
      }: the receiver's recv, recv, select(0) as CPython's, no look waits` +
      (ignored
        ? " (ignored: A25-3, the closed sender's datagram is not matched on arrival: the hint stays up, " +
          "each round's EAGAIN waits ~40 ms)"
        : ""),
    ignore: ignored && !RUN_IGNORED,
  }, async () => {
    const py = await cpython(
      PY_ROUNDS + `
r = socket(AF_INET, SOCK_DGRAM); r.bind(("127.0.0.1", 0)); r.setblocking(False)
by = socket(AF_INET, SOCK_DGRAM); by.bind(("127.0.0.1", 0))
def send(i):
    s = socket(AF_INET, SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.sendto(b"d%d" % i, r.getsockname()); s.close()
print(json.dumps(rounds(r, 6, send)))
`,
    );
    const r = socket(AF_INET, SOCK_DGRAM);
    const by = bystander ? socket(AF_INET, SOCK_DGRAM) : null;
    try {
      r.bind(["127.0.0.1", 0]);
      r.setblocking(false);
      by?.bind(["127.0.0.1", 0]);
      const got = await rounds(r, 6, async (i) => {
        const s = socket(AF_INET, SOCK_DGRAM);
        s.bind(["127.0.0.1", 0]);
        await s.sendto(enc.encode(`d${i}`), r.getsockname());
        s.close();
      });
      if (ignored) console.log(`A25-3: ${got.slow} looks > ${SLOW_MS} ms of 18`);
      assert.deepEqual(got.outs, py);
      assert.ok(got.slow <= LOAD_SLOW, `${got.slow} slow looks`);
    } finally {
      r.close();
      by?.close();
    }
  });
}

// ---- A25-4: datagrams the kernel dropped stay counted ----

test({
  name: "adv25: UDP, a burst of 200 datagrams of 8000 bytes overflows the receiver's queue: after draining it, " +
    "the EAGAIN look answers at once (ignored: documented, A25-4, the dropped datagrams stay counted: that one look " +
    "waits out the 50 ms hint)",
  ignore: !RUN_IGNORED,
}, async () => {
  const r = socket(AF_INET, SOCK_DGRAM);
  const s = socket(AF_INET, SOCK_DGRAM);
  try {
    r.bind(["127.0.0.1", 0]);
    r.setblocking(false);
    s.bind(["127.0.0.1", 0]);
    const big = new Uint8Array(8000);
    for (let i = 0; i < 200; i++) await s.sendto(big, r.getsockname());
    await sleep(5);
    let n = 0;
    let last: [string | number, boolean] = ["", false];
    for (let i = 0; i < 400; i++) {
      last = await timed(() => r.recv(9000));
      if (last[0] !== "ok:" + "\0".repeat(8000)) break;
      n++;
    }
    console.log(`A25-4: drained ${n}, then ${last[0]}, slow: ${last[1]}`);
    assert.equal(last[0], "BlockingIOError");
    assert.equal(last[1], false);
  } finally {
    r.close();
    s.close();
  }
});

// ---- regressions: the hint goes down as datagrams come ----

test(
  "adv25: a connected UDP receiver, a local stranger sending to it each round: every look EAGAIN / 0 at once, " +
    "as CPython's (the stranger's datagrams are dropped, the hint not left up)",
  async () => {
    const py = await cpython(
      PY_ROUNDS + `
r = socket(AF_INET, SOCK_DGRAM); r.bind(("127.0.0.1", 0)); r.setblocking(False)
f = socket(AF_INET, SOCK_DGRAM); f.bind(("127.0.0.1", 0)); r.connect(f.getsockname())
st = socket(AF_INET, SOCK_DGRAM); st.bind(("127.0.0.1", 0))
print(json.dumps(rounds(r, 8, lambda i: st.sendto(b"x", r.getsockname()))))
`,
    );
    const r = socket(AF_INET, SOCK_DGRAM);
    const f = socket(AF_INET, SOCK_DGRAM);
    const st = socket(AF_INET, SOCK_DGRAM);
    try {
      r.bind(["127.0.0.1", 0]);
      r.setblocking(false);
      f.bind(["127.0.0.1", 0]);
      await r.connect(f.getsockname());
      st.bind(["127.0.0.1", 0]);
      const got = await rounds(r, 8, async () => {
        await st.sendto(enc.encode("x"), r.getsockname());
      });
      assert.deepEqual(got.outs, py);
      assert.ok(got.slow <= LOAD_SLOW, `${got.slow} slow looks`);
    } finally {
      r.close();
      f.close();
      st.close();
    }
  },
);

for (const kind of ["unix_pair_ab", "unix_pair_ba", "udp_self", "udp_wildcard"] as const) {
  test(`adv25: ${kind}: each round's datagram, then recv, recv, select(0) at once, as CPython's, no look waits`, async () => {
    const py = await cpython(
      PY_ROUNDS + `
kind = ${JSON.stringify(kind)}
if kind.startswith("unix_pair"):
    a, b = socketpair(AF_UNIX, SOCK_DGRAM)
    if kind == "unix_pair_ba": a, b = b, a
    b.setblocking(False)
    print(json.dumps(rounds(b, 8, lambda i: a.send(b"d%d" % i))))
elif kind == "udp_self":
    a = socket(AF_INET, SOCK_DGRAM); a.bind(("127.0.0.1", 0)); a.setblocking(False)
    print(json.dumps(rounds(a, 8, lambda i: a.sendto(b"d%d" % i, a.getsockname()))))
else:
    b = socket(AF_INET, SOCK_DGRAM); b.bind(("0.0.0.0", 0)); b.setblocking(False)
    a = socket(AF_INET, SOCK_DGRAM); a.bind(("127.0.0.1", 0))
    print(json.dumps(rounds(b, 8, lambda i: a.sendto(b"d%d" % i, ("127.0.0.1", b.getsockname()[1])))))
`,
    );
    const socks: Socket[] = [];
    try {
      let got;
      if (kind.startsWith("unix_pair")) {
        let [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
        socks.push(a!, b!);
        if (kind === "unix_pair_ba") [a, b] = [b, a];
        b!.setblocking(false);
        got = await rounds(b!, 8, async (i) => {
          await a!.send(enc.encode(`d${i}`));
        });
      } else if (kind === "udp_self") {
        const a = socket(AF_INET, SOCK_DGRAM);
        socks.push(a);
        a.bind(["127.0.0.1", 0]);
        a.setblocking(false);
        got = await rounds(a, 8, async (i) => {
          await a.sendto(enc.encode(`d${i}`), a.getsockname());
        });
      } else {
        const b = socket(AF_INET, SOCK_DGRAM);
        const a = socket(AF_INET, SOCK_DGRAM);
        socks.push(a, b);
        b.bind(["0.0.0.0", 0]);
        b.setblocking(false);
        a.bind(["127.0.0.1", 0]);
        const port = (b.getsockname() as [string, number])[1];
        got = await rounds(b, 8, async (i) => {
          await a.sendto(enc.encode(`d${i}`), ["127.0.0.1", port]);
        });
      }
      assert.deepEqual(got.outs, py);
      assert.ok(got.slow <= LOAD_SLOW, `${got.slow} slow looks`);
    } finally {
      for (const x of socks) x.close();
    }
  });
}
