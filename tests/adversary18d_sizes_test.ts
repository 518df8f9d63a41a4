// adv18d: absurd sizes from a hostile or careless caller against a peer that sends little or never stops. CPython
// 3.11 raises OverflowError for sizes past a C ssize_t and MemoryError where it would allocate the size up front
// (recv(2**40), makefile().read(2**40)); pysocket never allocates the requested size, so what CPython refuses with
// MemoryError works here (it returns what arrives), and it must never crash the process (no RangeError from an
// allocation, no unhandled rejection). Sizes past 2**63 must raise CPython's OverflowError (a RangeError with
// CPython's message, as everywhere in pysocket).

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, SOCK_DGRAM, socket } from "../mod.ts";
import { cpython, pair } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

/** `[class, message]`, Python's ValueError/OverflowError as RangeError (pysocket's mapping). */
function outcome(e: unknown): [string, string] {
  const x = e as Error;
  return [x.name, x.message];
}

const FILE_ROWS: [string, string][] = [];
for (const mode of ["rb", "r", "rb0"]) {
  for (const m of ["read", "readline", "readlines", ...(mode === "rb" ? ["read1", "peek"] : [])]) {
    FILE_ROWS.push([mode, m]);
  }
}

const PY_FILES = `
c, s = pair(); s.settimeout(0.05)
out = {}
for mode, m in ${JSON.stringify(FILE_ROWS)}:
    for n in (2**63, 2**64):
        f = s.makefile("rb", buffering=0) if mode == "rb0" else s.makefile(mode)
        try:
            r = getattr(f, m)(n); out[f"{mode} {m} {n}"] = ["ok", len(r)]
        except (OverflowError, ValueError) as e: out[f"{mode} {m} {n}"] = ["RangeError", str(e)]
        except Exception as e: out[f"{mode} {m} {n}"] = [type(e).__name__, str(e)]
print(json.dumps(out))
`;

async function pysocket_files(): Promise<Record<string, unknown>> {
  using p = await pair();
  const [, s] = p;
  s.settimeout(0.05);
  const out: Record<string, unknown> = {};
  for (const [mode, m] of FILE_ROWS) {
    for (const n of [2 ** 63, 2 ** 64]) {
      const f = mode === "rb0" ? s.makefile("rb", { buffering: 0 }) : s.makefile(mode);
      const key = `${mode} ${m} ${BigInt(n)}`;
      try {
        // deno-lint-ignore no-explicit-any
        const r = await (f as any)[m](n);
        out[key] = ["ok", r.length];
      } catch (e) {
        out[key] = outcome(e);
      }
    }
  }
  return out;
}

// A18d-1 (fixed by fix19b): _makefile.ts took a size past a C ssize_t as "read everything" (it waited for the peer,
// then timed out); CPython refuses it at once with OverflowError. Fix in _makefile.ts: where read(), read1(),
// peek(), readline() and readlines() turn their size/hint argument into a number, raise
// RangeError("cannot fit 'int' into an index-sized integer") for |n| >= 2**63 (read, readline, readlines of a
// buffered or unbuffered binary file; read and readlines of a text file) and RangeError("Python int too large to
// convert to C ssize_t") for read1/peek, the unbuffered file's read(), and the text file's readline().
Deno.test({
  name: "A18d-1: makefile read/readline/readlines/read1/peek(2**63 and 2**64) raise CPython's OverflowError at once",
  fn: async () => {
    const theirs = await cpython(PY_FILES);
    assert.deepEqual(await pysocket_files(), theirs);
  },
});

test("makefile sizes past a C ssize_t never crash: an error or a timeout (A18d-1: CPython raises OverflowError at once)", async () => {
  const theirs = await cpython(PY_FILES) as Record<string, unknown>;
  const ours = await pysocket_files();
  const differ = Object.keys(theirs).filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(theirs[k]));
  console.log(
    `  A18d-1 (fixed; tested above): ${differ.length} of ${Object.keys(theirs).length} rows differ, e.g. ${
      differ[0]
    }: CPython ${JSON.stringify(theirs[differ[0]!])}, pysocket ${JSON.stringify(ours[differ[0]!])}`,
  );
  for (const k of Object.keys(ours)) {
    const [cls] = ours[k] as [string];
    assert.ok(["RangeError", "TimeoutError"].includes(cls), `${k}: ${JSON.stringify(ours[k])}`);
  }
});

