// Text socket files against CPython (issues 13 and 14): newline handling when
// "\r\n" is split across reads, in every newline mode; decode and encode
// errors with Python's messages (UnicodeDecodeError is a ValueError, here a
// RangeError); every makefile keyword (mode, buffering, encoding, errors,
// newline) given by name; readline(limit) that returns once `limit` characters
// are in, without waiting for a newline. python3 runs each scenario over a
// socketpair, the peer sending the same chunks with the same pauses.

import assert from "node:assert/strict";
import { type Socket, socketpair } from "../mod.ts";
import { own_mib, sleep, test_needing, within } from "./_socket_fixtures.ts";
import { python_json } from "./_twin.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A peer step: bytes to send (latin-1 string: each char one byte), "pause", or "close". */
type Step = string;

interface Case {
  key: string;
  /** makefile arguments as Python keywords. */
  kw: Record<string, unknown>;
  steps: Step[];
  /** What the reader does: "lines" (readline to EOF), "iter" (for line in f), "read:N,N.." ,"limit:N" (readline(N) to EOF), "all". */
  how: string;
}

const PAUSE = "\u0000pause";
const CLOSE = "\u0000close";

function bytes_of(step: string): Uint8Array {
  return Uint8Array.from(step, (c) => c.charCodeAt(0));
}

const NEWLINES: (string | null)[] = [null, "", "\n", "\r", "\r\n"];

function cases(): Case[] {
  const out: Case[] = [];
  const splits: [string, Step[]][] = [
    ["crlf split", ["a\r", PAUSE, "\nb\r", PAUSE, "\r\nc\n", PAUSE, "\r", PAUSE, "\n", CLOSE]],
    ["lone cr at end", ["x\ry\r", CLOSE]],
    ["cr then cr", ["1\r", PAUSE, "\r", PAUSE, "2\n\r\n", CLOSE]],
    ["utf-8 split", ["h\xc3", PAUSE, "\xa9\r", PAUSE, "\n\xe2\x82", PAUSE, "\xac\n", CLOSE]],
  ];
  for (const nl of NEWLINES) {
    for (const [name, steps] of splits) {
      for (const how of ["lines", "iter", "read:2,1,3,100", "limit:2", "all"]) {
        out.push({ key: `${name} newline=${JSON.stringify(nl)} ${how}`, kw: { newline: nl }, steps, how });
      }
    }
  }
  // Decode errors and handlers.
  const bad: [string, Step[]][] = [
    ["invalid start", ["hello\nab\xff\ncd\n", CLOSE]],
    ["invalid continuation", ["ok\n\xe2\x28\xa1\n", CLOSE]],
    ["two-byte continuation", ["\xe2\x82\x28\n", CLOSE]],
    ["surrogate", ["\xed\xa0\x80\n", CLOSE]],
    ["truncated at eof", ["ab\xe2\x82", CLOSE]],
    ["latin bytes", ["caf\xe9 \x80\x9f\xff\n", CLOSE]],
    ["real U+FFFD", ["a\xef\xbf\xbd\n\xef\xbf\xbd\xff\n", CLOSE]],
  ];
  for (const encoding of ["utf-8", "ascii", "latin-1", "UTF8", "utf_8_sig"]) {
    for (const errors of [null, "strict", "replace", "ignore", "backslashreplace", "surrogateescape"]) {
      for (const [name, steps] of bad) {
        out.push({ key: `${name} ${encoding} ${errors}`, kw: { encoding, errors }, steps, how: "lines" });
      }
    }
  }
  out.push({
    key: "bom utf-8-sig",
    kw: { encoding: "utf-8-sig" },
    steps: ["\xef\xbb", PAUSE, "\xbfhi\n", CLOSE],
    how: "lines",
  });
  out.push({ key: "bom utf-8", kw: { encoding: "utf-8" }, steps: ["\xef\xbb\xbfhi\n", CLOSE], how: "lines" });
  // readline(limit) returns at the limit without waiting for a newline (the peer keeps the connection open).
  out.push({ key: "limit without newline", kw: {}, steps: ["x".repeat(300), PAUSE], how: "limit-open:100" });
  out.push({ key: "limit multibyte", kw: {}, steps: ["\xc3\xa9".repeat(50), PAUSE], how: "limit-open:7" });
  return out;
}

