// Concurrent receivers on one SOCK_DGRAM socket (issue 14), for UDP over IPv4
// and IPv6 and for AF_UNIX: every pair of recv, recv_into, recvfrom,
// recvfrom_into (with and without MSG_PEEK) waiting at once, also after a
// timed-out, non-blocking or aborted receive; each receiver that takes gets
// its own datagram, nothing is lost, nothing is duplicated. python3 runs the
// same scenarios with threads and must show the same outcome. Also: a tiny
// timeout or a non-blocking receive returns a datagram that is already there
// (CPython polls first), and close() wakes every waiting receiver with EBADF.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  errno,
  MSG_PEEK,
  OSError,
  SOCK_DGRAM,
  type Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { HAS_IPV6, sleep, TempDir, test_needing, within } from "./_socket_fixtures.ts";
import { pooled, python_json } from "./_twin.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Fam {
  readonly name: string;
  readonly family: number;
  readonly host: string;
}

const FAMS: readonly Fam[] = [
  { name: "udp4", family: AF_INET, host: "127.0.0.1" },
  ...(HAS_IPV6 ? [{ name: "udp6", family: AF_INET6, host: "::1" }] : []),
  { name: "unix", family: AF_UNIX, host: "" },
];

const OPS = ["recv", "recv_into", "recvfrom", "recvfrom_into"] as const;
/** An op, optionally with MSG_PEEK ("recv/peek"). */
const KINDS: readonly string[] = [...OPS, ...OPS.map((o) => `${o}/peek`)];

/** Every unordered pair of kinds, a kind with itself included. */
function pairs(kinds: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < kinds.length; i++) {
    for (let j = i; j < kinds.length; j++) out.push([kinds[i]!, kinds[j]!]);
  }
  return out;
}

interface Scenario {
  key: string;
  fam: string;
  a: string;
  b: string;
  /** What happens on the receiver first: "none", "timeout", "nonblock" (both sides), "abort" (pysocket only). */
  prelude: string;
}

/** The outcome both sides report, made deterministic (which thread wins is not). */
interface Outcome {
  /** Datagrams taken by the two receivers (non-peek), and those still queued after: sorted. */
  taken_and_rest: string[];
  /** How many the receivers took (one each that does not peek). */
  taken: number;
  /** Every peek saw a datagram that was sent, and every from-address is the sender's. */
  valid: boolean;
  /** What went wrong (an exception, a receiver that hung), or null. */
  error: string | null;
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const f of FAMS) {
    for (const [a, b] of pairs(KINDS)) {
      out.push({ key: `${f.name} ${a}+${b} none`, fam: f.name, a, b, prelude: "none" });
    }
    for (const prelude of ["timeout", "nonblock", "abort"]) {
      for (const [a, b] of pairs(OPS)) out.push({ key: `${f.name} ${a}+${b} ${prelude}`, fam: f.name, a, b, prelude });
    }
  }
  return out;
}

// ---- pysocket side ------------------------------------------------------

const SENT = ["a1", "b22"];

async function call(r: Socket, kind: string, timeout_ms: number): Promise<[string, unknown]> {
  const [op, peek] = kind.split("/");
  const flags = peek ? MSG_PEEK : 0;
  const buf = new Uint8Array(100);
  const p = (async (): Promise<[string, unknown]> => {
    switch (op) {
      case "recv":
        return [dec.decode(await r.recv(100, flags)), null];
      case "recv_into": {
        const k = await r.recv_into(buf, 0, flags);
        return [dec.decode(buf.subarray(0, k)), null];
      }
      case "recvfrom": {
        const [d, a] = await r.recvfrom(100, flags);
        return [dec.decode(d), a];
      }
      default: {
        const [k, a] = await r.recvfrom_into(buf, 0, flags);
        return [dec.decode(buf.subarray(0, k)), a];
      }
    }
  })();
  return await within(p, timeout_ms, kind);
}