// recv-family sizes on TCP, AF_UNIX and UDP: 2**31 and 2**32 return what is there (both); 2**40 and 2**53 are
// CPython's MemoryError (it allocates the size first) and return what is there in pysocket (documented, no
// allocation of the size); 2**63 and 2**64 are CPython's OverflowError in both.
const SIZES = ["2**31", "2**32", "2**40", "2**53", "2**63", "2**64"];
const CALLS = ["recv", "recvfrom", "recv_into", "recvmsg"];
const PY_RECV = `
out = {}
for fam, kind in ((AF_INET, "tcp"), (AF_UNIX, "unix"), (AF_INET, "udp")):
    if kind == "udp":
        s = socket(AF_INET, SOCK_DGRAM); s.bind(("127.0.0.1", 0)); c = s
        send = lambda: c.sendto(b"abcde", s.getsockname())
    else:
        c, s = pair(fam); send = lambda: c.sendall(b"abcde")
    s.settimeout(0.5)
    for call in ${JSON.stringify(CALLS)}:
        for n in ${JSON.stringify(SIZES)}:
            n = eval(n); send()
            try:
                if call == "recv_into": r = s.recv_into(bytearray(10), n)
                else: r = getattr(s, call)(n); r = len(r if call == "recv" else r[0])
                out[f"{kind} {call} {n}"] = ["ok", r]
            except (OverflowError, ValueError) as e: out[f"{kind} {call} {n}"] = ["RangeError", str(e)]
            except MemoryError: out[f"{kind} {call} {n}"] = ["MemoryError", ""]
            except Exception as e: out[f"{kind} {call} {n}"] = [type(e).__name__, str(e)]
            if call == "recv_into" and n > 10 and kind != "udp":
                s.recv(10)  # the rejected call read nothing
            elif out[f"{kind} {call} {n}"][0] != "ok":
                s.recv(10)
print(json.dumps(out))
`;

test("recv, recvfrom, recv_into and recvmsg with sizes up to 2**64 on TCP, AF_UNIX and UDP: CPython's results; MemoryError sizes work", async () => {
  const theirs = await cpython(PY_RECV) as Record<string, [string, unknown]>;
  const ours: Record<string, unknown> = {};
  for (const kind of ["tcp", "unix", "udp"]) {
    let c: ReturnType<typeof socket>, s: ReturnType<typeof socket>, close: () => void;
    if (kind === "udp") {
      s = c = socket(AF_INET, SOCK_DGRAM);
      s.bind(["127.0.0.1", 0]);
      close = () => s.close();
    } else {
      const p = await pair(kind === "unix" ? AF_UNIX : AF_INET);
      [c, s] = p;
      close = () => p[Symbol.dispose]();
    }
    const send = () =>
      kind === "udp"
        ? c.sendto(new TextEncoder().encode("abcde"), s.getsockname())
        : c.sendall(new TextEncoder().encode("abcde"));
    s.settimeout(0.5);
    try {
      for (const call of CALLS) {
        for (const expr of SIZES) {
          const n = 2 ** Number(expr.slice(3));
          const key = `${kind} ${call} ${BigInt(n)}`;
          await send();
          try {
            let r: unknown;
            if (call === "recv_into") r = await s.recv_into(new Uint8Array(10), n);
            else if (call === "recv") r = (await s.recv(n)).length;
            // deno-lint-ignore no-explicit-any
            else r = ((await (s as any)[call](n)) as [Uint8Array])[0].length;
            ours[key] = ["ok", r];
          } catch (e) {
            ours[key] = outcome(e);
          }
          if ((ours[key] as string[])[0] !== "ok") await s.recv(10);
        }
      }
    } finally {
      close();
    }
  }
  let memory = 0;
  for (const k of Object.keys(theirs)) {
    if (theirs[k]![0] === "MemoryError") {
      // CPython allocates the size before it reads; pysocket reads what is there.
      assert.deepEqual(ours[k], ["ok", 5], k);
      memory++;
    } else assert.deepEqual(ours[k], theirs[k], k);
  }
  console.log(
    `  ${Object.keys(theirs).length} rows; ${memory} are CPython's MemoryError and return the 5 bytes in pysocket`,
  );
});