/** Code points of a string, so lone surrogates compare exactly on both sides. */
function cps(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

async function peer(w: Socket, steps: Step[]): Promise<void> {
  for (const st of steps) {
    if (st === PAUSE) await sleep(40);
    else if (st === CLOSE) w.close();
    else await w.sendall(bytes_of(st));
  }
}

async function run_ours(c: Case): Promise<unknown> {
  const [w, r] = await socketpair();
  try {
    const sending = peer(w, c.steps);
    const results: unknown[] = [];
    try {
      const f = r.makefile("r", c.kw);
      const [how, arg] = c.how.split(":");
      if (how === "lines" || how === "limit") {
        const lim = how === "limit" ? Number(arg) : -1;
        for (let i = 0; i < 200; i++) {
          const line = await f.readline(lim) as string;
          results.push(cps(line));
          if (line === "") break;
        }
      } else if (how === "limit-open") {
        await sleep(20);
        results.push(cps(await f.readline(Number(arg)) as string));
        results.push(cps(await f.readline(Number(arg)) as string));
      } else if (how === "iter") {
        let i = 0;
        for await (const line of f) {
          results.push(cps(line as string));
          if (++i > 200) break;
        }
      } else if (how === "read") {
        for (const n of arg!.split(",")) results.push(cps(await f.read(Number(n)) as string));
        results.push(cps(await f.read() as string));
      } else {
        results.push(cps(await f.read() as string));
      }
    } catch (e) {
      results.push(e instanceof RangeError ? ["ValueError", e.message] : [String(e)]);
    }
    await sending;
    return results;
  } finally {
    w.close();
    r.close();
  }
}

const PY = String.raw`
import json, sys, threading, time
from socket import *
PAUSE = "\u0000pause"; CLOSE = "\u0000close"
def peer(w, steps):
    for st in steps:
        if st == PAUSE: time.sleep(0.04)
        elif st == CLOSE: w.close()
        else: w.sendall(st.encode("latin-1"))
def cps(s): return [ord(c) for c in s]
def run(c):
    w, r = socketpair()
    t = threading.Thread(target=peer, args=(w, c["steps"])); t.start()
    results = []
    try:
        f = r.makefile("r", **c["kw"])
        how, _, arg = c["how"].partition(":")
        if how in ("lines", "limit"):
            lim = int(arg) if how == "limit" else -1
            for _ in range(200):
                line = f.readline(lim); results.append(cps(line))
                if line == "": break
        elif how == "limit-open":
            time.sleep(0.02)
            results.append(cps(f.readline(int(arg)))); results.append(cps(f.readline(int(arg))))
        elif how == "iter":
            for i, line in enumerate(f):
                results.append(cps(line))
                if i > 200: break
        elif how == "read":
            for n in arg.split(","): results.append(cps(f.read(int(n))))
            results.append(cps(f.read()))
        else:
            results.append(cps(f.read()))
    except ValueError as e:
        results.append(["ValueError", str(e)])
    except Exception as e:
        results.append([f"{type(e).__name__}: {e}"])
    t.join(10)
    w.close(); r.close()
    return results
print(json.dumps({c["key"]: run(c) for c in json.load(sys.stdin)}))
`;

test("text makefile: newlines split across reads, decode errors and limits as CPython", async () => {
  const list = cases();
  const theirs_p = python_json(PY, list);
  const ours: Record<string, unknown> = {};
  // A few at a time: each case is mostly pauses.
  for (let i = 0; i < list.length; i += 16) {
    const batch = list.slice(i, i + 16);
    const got = await within(Promise.all(batch.map(run_ours)), 60_000, "text cases");
    batch.forEach((c, k) => ours[c.key] = got[k]);
  }
  // Without python3: at least no doubled newline and the Python message shape.
  const crlf = ours[`crlf split newline=null lines`] as number[][];
  assert.deepEqual(crlf.map((l) => String.fromCodePoint(...l)), ["a\n", "b\n", "\n", "c\n", "\n", ""]);
  assert.deepEqual(ours["invalid start utf-8 null"], [[
    "ValueError",
    "'utf-8' codec can't decode byte 0xff in position 8: invalid start byte",
  ]]);
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  const t = theirs as Record<string, unknown>;
  const diffs = list.filter((c) => JSON.stringify(ours[c.key]) !== JSON.stringify(t[c.key]));
  assert.deepEqual(
    diffs.map((c) => [c.key, ours[c.key], t[c.key]]),
    [],
    "cases that differ from CPython: [key, pysocket, CPython]",
  );
});

// ---- keywords --------------------------------------------------------------

const PY_KW = String.raw`
import json, sys
from socket import *
def outcome(f):
    try: v = f(); return ["ok", v]
    except (ValueError, LookupError) as e: return ["ValueError", str(e)]
    except TypeError as e: return ["TypeError", str(e)]
    except Exception as e: return [type(e).__name__, str(e)]
def rw(kw, text):
    a, b = socketpair()
    try:
        fa = a.makefile("rw", **kw); fb = b.makefile("rw", **kw)
        n = fa.write(text); fa.flush()
        a.shutdown(SHUT_WR)
        raw = b.recv(1000)
        return [n, list(raw), fa.encoding if hasattr(fa, "encoding") else None]
    finally:
        a.close(); b.close()
def roundtrip(kw, data):
    a, b = socketpair()
    try:
        a.sendall(bytes(data)); a.close()
        f = b.makefile(**kw)
        v = f.read()
        return list(v) if isinstance(v, bytes) else [ord(c) for c in v]
    finally:
        b.close()
def make(args, kw):
    a, b = socketpair()
    try:
        f = a.makefile(*args, **kw)
        return type(f).__name__.replace("BufferedRWPair", "rw").replace("BufferedReader", "r").replace("BufferedWriter", "w").replace("SocketIO", "raw").replace("TextIOWrapper", "text")
    finally:
        a.close(); b.close()
out = {}
for c in json.load(sys.stdin):
    k = c["key"]
    if c["op"] == "rw": out[k] = outcome(lambda: rw(c["kw"], c["text"]))
    elif c["op"] == "roundtrip": out[k] = outcome(lambda: roundtrip(c["kw"], c["data"]))
    else: out[k] = outcome(lambda: make(c["args"], c["kw"]))
print(json.dumps(out))
`;

interface KwCase {
  key: string;
  op: "rw" | "roundtrip" | "make";
  kw: Record<string, unknown>;
  text?: string;
  data?: number[];
  args?: unknown[];
}

const KW_CASES: KwCase[] = [
  { key: "rw latin-1 crlf", op: "rw", kw: { encoding: "latin-1", newline: "\r\n" }, text: "caf\u00e9\nx\n" },
  { key: "rw utf-8 cr", op: "rw", kw: { encoding: "utf-8", newline: "\r" }, text: "a\nb\u20ac\n" },
  { key: "rw newline none", op: "rw", kw: { newline: null }, text: "a\r\nb\n" },
  { key: "rw newline empty", op: "rw", kw: { newline: "" }, text: "a\nb\n" },
  { key: "rw ascii strict", op: "rw", kw: { encoding: "ascii" }, text: "ab\u00e9\u20ac\ud83d\ude00c" },
  { key: "rw ascii astral", op: "rw", kw: { encoding: "ascii" }, text: "\ud83d\ude00" },
  { key: "rw ascii replace", op: "rw", kw: { encoding: "ascii", errors: "replace" }, text: "a\u00e9\ud83d\ude00" },
  {
    key: "rw ascii backslash",
    op: "rw",
    kw: { encoding: "ascii", errors: "backslashreplace" },
    text: "a\u00e9\ud83d\ude00",
  },
  { key: "rw ascii xmlchar", op: "rw", kw: { encoding: "ascii", errors: "xmlcharrefreplace" }, text: "a\u00e9" },
  { key: "rw ascii ignore", op: "rw", kw: { encoding: "ascii", errors: "ignore" }, text: "a\u00e9b" },
  { key: "rw latin-1 strict", op: "rw", kw: { encoding: "latin-1" }, text: "a\u20ac\u20acb" },
  { key: "rw utf-8 lone surrogate", op: "rw", kw: { encoding: "utf-8" }, text: "a\ud800" },
  { key: "rw utf-8 surrogateescape", op: "rw", kw: { errors: "surrogateescape" }, text: "a\udcff" },
  { key: "rw utf-8-sig", op: "rw", kw: { encoding: "utf-8-sig" }, text: "hi" },
  { key: "rw unknown handler", op: "rw", kw: { encoding: "ascii", errors: "nope" }, text: "\u00e9" },
  { key: "rw unknown handler unused", op: "rw", kw: { encoding: "ascii", errors: "nope" }, text: "ok" },
  {
    key: "read latin-1 high bytes",
    op: "roundtrip",
    kw: { mode: "r", encoding: "latin-1" },
    data: [0x80, 0x9f, 0xe9, 0xff],
  },
  { key: "read mode keyword rb", op: "roundtrip", kw: { mode: "rb" }, data: [1, 2, 3] },
  { key: "read buffering keyword 0", op: "roundtrip", kw: { mode: "rb", buffering: 0 }, data: [4, 5] },
  { key: "read text buffering 16", op: "roundtrip", kw: { mode: "r", buffering: 16 }, data: [0x61, 0x0d, 0x0a] },
  { key: "make bad newline", op: "make", args: ["r"], kw: { newline: "x" } },
  { key: "make unknown encoding", op: "make", args: ["r"], kw: { encoding: "foo" } },
  { key: "make encoding int", op: "make", args: ["r"], kw: { encoding: 5 } },
  { key: "make errors int", op: "make", args: ["r"], kw: { errors: 5 } },
  { key: "make newline int", op: "make", args: ["r"], kw: { newline: 5 } },
  { key: "make binary ignores text keywords", op: "make", args: ["rb"], kw: { encoding: "foo", newline: "zz" } },
  { key: "make unknown keyword", op: "make", args: ["r"], kw: { foo: 1 } },
  { key: "make text unbuffered", op: "make", args: ["r"], kw: { buffering: 0 } },
  { key: "make bad mode", op: "make", args: [], kw: { mode: "rx" } },
  { key: "make empty mode", op: "make", args: [""], kw: {} },
  { key: "make rr", op: "make", args: ["rr"], kw: {} },
  { key: "make buffering str", op: "make", args: ["rb", "x"], kw: {} },
  { key: "make mode and keywords", op: "make", args: ["rw"], kw: { encoding: "utf-8", errors: "strict", newline: "" } },
];

async function kw_ours(c: KwCase): Promise<unknown> {
  const outcome = async (f: () => Promise<unknown>): Promise<unknown[]> => {
    try {
      return ["ok", await f()];
    } catch (e) {
      if (e instanceof RangeError) return ["ValueError", e.message];
      if (e instanceof TypeError) return ["TypeError", e.message];
      return [(e as Error).name, (e as Error).message];
    }
  };
  // deno-lint-ignore no-explicit-any
  type Loose = any;
  if (c.op === "rw") {
    return await outcome(async () => {
      const [a, b] = await socketpair();
      try {
        const fa = a.makefile("rw", c.kw as Loose);
        b.makefile("rw", c.kw as Loose);
        const n = await fa.write(c.text!);
        await fa.flush();
        await a.shutdown(1);
        const raw = await b.recv(1000);
        return [n, [...raw], fa.encoding ?? null];
      } finally {
        a.close();
        b.close();
      }
    });
  }
  if (c.op === "roundtrip") {
    return await outcome(async () => {
      const [a, b] = await socketpair();
      try {
        await a.sendall(Uint8Array.from(c.data!));
        a.close();
        const v = await b.makefile(c.kw as Loose).read();
        return typeof v === "string" ? cps(v) : [...v];
      } finally {
        b.close();
      }
    });
  }
  return await outcome(async () => {
    const [a, b] = await socketpair();
    try {
      const args = [...c.args!, ...(Object.keys(c.kw).length ? [c.kw] : [])] as Loose[];
      const f = (a.makefile as (...x: Loose[]) => Loose)(...args);
      const mode: string = f.mode;
      const binary = mode.includes("b");
      const w = mode.includes("w"), r = mode.includes("r") || !w;
      const kind = !binary
        ? "text"
        : (c.kw.buffering === 0 || c.args![1] === 0)
        ? "raw"
        : r && w
        ? "rw"
        : r
        ? "r"
        : "w";
      return kind;
    } finally {
      a.close();
      b.close();
    }
  });
}

test("makefile keywords (mode, buffering, encoding, errors, newline) work as Python's keyword call", async () => {
  const theirs_p = python_json(PY_KW, KW_CASES);
  const ours: Record<string, unknown> = {};
  for (const c of KW_CASES) ours[c.key] = await within(kw_ours(c), 5_000, c.key);
  // The call type-checks and works: makefile("rw", { encoding, newline }).
  const [a, b] = await socketpair();
  try {
    const f = a.makefile("rw", { encoding: "utf-8", newline: "\r\n" });
    await f.write("x\n");
    await f.flush();
    assert.deepEqual(await b.recv(10), enc.encode("x\r\n"));
    const g = b.makefile({ mode: "rb", buffering: 0 });
    await a.sendall(enc.encode("y"));
    assert.deepEqual(await g.read(5), enc.encode("y"));
  } finally {
    a.close();
    b.close();
  }
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  const t = theirs as Record<string, unknown>;
  const diffs = KW_CASES.filter((c) => JSON.stringify(ours[c.key]) !== JSON.stringify(t[c.key]));
  assert.deepEqual(diffs.map((c) => [c.key, ours[c.key], t[c.key]]), [], "[key, pysocket, CPython]");
});

for (const mode of ["r", "rb"]) {
  test(`readline(limit) [${mode}] on a peer that never sends a newline stays bounded in memory`, async () => {
    const [a, b] = await socketpair();
    try {
      const total = 64 * 1024 * 1024;
      const chunk = new Uint8Array(1024 * 1024).fill(0x61);
      const sending = (async () => {
        for (let sent = 0; sent < total; sent += chunk.length) await a.sendall(chunk);
        a.close();
      })();
      const f = b.makefile(mode);
      const before = own_mib();
      let got = 0, peak = 0;
      for (let i = 0; i < 100_000; i++) {
        const line = await within(f.readline(65536), 30_000, "readline(65536)");
        if (line.length === 0) break;
        assert.ok(line.length <= 65536);
        got += line.length;
        if (i % 64 === 0) peak = Math.max(peak, own_mib() - before);
      }
      await sending;
      assert.equal(got, total);
      // Unbounded it cost ~440 MB; bounded it is the socket's read-ahead and a chunk or two.
      assert.ok(peak < 160, `heap and buffers grew by ${peak.toFixed(0)} MiB`);
    } finally {
      a.close();
      b.close();
    }
  });
}

const PY_TRICKLE = String.raw`
import json, threading, time
from socket import *
out = []
for mode in ["rb", "r"]:
    a, b = socketpair()
    b.settimeout(1.0)
    def peer():
        for _ in range(6):
            time.sleep(0.25); a.sendall(b"a")
        a.sendall(b"\n")
    t = threading.Thread(target=peer); t.start()
    f = b.makefile(mode)
    try: line = f.readline(); out.append(line if isinstance(line, str) else line.decode())
    except Exception as e: out.append(type(e).__name__)
    t.join(); a.close(); b.close()
print(json.dumps(out))
`;

test("readline's timeout applies to each wait, as each of CPython's recv calls: a trickling line never times out", async () => {
  const theirs_p = python_json(PY_TRICKLE, null);
  const ours: string[] = [];
  for (const mode of ["rb", "r"]) {
    const [a, b] = await socketpair();
    try {
      // Each gap (250 ms) is well inside the timeout (1 s) on a loaded machine; the whole line (1.5 s) is not.
      b.settimeout(1.0);
      const sending = (async () => {
        for (let i = 0; i < 6; i++) {
          await sleep(250);
          await a.sendall(enc.encode("a"));
        }
        await a.sendall(enc.encode("\n"));
      })();
      const f = b.makefile(mode);
      try {
        const line = await within(f.readline(), 10_000, "trickle readline");
        ours.push(typeof line === "string" ? line : dec.decode(line));
      } catch (e) {
        ours.push((e as Error).name);
      }
      await sending;
    } finally {
      a.close();
      b.close();
    }
  }
  assert.deepEqual(ours, ["aaaaaa\n", "aaaaaa\n"]);
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  assert.deepEqual(ours, theirs);
});