async function run_ours(sc: Scenario, dir: TempDir, n: number): Promise<Outcome> {
  const fam = FAMS.find((f) => f.name === sc.fam)!;
  using r = socket(fam.family, SOCK_DGRAM);
  using s = socket(fam.family, SOCK_DGRAM);
  if (fam.family === AF_UNIX) {
    r.bind(dir.sock(`r${n}`));
    s.bind(dir.sock(`s${n}`));
  } else {
    r.bind([fam.host, 0]);
    s.bind([fam.host, 0]);
  }
  if (sc.prelude === "timeout") {
    r.settimeout(0.05);
    await assert.rejects(r.recv(100), TimeoutError);
    r.settimeout(null);
  } else if (sc.prelude === "nonblock") {
    r.setblocking(false);
    await assert.rejects(r.recv(100), BlockingIOError);
    r.setblocking(true);
  } else if (sc.prelude === "abort") {
    const ac = new AbortController();
    const p = r.recvfrom(100, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(p, /stop/);
  }
  const pa = call(r, sc.a, 10_000), pb = call(r, sc.b, 10_000);
  await sleep(30);
  for (const d of SENT) await s.sendto(enc.encode(d), r.getsockname());
  const results = await Promise.all([pa, pb]);
  r.settimeout(0.1);
  const rest: string[] = [];
  for (let i = 0; i < 5; i++) {
    try {
      rest.push(dec.decode(await r.recv(100)));
    } catch (e) {
      if (e instanceof TimeoutError) break;
      throw e;
    }
  }
  return outcome([sc.a, sc.b], results, rest, JSON.stringify(s.getsockname()), (a) => JSON.stringify(a));
}

function outcome(
  kinds: string[],
  results: [string, unknown][],
  rest: string[],
  sender: string,
  show: (a: unknown) => string,
): Outcome {
  const taken: string[] = [];
  let valid = true;
  results.forEach(([data, addr], i) => {
    const kind = kinds[i]!;
    if (kind.endsWith("/peek")) valid &&= SENT.includes(data);
    else taken.push(data);
    if (kind.startsWith("recvfrom")) valid &&= show(addr) === sender;
  });
  return { taken_and_rest: [...taken, ...rest].sort(), taken: taken.length, valid, error: null };
}

// ---- python3 side -------------------------------------------------------

const PY = String.raw`
import json, sys, threading, time, tempfile
from socket import *
D = tempfile.mkdtemp(prefix="pysocket-dgc-")
FAM = {"udp4": (AF_INET, "127.0.0.1"), "udp6": (AF_INET6, "::1"), "unix": (AF_UNIX, "")}
SENT = ["a1", "b22"]

def call(r, kind):
    op, _, peek = kind.partition("/")
    flags = MSG_PEEK if peek else 0
    buf = bytearray(100)
    if op == "recv": return r.recv(100, flags).decode(), None
    if op == "recv_into":
        k = r.recv_into(buf, 0, flags); return buf[:k].decode(), None
    if op == "recvfrom":
        d, a = r.recvfrom(100, flags); return d.decode(), a
    k, a = r.recvfrom_into(buf, 0, flags); return buf[:k].decode(), a

def run(sc, n):
    family, host = FAM[sc["fam"]]
    r = socket(family, SOCK_DGRAM); s = socket(family, SOCK_DGRAM)
    try:
        if family == AF_UNIX:
            r.bind(f"{D}/r{n}"); s.bind(f"{D}/s{n}")
        else:
            r.bind((host, 0)); s.bind((host, 0))
        if sc["prelude"] == "timeout":
            r.settimeout(0.05)
            try: r.recv(100); raise AssertionError("no timeout")
            except TimeoutError: pass
            r.settimeout(None)
        elif sc["prelude"] == "nonblock":
            r.setblocking(False)
            try: r.recv(100); raise AssertionError("no EAGAIN")
            except BlockingIOError: pass
            r.setblocking(True)
        kinds = [sc["a"], sc["b"]]
        results = [None, None]
        def work(i):
            results[i] = call(r, kinds[i])
        ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in ts: t.start()
        time.sleep(0.03)
        for d in SENT: s.sendto(d.encode(), r.getsockname())
        for t in ts: t.join(10)
        if any(t.is_alive() for t in ts): return {"error": "a receiver hung"}
        r.settimeout(0.1)
        rest = []
        for _ in range(5):
            try: rest.append(r.recv(100).decode())
            except TimeoutError: break
        sender = json.dumps(list(s.getsockname()) if isinstance(s.getsockname(), tuple) else s.getsockname())
        taken = []; valid = True
        for kind, (data, addr) in zip(kinds, results):
            if kind.endswith("/peek"): valid = valid and data in SENT
            else: taken.append(data)
            if kind.startswith("recvfrom"):
                valid = valid and json.dumps(list(addr) if isinstance(addr, tuple) else addr) == sender
        return {"taken_and_rest": sorted(taken + rest), "taken": len(taken), "valid": valid, "error": None}
    finally:
        r.close(); s.close()

def one(n_sc):
    n, sc = n_sc
    try: return sc["key"], run(sc, n)
    except Exception as e: return sc["key"], {"error": f"{type(e).__name__}: {e}"}

# The scenarios are independent (their own sockets), and each mostly waits (0.03 s, then 0.1 s to show that nothing
# is left): sixteen at a time.
import concurrent.futures
todo = [(n, sc) for n, sc in enumerate(json.load(sys.stdin)) if sc["prelude"] != "abort"]
with concurrent.futures.ThreadPoolExecutor(16) as ex:
    out = dict(ex.map(one, todo))
print(json.dumps(out))
`;

test("concurrent datagram receivers each get their own datagram, as CPython's threads do", async () => {
  const list = scenarios();
  const theirs_p = python_json(PY, list);
  using dir = new TempDir();
  const ours: Record<string, Outcome> = {};
  // The scenarios are independent (their own sockets), and each mostly waits (30 ms, then 0.1 s to show that nothing
  // is left): sixteen at a time, as CPython's side.
  await pooled([...list.entries()], 16, async ([n, sc]) => {
    try {
      ours[sc.key] = await run_ours(sc, dir, n);
    } catch (e) {
      ours[sc.key] = { taken_and_rest: [], taken: -1, valid: false, error: String(e) };
    }
  });
  // pysocket alone: the invariants hold whatever python3 says.
  for (const sc of list) {
    const o = ours[sc.key]!;
    const takers = [sc.a, sc.b].filter((k) => !k.endsWith("/peek")).length;
    assert.equal(o.error, null, `${sc.key}: ${o.error}`);
    assert.equal(o.taken, takers, sc.key);
    assert.deepEqual(o.taken_and_rest, [...SENT].sort(), `${sc.key}: lost or duplicated`);
    assert.ok(o.valid, `${sc.key}: a peek or an address is wrong`);
  }
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  const t = theirs as Record<string, Outcome>;
  for (const sc of list) {
    if (sc.prelude === "abort") continue; // no AbortSignal in Python: checked by the invariants above
    assert.deepEqual(ours[sc.key], t[sc.key], `${sc.key}: differs from CPython`);
  }
});

const PY_POLL = String.raw`
import json, sys, time, tempfile
from socket import *
D = tempfile.mkdtemp(prefix="pysocket-dgp-")
FAM = {"udp4": (AF_INET, "127.0.0.1"), "udp6": (AF_INET6, "::1"), "unix": (AF_UNIX, "")}
def outcome(f):
    try: v = f(); return ["ok", v.decode() if isinstance(v, bytes) else v]
    except OSError as e: return [type(e).__name__, e.errno, str(e)]
out = {}
for n, (fam, mode) in enumerate(json.load(sys.stdin)):
    family, host = FAM[fam]
    r = socket(family, SOCK_DGRAM); s = socket(family, SOCK_DGRAM)
    r.bind(f"{D}/r{n}" if family == AF_UNIX else (host, 0))
    s.sendto(b"there", r.getsockname())
    time.sleep(0.05)
    if mode == "tiny": r.settimeout(1e-9)
    else: r.setblocking(False)
    peek = outcome(lambda: r.recv(100, MSG_PEEK))
    got = outcome(lambda: r.recvfrom(100)[0])
    empty = outcome(lambda: r.recv(100))
    s.sendto(b"again", r.getsockname())
    time.sleep(0.05)
    buf = bytearray(10)
    into = outcome(lambda: r.recv_into(buf))
    out[f"{fam} {mode}"] = [peek, got, empty, into]
    r.close(); s.close()
print(json.dumps(out))
`;

test("a tiny timeout or non-blocking mode returns a datagram already there (CPython polls first)", async () => {
  const cases: [string, string][] = [];
  for (const f of FAMS) for (const mode of ["tiny", "nonblock"]) cases.push([f.name, mode]);
  const theirs_p = python_json(PY_POLL, cases);
  using dir = new TempDir();
  const ours: Record<string, unknown> = {};
  const outcome = async (f: () => Promise<unknown>): Promise<unknown[]> => {
    try {
      const v = await within(f(), 5000, "poll");
      return ["ok", v instanceof Uint8Array ? dec.decode(v) : v];
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      return [e.name, e.errno, e.message];
    }
  };
  let n = 0;
  for (const [fam_name, mode] of cases) {
    const fam = FAMS.find((f) => f.name === fam_name)!;
    using r = socket(fam.family, SOCK_DGRAM);
    using s = socket(fam.family, SOCK_DGRAM);
    r.bind(fam.family === AF_UNIX ? dir.sock(`p${n++}`) : [fam.host, 0]);
    await s.sendto(enc.encode("there"), r.getsockname());
    await sleep(50);
    if (mode === "tiny") r.settimeout(1e-9);
    else r.setblocking(false);
    const peek = await outcome(() => r.recv(100, MSG_PEEK));
    const got = await outcome(async () => (await r.recvfrom(100))[0]);
    const empty = await outcome(() => r.recv(100));
    await s.sendto(enc.encode("again"), r.getsockname());
    await sleep(50);
    const buf = new Uint8Array(10);
    const into = await outcome(() => r.recv_into(buf));
    ours[`${fam_name} ${mode}`] = [peek, got, empty, into];
    assert.deepEqual(peek, ["ok", "there"]);
    assert.deepEqual(got, ["ok", "there"]);
    assert.deepEqual(into, ["ok", 5]);
    assert.equal(empty[0], mode === "tiny" ? "TimeoutError" : "BlockingIOError");
  }
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  assert.deepEqual(ours, theirs);
});

test("close() wakes every receiver waiting on a datagram socket with EBADF, and none takes a datagram", async () => {
  // CPython's close() does not wake a thread blocked in recvfrom on Linux (it
  // stays blocked); pysocket's documented contract is EBADF for every waiter.
  using dir = new TempDir();
  let n = 0;
  for (const fam of FAMS) {
    for (const timeout of [null, 5]) {
      const r = socket(fam.family, SOCK_DGRAM);
      r.bind(fam.family === AF_UNIX ? dir.sock(`c${n++}`) : [fam.host, 0]);
      r.settimeout(timeout);
      // One waiter of every kind, all at once.
      const waits = KINDS.map((k) => call(r, k, 10_000).then(() => "returned", (e) => e));
      await sleep(20);
      r.close();
      const results = await within(Promise.all(waits), 10_000, "waiters after close");
      for (const [i, e] of results.entries()) {
        assert.ok(e instanceof OSError, `${fam.name} ${KINDS[i]} timeout=${timeout}: ${e}`);
        assert.equal(e.errno, errno.EBADF);
        assert.equal(e.message, "[Errno 9] Bad file descriptor");
      }
      await assert.rejects(r.recvfrom(10), (e: unknown) => e instanceof OSError && e.errno === errno.EBADF);
    }
  }
});

test("a datagram that arrives after a receiver timed out goes to the next receiver, once", async () => {
  using dir = new TempDir();
  let n = 0;
  for (const fam of FAMS) {
    using r = socket(fam.family, SOCK_DGRAM);
    using s = socket(fam.family, SOCK_DGRAM);
    r.bind(fam.family === AF_UNIX ? dir.sock(`t${n++}`) : [fam.host, 0]);
    // Several receivers time out or are aborted, each leaving the one pending receive behind.
    r.settimeout(0.02);
    for (let i = 0; i < 3; i++) await assert.rejects(r.recv(10), TimeoutError);
    r.settimeout(null);
    const ac = new AbortController();
    const aborted = r.recv(10, { signal: ac.signal });
    ac.abort(new Error("gone"));
    await assert.rejects(aborted, /gone/);
    // Three concurrent receivers, three datagrams: each gets a different one.
    const waits = [r.recv(10), r.recvfrom(10).then(([d]) => d), r.recv(10)];
    await sleep(20);
    for (const d of ["x", "yy", "zzz"]) await s.sendto(enc.encode(d), r.getsockname());
    const got = (await within(Promise.all(waits), 10_000, "three receivers")).map((d) => dec.decode(d));
    assert.deepEqual(got.sort(), ["x", "yy", "zzz"], fam.name);
    r.setblocking(false);
    await assert.rejects(r.recv(10), BlockingIOError);
  }
});