test("a peer that sends 8 MiB without a newline, then closes: read(2**40), readline() and readline(100) as CPython (read(2**40) is its MemoryError)", async () => {
  const PEER = 8 * 2 ** 20;
  const theirs = await cpython(`
out = []
for call in ("read", "readline", "readline100", "raw_read"):
    c, s = pair(); s.settimeout(10)
    def feed():
        try: c.sendall(b"a" * ${PEER})
        except OSError: pass
        c.close()
    t = threading.Thread(target=feed); t.start()
    f = s.makefile("rb", buffering=0) if call == "raw_read" else s.makefile("rb")
    try:
        r = f.read(2**40) if call in ("read", "raw_read") else f.readline(100) if call == "readline100" else f.readline()
        out.append(["ok", len(r)])
    except MemoryError: out.append(["MemoryError", None])
    f.close(); s.close(); t.join()
print(json.dumps(out))
`) as [string, number | null][];
  const ours: unknown[] = [];
  for (const call of ["read", "readline", "readline100", "raw_read"]) {
    using p = await pair();
    const [c, s] = p;
    s.settimeout(10);
    const feeding = c.sendall(new Uint8Array(PEER).fill(97)).catch(() => {}).then(() => c.close());
    const f = call === "raw_read" ? s.makefile("rb", { buffering: 0 }) : s.makefile("rb");
    const r = call === "read" || call === "raw_read"
      ? await f.read(2 ** 40)
      : call === "readline100"
      ? await f.readline(100)
      : await f.readline();
    ours.push(["ok", (r as Uint8Array).length]);
    s.close();
    await feeding;
  }
  // CPython: read(2**40) is MemoryError (BufferedReader allocates the size); the raw file's read(2**40) likewise.
  assert.deepEqual(theirs.map((r) => r[0] === "MemoryError" ? "MemoryError" : r), ["MemoryError", ["ok", PEER], [
    "ok",
    100,
  ], "MemoryError"]);
  // The unbuffered file's read(2**40) is one recv: whatever had arrived (CPython's would be too, given the memory).
  const raw = ours.pop() as [string, number];
  assert.ok(raw[0] === "ok" && raw[1] > 0 && raw[1] <= PEER, JSON.stringify(raw));
  assert.deepEqual(ours, [["ok", PEER], ["ok", PEER], ["ok", 100]]);
});

// A18d-3: a blocking recv_into() (and recvfrom_into(), recvmsg_into()) on an idle reader reads into a buffer of the
// reader's own of the caller's buffer's size (_stream.ts read_into(): `pool_take(view.length) ?? new
// Uint8Array(view.length)`), then copies. With a 256 MiB buffer each call allocates another 256 MiB: untouched pages
// cost no RSS, but V8 counts it as external memory (measured: 43 calls with a 1 GiB buffer left 4 GiB of external
// memory for the GC to find), and a buffer near the machine's limit fails to allocate where CPython reads straight
// into the caller's. Fix in _stream.ts (another helper's file): allocate min(view.length, KEEP_MAX) (2 MiB; a Deno
// read returns at most what the kernel holds, so a short read loses nothing recv_into promises), i.e.
// `const cap = Math.min(view.length, KEEP_MAX); const into = pool_take(cap) ?? new Uint8Array(cap);` with
// `target = into.subarray(0, cap)`.
const READ_INTO = async () => {
  using p = await pair();
  const [c, s] = p;
  await c.sendall(new Uint8Array(1000).fill(97));
  const buf = new Uint8Array(256 * 2 ** 20);
  const before = Deno.memoryUsage().external;
  const n = await s.recv_into(buf);
  const grown = (Deno.memoryUsage().external - before) / 2 ** 20;
  return { n, grown };
};
Deno.test({
  name: "A18d-3: a blocking recv_into() with a 256 MiB buffer allocates no second 256 MiB (CPython reads into it)",
  ignore: true, // A18d-3: _stream.ts read_into() allocates a buffer of the caller's size
  fn: async () => {
    const { n, grown } = await READ_INTO();
    assert.equal(n, 1000);
    assert.ok(grown < 16, `external memory grew ${grown.toFixed(0)} MiB during one recv_into`);
  },
});
test("a blocking recv_into() with a 256 MiB buffer returns what arrived (A18d-3: a second buffer of its size is allocated)", async () => {
  const { n, grown } = await READ_INTO();
  console.log(`  A18d-3 (ignored above): external memory +${grown.toFixed(0)} MiB during one recv_into of 1,000 bytes`);
  assert.equal(n, 1000);
});
