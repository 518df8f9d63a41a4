// Adversary tests of issue 17's fast paths: the reader's slab (results as
// views, the line copy-ahead with its four-bytes-at-a-time scan, the idle
// shrink), recv's buffered and direct paths, send's frameless and queued
// paths, the connect/accept shortcuts, the selectors' read-callback watches
// and the same through TLS. Each scenario is compared with its CPython twin
// where CPython has the behaviour; elsewhere an invariant is checked (every
// byte once, in order, never rewritten after it was returned). Every wait is
// bounded: a hang fails an assertion within seconds.
//
// Findings (each test below is `ignore`d with a printed reason until fixed):
// - A1: a blocking recv_into() of 16 KiB or more on an idle socket reads
//   straight into the caller's buffer; shutdown(SHUT_RD) from another task
//   ends the call with 0, but the Deno read goes on and later writes the
//   peer's next bytes into the caller's buffer (which the caller owns again).
// - A2: a blocking sendall()/send() writes straight from the caller's bytes;
//   shutdown(SHUT_WR) from another task ends the call with EPIPE, but the
//   Deno write in flight goes on from the caller's buffer, so bytes the caller
//   wrote into it after the call ended go out on the wire.
// - A3: a binary file's readline(limit)/read(n)/readlines(hint) refuse a bool
//   or a bigint (Python ints everywhere else in pysocket, text files included),
//   with "argument should be integer or None, not 'int'" for a bigint.
// - A4: SSLSocket._pollable() builds a new Pollable on every call, so each
//   register() of an idle SSLSocket gets a new selector Hub whose armed watch
//   stays attached to the pending read until data arrives: ~1.4 KB kept per
//   register/unregister (or per new DefaultSelector) while the peer is quiet
//   (plain sockets: ~5 B, their Pollable is made once).
// - A5: every select() that times out (DefaultSelector.select(t) and
//   select.select(..., t), with or without a signal) leaves its reaction on
//   the selector's shared wake-up promise until something becomes ready:
//   ~960 B per call, so an idle event loop polling with a timeout grows
//   without bound (select(0.01): ~350 MB an hour).
// - A6: a DefaultSelector dropped without close() or unregister() (Python's
//   is garbage-collected) stays reachable from the watch armed on each idle
//   socket it registered, until that socket is next ready: ~260 B each.
// - A7 (older than issue 17, found here): close() of a socket whose
//   makefile() file is still open closes the connection at once; CPython
//   defers the real close until every such file is closed (socket._io_refs),
//   which http.client relies on (HTTPConnection.close() after handing the
//   socket's file to the response). The file's reads then raise EBADF and the
//   peer gets a reset, where CPython reads on. Not documented in docs/limits.md.
//   Deferring the close as CPython does (PROPOSED_A7.diff in the report) breaks
//   pysocket's own rule that close() ends every wait at once (7 tests) and,
//   with no reference counting in JavaScript, a file never closed would keep
//   its connection open: a decision for the lead (document, or defer).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  create_connection,
  create_server,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_WR,
  type Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { type Certs, make_certs } from "../bench/_certs.ts";
import { attempt, cpython, err, pair, stalled } from "./_twin.ts";
import { closed_port, lone_v4, run_gc_child, sleep, test_needing, within } from "./_socket_fixtures.ts";

const LIMIT = 20_000;
const enc = new TextEncoder();
const dec = new TextDecoder();
const py_test = test_needing("python3");
const tls_test = test_needing("openssl");

// ---- findings: set to true once fixed (the test then runs) -----------------

/** A1 fixed: a recv_into() cut short by SHUT_RD no longer has its buffer written afterwards. */
const A1_FIXED = true;
/** A2 fixed: a sendall() cut short by SHUT_WR no longer sends bytes from the caller's buffer afterwards. */
const A2_FIXED = true;
/** A3 fixed: a binary file's read()/readline()/readlines() take Python's ints (true, 3n) as recv() and text files do. */
const A3_FIXED = true;
/** A4 fixed: registering an idle SSLSocket again and again keeps no memory until data arrives. */
const A4_FIXED = true;
/** A5 fixed: a select() that times out on an idle set keeps no memory until something is ready. */
const A5_FIXED = true;
/** A6 fixed: a DefaultSelector dropped without close() is not kept alive by an idle socket it registered. */
const A6_FIXED = true;
/** A7 fixed: close() of a socket with makefile() files open waits for them, as CPython's socket._io_refs. */
const A7_FIXED = false;

function ignored(fixed: boolean, why: string): boolean {
  if (!fixed) console.log(`ignored: ${why}`);
  return !fixed;
}

// ---- helpers ---------------------------------------------------------------

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
const ASCII = new TextDecoder();
/** Lower-case hex of `u`, two digits a byte (built as bytes: a string built digit by digit took seconds for MiBs). */
function hex(u: Uint8Array): string {
  const out = new Uint8Array(u.length * 2);
  for (let i = 0; i < u.length; i++) {
    out[2 * i] = HEX_DIGITS[u[i]! >> 4]!;
    out[2 * i + 1] = HEX_DIGITS[u[i]! & 15]!;
  }
  return ASCII.decode(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

let certs: Certs | null = null;
async function get_certs(): Promise<Certs> {
  if (!certs) {
    certs = await make_certs();
    globalThis.addEventListener("unload", () => certs?.cleanup());
  }
  return certs;
}

/** A TLS pair (client, server) over loopback TCP. */
async function tls_pair(): Promise<[Socket, Socket]> {
  const k = await get_certs();
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(k.cert, k.key);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  cctx.load_verify_locations(k.ca);
  return await Promise.all([
    create_connection(addr).then((s) => cctx.wrap_socket(s, { server_hostname: "localhost" })),
    srv.accept().then(([s]) => sctx.wrap_socket(s, { server_side: true })),
  ]);
}

type Kind = "tcp" | "unix" | "tls";

/** A connected pair of the kind: [sender, receiver]. */
async function kind_pair(kind: Kind): Promise<[Socket, Socket]> {
  if (kind === "tls") return await tls_pair();
  const p = await pair(kind === "unix" ? AF_UNIX : AF_INET);
  return [p[0], p[1]];
}

/** Send `data` in the chunks `cuts` gives, with a short pause now and then (so reads see every split). */
async function send_chunked(s: Socket, data: Uint8Array, r: () => number): Promise<void> {
  let off = 0;
  let i = 0;
  while (off < data.length) {
    const k = Math.min(data.length - off, 1 + Math.floor(r() * (r() < 0.3 ? 7 : r() < 0.6 ? 300 : 5000)));
    await s.sendall(data.subarray(off, off + k));
    off += k;
    if (++i % 7 === 0) await sleep(1);
  }
}

// ---- A1: SHUT_RD under a direct recv_into ----------------------------------

py_test({
  name: "A1: a blocking recv_into(64 KiB) ended by shutdown(SHUT_RD) leaves the caller's buffer alone (CPython twin)",
  ignore: ignored(
    A1_FIXED,
    "finding A1: _stream.ts StreamReader.read_into() keeps reading into the caller's view after SHUT_RD cut the call short",
  ),
  fn: async () => {
    const py = await cpython(`
c, s = pair()
buf = bytearray(b"." * 65536)
res = []
t = threading.Thread(target=lambda: res.append(s.recv_into(buf))); t.start()
time.sleep(0.1); s.shutdown(SHUT_RD); t.join(5)
c.sendall(b"X" * 100); time.sleep(0.2)
touched = buf != bytearray(b"." * 65536)
after = len(s.recv(200))
print(json.dumps([res[0], touched, after]))
`);
    const [c, s] = await pair();
    try {
      const buf = new Uint8Array(65536).fill(0x2e);
      const p = s.recv_into(buf);
      await sleep(100);
      s.shutdown(SHUT_RD);
      const n = await within(p, LIMIT, "recv_into after SHUT_RD");
      await c.sendall(new Uint8Array(100).fill(0x58));
      await sleep(200);
      const touched = buf.some((x) => x !== 0x2e);
      const after = (await within(s.recv(200), LIMIT, "recv after")).length;
      assert.deepEqual([n, touched, after], py);
    } finally {
      c.close();
      s.close();
    }
  },
});

// ---- A2: SHUT_WR under a direct sendall ------------------------------------

py_test({
  name:
    "A2: bytes a caller writes into its buffer after shutdown(SHUT_WR) ended its blocking sendall() never reach the peer (CPython twin)",
  ignore: ignored(
    A2_FIXED,
    "finding A2: _stream.ts StreamWriter.#cut() releases a direct write's caller while the Deno write from its buffer goes on",
  ),
  fn: async () => {
    const N = 16 * 1024 * 1024;
    const py = await cpython(`
c, s = pair()
N = ${N}
buf = bytearray(b"A" * N)
res = []
def f():
    try: c.sendall(buf); res.append("ok")
    except Exception as e: res.append(err(e))
t = threading.Thread(target=f); t.start()
time.sleep(0.2); c.shutdown(SHUT_WR); t.join(5)
buf[:] = b"Z" * N
total = bad = 0
while True:
    d = s.recv(1 << 20)
    if not d: break
    total += len(d); bad += len(d) - d.count(b"A")
print(json.dumps([res[0], total > 0, bad]))
`);
    const [c, s] = await pair();
    try {
      const buf = new Uint8Array(N).fill(0x41);
      const p = c.sendall(buf).then(() => "ok", err);
      await sleep(200);
      c.shutdown(SHUT_WR);
      // The peer reads meanwhile (a fix may hold the caller until the write in flight is done).
      let total = 0, bad = 0;
      const drain = (async () => {
        for (let i = 0; i < 10_000; i++) {
          const d = await s.recv(1 << 20);
          if (d.length === 0) break;
          total += d.length;
          for (const x of d) if (x !== 0x41) bad++;
        }
      })();
      const r = await within(p, LIMIT, "sendall after SHUT_WR");
      buf.fill(0x5a); // the caller owns its buffer again
      await within(drain, LIMIT, "the peer's reads until EOF");
      assert.deepEqual([r, total > 0, bad], py);
    } finally {
      c.close();
      s.close();
    }
  },
});

// ---- the reader's slab and the line copy-ahead ------------------------------

/**
 * A stream that stresses take_line()'s scan: lines whose "\n" falls at every
 * offset mod 4 and whose lengths straddle the slab sizes (256 B doubling to
 * 16 KiB, 2 KiB the largest slab result), bytes that differ from "\n" by one
 * bit (0x0b, 0x08, 0x8a, 0x0e: the word test's near misses), words of "\n"s,
 * and runs of binary bytes.
 */
function nasty_stream(r: () => number, lines: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const EDGES = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 63, 64, 65, 127, 128, 255, 256, 257, 511, 512, 513, 1023];
  const EDGES_BIG = [1024, 2047, 2048, 2049, 4095, 4096, 8191, 8192, 16383, 16384, 16385, 20000];
  const NEAR = [0x0b, 0x08, 0x8a, 0x0e, 0x1a, 0x2a, 0x4a, 0x0a0a0a0a];
  for (let i = 0; i < lines; i++) {
    const pick = r();
    const len = pick < 0.6
      ? EDGES[Math.floor(r() * EDGES.length)]! + Math.floor(r() * 4)
      : pick < 0.9
      ? Math.floor(r() * 80)
      : EDGES_BIG[Math.floor(r() * EDGES_BIG.length)]!;
    const line = new Uint8Array(len + 1);
    for (let j = 0; j < len; j++) {
      const q = r();
      let v = q < 0.5 ? NEAR[Math.floor(r() * 7)]! : Math.floor(r() * 256);
      if (v === 0x0a) v = 0x0b;
      line[j] = v;
    }
    line[len] = 0x0a;
    if (r() < 0.05) line.fill(0x0a); // a run of empty lines (a whole word of "\n")
    parts.push(line);
  }
  if (r() < 0.5) parts.push(enc.encode("no newline at the end"));
  return concat(parts);
}

type FileOp =
  | ["line"]
  | ["limit", number]
  | ["read", number]
  | ["into", number, number] // readinto(view of a bigger buffer at an offset)
  | ["read1", number];

/** File ops whose results do not depend on how the bytes arrive (so CPython's must be the same). */
function file_ops(r: () => number, count: number): FileOp[] {
  const ops: FileOp[] = [];
  const SIZES = [0, 1, 2, 3, 4, 5, 255, 256, 257, 2047, 2048, 2049, 16384, 16385];
  for (let i = 0; i < count; i++) {
    const q = r();
    if (q < 0.55) ops.push(["line"]);
    else if (q < 0.75) ops.push(["limit", SIZES[Math.floor(r() * SIZES.length)]! + (r() < 0.2 ? 2 ** 40 : 0)]);
    else if (q < 0.88) ops.push(["read", SIZES[Math.floor(r() * SIZES.length)]!]);
    else ops.push(["into", 1 + SIZES[Math.floor(r() * SIZES.length)]!, Math.floor(r() * 9)]);
  }
  return ops;
}

/**
 * Run file ops on a makefile("rb") of `conn`; returns each result's hex and,
 * at the end, checks that no result changed after it was returned.
 */
async function run_file_ops(conn: Socket, ops: FileOp[]): Promise<string[]> {
  const f = conn.makefile("rb");
  const held: Uint8Array[] = [];
  const shown: string[] = [];
  try {
    for (const [i, op] of ops.entries()) {
      let got: Uint8Array;
      if (op[0] === "line") got = await within(f.readline() as Promise<Uint8Array>, LIMIT, `op ${i} readline`);
      else if (op[0] === "limit") {
        got = await within(f.readline(op[1]) as Promise<Uint8Array>, LIMIT, `op ${i} readline(${op[1]})`);
      } else if (op[0] === "read") got = await within(f.read(op[1]) as Promise<Uint8Array>, LIMIT, `op ${i} read`);
      else if (op[0] === "read1") got = await within(f.read1(op[1]), LIMIT, `op ${i} read1`);
      else {
        const big = new Uint8Array(op[1] + op[2] + 5).fill(0xee);
        const view = big.subarray(op[2], op[2] + op[1]);
        const n = await within(f.readinto(view), LIMIT, `op ${i} readinto`);
        assert.ok(big.subarray(0, op[2]).every((x) => x === 0xee), `op ${i}: readinto wrote before its view`);
        assert.ok(big.subarray(op[2] + op[1]).every((x) => x === 0xee), `op ${i}: readinto wrote past its view`);
        got = view.slice(0, n);
      }
      held.push(got);
      shown.push(hex(got));
    }
    // Lines until EOF: every byte is accounted for.
    for (let i = 0; i < 100_000; i++) {
      const got = await within(f.readline() as Promise<Uint8Array>, LIMIT, "readline to EOF");
      held.push(got);
      shown.push(hex(got));
      if (got.length === 0) break;
    }
    for (const [i, h] of held.entries()) assert.equal(hex(h), shown[i], `result ${i} was rewritten later`);
    return shown;
  } finally {
    await f.close();
  }
}

const FILE_OPS_PY = `
import binascii
inp = json.loads(sys.stdin.read())
data = bytes.fromhex(inp["data"])
c, s = pair()
def feed():
    c.sendall(data); c.close()
t = threading.Thread(target=feed); t.start()
f = s.makefile("rb")
out = []
for op in inp["ops"]:
    if op[0] == "line": got = f.readline()
    elif op[0] == "limit": got = f.readline(op[1])
    elif op[0] == "read": got = f.read(op[1])
    elif op[0] == "read1": got = f.read1(op[1])
    else:
        big = bytearray(b"\\xee" * (op[1] + op[2] + 5))
        n = f.readinto(memoryview(big)[op[2]:op[2] + op[1]])
        got = bytes(big[op[2]:op[2] + n])
    out.append(got.hex())
while True:
    got = f.readline()
    out.append(got.hex())
    if not got: break
t.join()
print(json.dumps(out))
`;

async function python_file_ops(data: Uint8Array, ops: FileOp[]): Promise<string[]> {
  const { python_json } = await import("./_twin.ts");
  const prelude = `
import json, os, sys, tempfile, threading, time
from socket import *
def pair():
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = socket(); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
`;
  return await python_json(prelude + FILE_OPS_PY, { data: hex(data), ops }) as string[];
}

for (const kind of ["tcp", "unix", "tls"] as const) {
  const t = kind === "tls" ? tls_test : py_test;
  t(
    `makefile('rb') readline/readline(limit)/read/readinto over lines that straddle every slab size, "\\n" at every offset mod 4, near-miss bytes (${kind}, CPython twin)`,
    async () => {
      for (const seed of [1, 2, 3]) {
        const r = rng(seed * 7919 + kind.length);
        const data = nasty_stream(r, 220);
        const ops = file_ops(r, 260);
        const py = await python_file_ops(data, ops);
        const [c, s] = await kind_pair(kind);
        try {
          const sender = send_chunked(c, data, rng(seed)).then(() => c.close()).catch((e) => e);
          const ours = await run_file_ops(s, ops);
          assert.equal(await within(sender, LIMIT, "sender"), undefined);
          assert.equal(ours.length, py.length, `seed ${seed}: result count`);
          for (let i = 0; i < ours.length; i++) {
            assert.equal(ours[i], py[i], `seed ${seed}: result ${i} (${JSON.stringify(ops[i] ?? ["line"])})`);
          }
        } finally {
          c.close();
          s.close();
        }
      }
    },
  );
}

// ---- recv's paths, mixed: every byte once, in order, never rewritten --------

type RecvOp =
  | ["recv", number]
  | ["into", number, number, number] // buffer size, view offset, nbytes (0: the view's length)
  | ["peek", number]
  | ["waitall", number]
  | ["line"]
  | ["select_recv", number] // non-blocking recv after select() said readable
  | ["mode", null | 0 | 5] // settimeout(None / 0 / 5)
  | ["pause"]; // let the reader drain and go idle (the slab shrinks)

function recv_ops(r: () => number, count: number): RecvOp[] {
  const ops: RecvOp[] = [];
  const N = [1, 2, 3, 5, 64, 255, 256, 257, 2048, 2049, 16384, 65536];
  const n = () => N[Math.floor(r() * N.length)]!;
  for (let i = 0; i < count; i++) {
    const q = r();
    if (q < 0.3) ops.push(["recv", n()]);
    else if (q < 0.45) {
      const size = n();
      const off = Math.floor(r() * 5);
      ops.push(["into", size + off + 3, off, r() < 0.5 ? 0 : Math.max(1, Math.floor(size / 2))]);
    } else if (q < 0.52) ops.push(["peek", n()]);
    else if (q < 0.6) ops.push(["waitall", n()]);
    else if (q < 0.75) ops.push(["line"]);
    else if (q < 0.85) ops.push(["select_recv", n()]);
    else if (q < 0.95) ops.push(["mode", ([null, 0, 5] as const)[Math.floor(r() * 3)]!]);
    else ops.push(["pause"]);
  }
  return ops;
}

/** Run recv ops on `s` until EOF; returns the bytes taken (peeks checked against the bytes after them). */
async function run_recv_ops(s: Socket, ops: RecvOp[], total: number): Promise<Uint8Array> {
  const f = s.makefile("rb");
  const taken: Uint8Array[] = [];
  const shown: string[] = [];
  let got = 0;
  let peeked: Uint8Array | null = null;
  let mode: null | 0 | 5 = null;
  const take = (u: Uint8Array, i: number, what: string) => {
    if (peeked !== null && u.length > 0) {
      const k = Math.min(peeked.length, u.length);
      assert.equal(hex(u.subarray(0, k)), hex(peeked.subarray(0, k)), `op ${i} ${what}: not the bytes MSG_PEEK showed`);
    }
    peeked = null;
    taken.push(u);
    shown.push(hex(u));
    got += u.length;
  };
  /** Wait until readable (EOF counts), for a non-blocking or timed call. */
  const readable = async (i: number) => {
    if (mode !== null) {
      const [rd] = await within(select([s], [], [], 10), LIMIT, `op ${i} select`);
      assert.equal(rd.length, 1, `op ${i}: select() timed out with bytes still to come`);
    }
  };
  try {
    const all = [...ops, ...Array.from({ length: 20_000 }, (): RecvOp => ["recv", 4096])];
    for (const [i, op] of all.entries()) {
      if (got >= total) break;
      const k = op[0];
      if (k === "mode") {
        mode = op[1];
        s.settimeout(mode);
      } else if (k === "pause") await sleep(3);
      else if (k === "recv") {
        await readable(i);
        take(await within(s.recv(op[1]), LIMIT, `op ${i} recv`), i, "recv");
      } else if (k === "into") {
        await readable(i);
        const big = new Uint8Array(op[1]).fill(0xee);
        const view = big.subarray(op[2]);
        const n = op[3] === 0
          ? await within(s.recv_into(view), LIMIT, `op ${i} recv_into`)
          : await within(s.recv_into(view, op[3]), LIMIT, `op ${i} recv_into(n)`);
        const lim = op[3] === 0 ? view.length : op[3];
        assert.ok(n >= 1 && n <= lim, `op ${i}: recv_into gave ${n}`);
        assert.ok(big.subarray(0, op[2]).every((x) => x === 0xee), `op ${i}: recv_into wrote before its view`);
        assert.ok(big.subarray(op[2] + n).every((x) => x === 0xee), `op ${i}: recv_into wrote past its count`);
        take(view.slice(0, n), i, "recv_into");
      } else if (k === "peek") {
        await readable(i);
        const p = await within(s.recv(op[1], MSG_PEEK), LIMIT, `op ${i} peek`);
        assert.ok(p.length >= 1 && p.length <= op[1], `op ${i}: peek gave ${p.length}`);
        peeked = p;
      } else if (k === "waitall") {
        await readable(i);
        const want = Math.min(op[1], total - got);
        const u = await within(s.recv(op[1], MSG_WAITALL), LIMIT, `op ${i} waitall`);
        // Blocking: exactly n (or the rest at EOF); timed and non-blocking: what is there (>= 1).
        if (mode === null) assert.equal(u.length, want, `op ${i}: MSG_WAITALL was short`);
        else assert.ok(u.length >= 1 && u.length <= op[1], `op ${i}: MSG_WAITALL gave ${u.length}`);
        take(u, i, "waitall");
      } else if (k === "line") {
        if (mode !== null) continue; // a timed/non-blocking file readline is not atomic in CPython either
        take(await within(f.readline() as Promise<Uint8Array>, LIMIT, `op ${i} readline`), i, "readline");
      } else {
        s.setblocking(false);
        const [rd] = await within(select([s], [], [], 10), LIMIT, `op ${i} select`);
        assert.equal(rd.length, 1, `op ${i}: select() timed out with bytes still to come`);
        take(await within(s.recv(op[1]), LIMIT, `op ${i} select_recv`), i, "select_recv");
        s.settimeout(mode);
      }
    }
    s.settimeout(null);
    assert.equal((await within(s.recv(10), LIMIT, "recv at EOF")).length, 0, "EOF after every byte");
    for (const [i, u] of taken.entries()) assert.equal(hex(u), shown[i], `result ${i} was rewritten later`);
    return concat(taken);
  } finally {
    await f.close();
  }
}

for (const kind of ["tcp", "unix", "tls"] as const) {
  const t = kind === "tls" ? tls_test : Deno.test;
  t(
    `recv/recv_into(views at offsets)/MSG_PEEK/MSG_WAITALL/readline/select-driven recv, blocking, timed and non-blocking in turn: every byte once, in order, never rewritten (${kind})`,
    async () => {
      for (const seed of [11, 12, 13, 14]) {
        const r = rng(seed * 31 + kind.length);
        const data = nasty_stream(r, 150);
        // SSLSocket.recv takes no flags (as CPython's): no MSG_PEEK/MSG_WAITALL there.
        const ops = recv_ops(r, 400).filter((o) => kind !== "tls" || (o[0] !== "peek" && o[0] !== "waitall"));
        const [c, s] = await kind_pair(kind);
        try {
          const sender = send_chunked(c, data, rng(seed)).then(() => c.shutdown(SHUT_WR)).catch((e) => e);
          const got = await within(run_recv_ops(s, ops, data.length), 4 * LIMIT, `seed ${seed}`);
          assert.equal(await within(sender, LIMIT, "sender"), undefined);
          assert.equal(got.length, data.length, `seed ${seed}: byte count`);
          assert.ok(
            got.every((x, i) => x === data[i]),
            `seed ${seed}: bytes differ at ${got.findIndex((x, i) => x !== data[i])}`,
          );
        } finally {
          c.close();
          s.close();
        }
      }
    },
  );
}

// ---- concurrent callers ------------------------------------------------------

/** True when `data` is an interleaving of the callers' results, each caller's in its own order. */
function interleaves(data: Uint8Array, lists: Uint8Array[][]): boolean {
  const seen = new Set<string>();
  const idx = lists.map(() => 0);
  const go = (pos: number): boolean => {
    if (pos === data.length) return idx.every((v, i) => v === lists[i]!.length);
    const key = idx.join(",");
    if (seen.has(key)) return false;
    seen.add(key);
    for (let t = 0; t < lists.length; t++) {
      const u = lists[t]![idx[t]!];
      if (u === undefined || u.length === 0 || pos + u.length > data.length) continue;
      let ok = true;
      for (let j = 0; j < u.length && ok; j++) ok = u[j] === data[pos + j];
      if (!ok) continue;
      idx[t]!++;
      if (go(pos + u.length)) return true;
      idx[t]!--;
    }
    return false;
  };
  return go(0);
}

for (const kind of ["tcp", "tls"] as const) {
  const t = kind === "tls" ? tls_test : Deno.test;
  t(
    `three tasks take from one blocking socket at once (recv, recv_into of up to 40 KiB, readline): every byte goes to exactly one, in each task's order (${kind})`,
    async () => {
      for (const seed of [21, 22]) {
        const r = rng(seed);
        const data = new Uint8Array(300_000);
        for (let i = 0; i < data.length; i++) data[i] = r() < 0.02 ? 0x0a : Math.floor(r() * 256);
        const [c, s] = await kind_pair(kind);
        try {
          const sender = send_chunked(c, data, rng(seed + 1)).then(() => c.shutdown(SHUT_WR)).catch((e) => e);
          const f = s.makefile("rb");
          const lists: Uint8Array[][] = [[], [], []];
          let eof = false;
          const task = async (t: number) => {
            const rr = rng(seed * 10 + t);
            for (let i = 0; i < 50_000 && !eof; i++) {
              let u: Uint8Array;
              if (t === 0) u = await s.recv(1 + Math.floor(rr() * 3000));
              else if (t === 1) {
                const buf = new Uint8Array(1 + Math.floor(rr() * 40_000));
                const n = await s.recv_into(buf);
                u = buf.subarray(0, n);
              } else u = await (f.readline() as Promise<Uint8Array>);
              if (u.length === 0) {
                eof = true;
                break;
              }
              lists[t]!.push(u);
              if (rr() < 0.1) await sleep(0);
            }
          };
          await within(Promise.all([task(0), task(1), task(2)]), 4 * LIMIT, `seed ${seed}: the three readers`);
          assert.equal(await within(sender, LIMIT, "sender"), undefined);
          const n = lists.reduce((a, l) => a + l.reduce((b, u) => b + u.length, 0), 0);
          assert.equal(n, data.length, `seed ${seed}: bytes taken in all`);
          assert.ok(interleaves(data, lists), `seed ${seed}: the results are not an interleaving of the stream`);
          await f.close();
        } finally {
          c.close();
          s.close();
        }
      }
    },
  );
}

Deno.test("two tasks recv() bytes already buffered in the same turn: both get bytes (the first all it asked), none duplicated, the second never a false EOF", async () => {
  const [c, s] = await pair();
  try {
    for (let round = 0; round < 50; round++) {
      await c.sendall(enc.encode("abcdefgh"));
      const [rd] = await within(select([s], [], [], 10), LIMIT, "select");
      assert.equal(rd.length, 1);
      await sleep(1);
      const p1 = s.recv(5);
      const p2 = s.recv(100);
      const a = await within(p1, LIMIT, "first recv");
      const b = await within(p2, LIMIT, "second recv");
      assert.equal(dec.decode(a), "abcde", `round ${round}`);
      assert.equal(dec.decode(b), "fgh", `round ${round}`);
      // Both asked again with nothing buffered: the first waits (no false EOF) until the peer sends.
      const p3 = s.recv(1), p4 = s.recv(100);
      await sleep(1);
      await c.sendall(enc.encode("YZ"));
      const [x, y] = await within(Promise.all([p3, p4]), LIMIT, "recv of later bytes");
      let rest = dec.decode(x) + dec.decode(y);
      if (rest.length < 2) rest += dec.decode(await within(s.recv(1), LIMIT, "the last byte"));
      assert.equal(rest, "YZ", `round ${round}: ${JSON.stringify(rest)}`);
    }
  } finally {
    c.close();
    s.close();
  }
});

// ---- state changes under a waiting recv --------------------------------------

py_test(
  "settimeout()/setblocking() called while a blocking recv() waits: the waiting call keeps blocking and gets the bytes (CPython twin)",
  async () => {
    const py = await cpython(`
out = []
for change in ("settimeout", "setblocking"):
    c, s = pair()
    res = []
    t = threading.Thread(target=lambda: res.append(attempt(lambda: s.recv(10)))); t.start()
    time.sleep(0.1)
    if change == "settimeout": s.settimeout(0.05)
    else: s.setblocking(False)
    time.sleep(0.3); c.sendall(b"late"); t.join(5)
    out.append(res[0])
    c.close(); s.close()
print(json.dumps(out))
`);
    const out: unknown[] = [];
    for (const change of ["settimeout", "setblocking"]) {
      const [c, s] = await pair();
      try {
        const p = attempt(() => s.recv(10));
        await sleep(100);
        if (change === "settimeout") s.settimeout(0.05);
        else s.setblocking(false);
        await sleep(300);
        await c.sendall(enc.encode("late"));
        out.push(await within(p, LIMIT, change));
      } finally {
        c.close();
        s.close();
      }
    }
    assert.deepEqual(out, py);
  },
);

py_test(
  "shutdown(SHUT_RD) under a waiting recv(n), recv_into(small) and readline(): each returns EOF at once (CPython twin)",
  async () => {
    const py = await cpython(`
out = []
for how in ("recv", "recv_into", "readline"):
    c, s = pair()
    res = []
    f = s.makefile("rb")
    def go():
        if how == "recv": res.append(attempt(lambda: s.recv(100)))
        elif how == "recv_into":
            b = bytearray(100); res.append(attempt(lambda: s.recv_into(b)))
        else: res.append(attempt(lambda: f.readline()))
    t = threading.Thread(target=go); t.start()
    time.sleep(0.1); s.shutdown(SHUT_RD); t.join(5)
    out.append(res[0])
    f.close(); c.close(); s.close()
print(json.dumps(out))
`);
    const out: unknown[] = [];
    for (const how of ["recv", "recv_into", "readline"]) {
      const [c, s] = await pair();
      const f = s.makefile("rb");
      try {
        const p = attempt(() =>
          how === "recv" ? s.recv(100) : how === "recv_into" ? s.recv_into(new Uint8Array(100)) : f.readline()
        );
        await sleep(100);
        await s.shutdown(SHUT_RD);
        out.push(await within(p, LIMIT, how));
      } finally {
        await f.close();
        c.close();
        s.close();
      }
    }
    assert.deepEqual(out, py);
  },
);

Deno.test("close() under a waiting recv (blocking, timed, non-blocking after select, direct recv_into, buffered fast path in the same turn, TLS): EBADF, never a hang or an uncaught rejection", async () => {
  const cases = ["blocking", "timed", "select", "direct", "same_turn", "tls"] as const;
  for (const how of cases) {
    if (how === "tls" && Deno.env.get("NO_OPENSSL")) continue;
    const [c, s] = how === "tls" ? await tls_pair() : await pair();
    try {
      let p: Promise<unknown>;
      if (how === "timed") s.settimeout(5);
      if (how === "select") {
        s.setblocking(false);
        await c.sendall(enc.encode("x"));
        await within(select([s], [], [], 10), LIMIT, "select");
        assert.equal(dec.decode(await s.recv(10)), "x");
        p = attempt(() => s.recv(10)); // EAGAIN now; then close
      } else if (how === "direct") p = attempt(() => s.recv_into(new Uint8Array(65536)));
      else if (how === "same_turn") {
        await c.sendall(enc.encode("buffered"));
        await within(select([s], [], [], 10), LIMIT, "select");
        p = attempt(() => s.recv(100)); // bytes buffered: taken at the call, as CPython's recv() returns them
        s.close(); // in the same turn: too late for bytes already taken
      } else p = attempt(() => s.recv(10));
      await sleep(how === "same_turn" ? 0 : 50);
      s.close();
      const r = await within(p, LIMIT, how);
      if (how === "select") assert.deepEqual(r, ["BlockingIOError", 11], how);
      else if (how === "same_turn") assert.deepEqual(r, ["ok", "buffered"], how);
      else assert.deepEqual(r, ["OSError", 9], how);
      assert.deepEqual(await attempt(() => s.recv(10)), ["OSError", 9], `${how}: recv after close`);
    } finally {
      c.close();
      s.close();
    }
  }
});

for (const kind of ["tcp", "tls"] as const) {
  (kind === "tls" ? tls_test : Deno.test)(
    `a timeout that fires as the bytes arrive: nothing is lost, duplicated or reordered (40 rounds, timeouts of 1-30 ms against sends at 0-30 ms; ${kind})`,
    async () => {
      const [c, s] = await kind_pair(kind);
      try {
        const r = rng(77);
        const sent: number[] = [];
        const got: number[] = [];
        let timeouts = 0;
        for (let round = 0; round < 40; round++) {
          const msg = new Uint8Array(1 + Math.floor(r() * 40)).map((_, i) => (round * 7 + i) & 0xff);
          sent.push(...msg);
          const delay = Math.floor(r() * 30);
          const send = sleep(delay).then(() => c.sendall(msg));
          s.settimeout((1 + Math.floor(r() * 30)) / 1000);
          try {
            got.push(...await within(s.recv(1000), LIMIT, `round ${round}`));
          } catch (e) {
            assert.ok(e instanceof TimeoutError, `round ${round}: ${e}`);
            timeouts++;
          }
          await send;
        }
        s.settimeout(2);
        for (let i = 0; i < 1000 && got.length < sent.length; i++) got.push(...await s.recv(1000));
        assert.deepEqual(got, sent);
        assert.ok(timeouts > 0, "some rounds timed out (else the race was never run)");
      } finally {
        c.close();
        s.close();
      }
    },
  );
}

Deno.test("an AbortSignal that fires as the bytes arrive: nothing is lost, duplicated or reordered (40 rounds)", async () => {
  const [c, s] = await pair();
  try {
    const r = rng(78);
    const sent: number[] = [];
    const got: number[] = [];
    for (let round = 0; round < 40; round++) {
      const msg = new Uint8Array(1 + Math.floor(r() * 40)).map((_, i) => (round * 5 + i) & 0xff);
      sent.push(...msg);
      const ac = new AbortController();
      const delay = Math.floor(r() * 20);
      const send = sleep(delay).then(() => c.sendall(msg));
      setTimeout(() => ac.abort(new Error("stop")), Math.floor(r() * 20));
      try {
        got.push(...await within(s.recv(1000, { signal: ac.signal }), LIMIT, `round ${round}`));
      } catch (e) {
        assert.equal((e as Error).message, "stop", `round ${round}`);
      }
      await send;
    }
    s.settimeout(2);
    for (let i = 0; i < 1000 && got.length < sent.length; i++) got.push(...await s.recv(1000));
    assert.deepEqual(got, sent);
  } finally {
    c.close();
    s.close();
  }
});

// ---- send's paths --------------------------------------------------------------

Deno.test("sends called one after another without awaiting, in one mode (blocking; non-blocking; timed ones that fit the queue), reach the peer in call order, after a full kernel buffer too", async () => {
  // (Calls that each wait for room interleave, as CPython's threads do; and a non-blocking send
  // called while a blocking sendall waits for the queue's flush is queued before it: calls made
  // without awaiting are concurrent calls, which CPython does not order either.)
  for (const mode of [null, 0, 5] as const) {
    for (const full of [false, true]) {
      if (full && mode !== null) continue; // a non-blocking or timed filler would raise or wait
      const [c, s] = await pair();
      try {
        c.settimeout(mode);
        const parts: Uint8Array[] = [];
        const calls: Promise<unknown>[] = [];
        const mk = (tag: number, n: number) => {
          const u = new Uint8Array(n).map((_, i) => (tag * 31 + i) & 0xff);
          parts.push(u);
          return u;
        };
        if (full) calls.push(c.sendall(mk(1, 8 << 20))); // its writes wait for the peer
        const r = rng(5);
        for (let i = 0; i < 40; i++) {
          const n = 1 + Math.floor(r() * (mode === null ? 70_000 : 5000));
          if (i % 2 === 0) calls.push(c.sendall(mk(i + 2, n)));
          else {
            // A send may take part of its bytes (a blocking one as the kernel's buffer fills, as CPython's):
            // the peer must get exactly the part it reported, in call order.
            const u = mk(i + 2, n), j = parts.length - 1;
            calls.push(
              c.send(u).then((k) => {
                assert.ok(k > 0 && k <= n, `send took ${k} of ${n}`);
                if (mode !== null) assert.equal(k, n); // a timed or non-blocking one that fits the queue takes all
                parts[j] = u.subarray(0, k);
              }),
            );
          }
        }
        const reading = recv_to(s, Infinity); // until EOF
        await within(Promise.all(calls), LIMIT, "every send");
        await c.shutdown(SHUT_WR);
        const got = await within(reading, LIMIT, "peer reads");
        const want = concat(parts);
        assert.equal(got.length, want.length, `mode ${mode} full=${full}: byte count`);
        const at = got.findIndex((x, i) => x !== want[i]);
        assert.equal(at, -1, `mode ${mode} full=${full}: bytes out of call order from ${at}`);
      } finally {
        c.close();
        s.close();
      }
    }
  }
});

/** recv until n bytes (or EOF). */
async function recv_to(s: Socket, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for (let i = 0; i < 1_000_000 && got < n; i++) {
    const d = await s.recv(1 << 20);
    if (d.length === 0) break;
    parts.push(d);
    got += d.length;
  }
  return concat(parts);
}

py_test(
  "a buffer the caller rewrites once send()/sendall() has returned never changes what the peer gets (blocking, timed, non-blocking; an idle and a full kernel buffer; CPython twin)",
  async () => {
    const py = await cpython(`
out = []
for mode, full in ((None, False), (None, True), (5.0, False), (5.0, True), (0.0, False)):
        c, s = pair()
        c.settimeout(mode)
        buf = bytearray(b"A" * 1000)
        res = []
        def snd():
            try: res.append(c.send(buf))
            except OSError as e: res.append(err(e))
        if full:
            f = threading.Thread(target=lambda: attempt(lambda: c.sendall(b"." * (8 << 20)))); f.start(); time.sleep(0.1)
        t = threading.Thread(target=snd); t.start()
        got = bytearray()
        if full:
            time.sleep(0.1)
            while len(got) < (8 << 20): got += s.recv(1 << 20)
        t.join(5)
        buf[:] = b"Z" * 1000
        if full: f.join(5)
        c.close()
        while True:
            d = s.recv(1 << 20)
            if not d: break
            got += d
        out.append([res[0], got.count(b"Z")])
        s.close()
print(json.dumps(out))
`);
    const out: unknown[] = [];
    const cases = [[null, false], [null, true], [5, false], [5, true], [0, false]] as const;
    for (const [mode, full] of cases) {
      {
        const [c, s] = await pair();
        try {
          c.settimeout(mode);
          const buf = new Uint8Array(1000).fill(0x41);
          let filler: Promise<unknown> = Promise.resolve();
          if (full) {
            filler = c.sendall(new Uint8Array(8 << 20).fill(0x2e)).catch((e) => e);
            await sleep(100);
          }
          const p: Promise<unknown> = c.send(buf).catch(err);
          const drain = full ? recv_to(s, 8 << 20) : Promise.resolve(new Uint8Array(0));
          const r = await within(p, LIMIT, "send");
          buf.fill(0x5a); // the call has returned: the buffer is the caller's again
          const first = await within(drain, LIMIT, "drain");
          await within(filler, LIMIT, "filler");
          c.close();
          const rest = await within(recv_to(s, 1 << 30), LIMIT, "rest");
          let z = 0;
          for (const part of [first, rest]) for (const x of part) if (x === 0x5a) z++;
          out.push([r, z]);
        } finally {
          c.close();
          s.close();
        }
      }
    }
    assert.deepEqual(out, py);
  },
);

// ---- accept and connect --------------------------------------------------------

py_test(
  "accept(): one that timed out or was aborted loses no connection; queued connections are taken in order; non-blocking accept says EAGAIN once the queue is empty (CPython twin)",
  async () => {
    const py = await cpython(`
srv = create_server(("127.0.0.1", 0)); addr = srv.getsockname()
out = []
srv.settimeout(0.05)
out.append(attempt(lambda: srv.accept()))
c = create_connection(addr); time.sleep(0.05)
srv.settimeout(None)
a, peer = srv.accept(); out.append(peer == c.getsockname()); a.close(); c.close()
cs = [create_connection(addr) for _ in range(5)]
time.sleep(0.1)
srv.setblocking(False)
got = []
for _ in range(6):
    try:
        a, peer = srv.accept(); got.append(peer[1]); a.close()
    except OSError as e: got.append(err(e))
out.append([g if isinstance(g, list) else g == cs[i].getsockname()[1] for i, g in enumerate(got)])
for x in cs: x.close()
print(json.dumps(out))
`);
    using srv = create_server(["127.0.0.1", 0]);
    const addr = srv.getsockname() as [string, number];
    const out: unknown[] = [];
    srv.settimeout(0.05);
    out.push(await attempt(() => srv.accept()));
    const ac = new AbortController();
    srv.settimeout(null);
    const aborted = attempt(() => srv.accept({ signal: ac.signal }));
    await sleep(20);
    ac.abort(new Error("stop"));
    assert.deepEqual(await within(aborted, LIMIT, "aborted accept"), ["Error", null]);
    const c = await create_connection(addr);
    await sleep(50);
    const [a, peer] = await within(srv.accept(), LIMIT, "accept after a timed-out and an aborted one");
    out.push(JSON.stringify(peer) === JSON.stringify(c.getsockname()));
    a.close();
    c.close();
    const cs: Socket[] = [];
    for (let i = 0; i < 5; i++) cs.push(await create_connection(addr));
    await sleep(100);
    srv.setblocking(false);
    const got: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        const [x, p] = await srv.accept();
        got.push((p as [string, number])[1] === (cs[i]!.getsockname() as [string, number])[1]);
        x.close();
      } catch (e) {
        got.push(err(e));
      }
    }
    out.push(got);
    for (const x of cs) x.close();
    assert.deepEqual(out, py);
  },
);

Deno.test("close() of a listener under a waiting accept (blocking, timed, with a signal): EBADF at once, and the next accept too", async () => {
  for (const how of ["blocking", "timed", "signal"]) {
    const srv = create_server(["127.0.0.1", 0]);
    if (how === "timed") srv.settimeout(5);
    const p = attempt(() => how === "signal" ? srv.accept({ signal: new AbortController().signal }) : srv.accept());
    await sleep(30);
    srv.close();
    assert.deepEqual(await within(p, LIMIT, how), ["OSError", 9], how);
    assert.deepEqual(await attempt(() => srv.accept()), ["OSError", 9], how);
  }
});

Deno.test("connects whose AbortControllers are reused: 30 timed-out and 30 closed connects to a stalled peer never abort the 30 connects made after or beside them", async () => {
  using st = await stalled();
  using srv = create_server(["127.0.0.1", 0], { backlog: 128 });
  const addr = srv.getsockname() as [string, number];
  for (let round = 0; round < 3; round++) {
    // Connects that settle unaborted (their controllers go back for reuse) ...
    const done: Socket[] = [];
    for (let i = 0; i < 10; i++) done.push(await create_connection(addr));
    // ... beside connects that time out (left in flight) and ones closed mid-connect (aborted).
    const timed: Socket[] = [], cut: Socket[] = [];
    const timeouts: Promise<unknown>[] = [], waits: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const t = socket(AF_INET);
      t.settimeout(0.02);
      timed.push(t);
      timeouts.push(attempt(() => t.connect(["127.0.0.1", st.port])));
      const k = socket(AF_INET);
      cut.push(k);
      waits.push(attempt(() => k.connect(["127.0.0.1", st.port])));
    }
    const tres = await within(Promise.all(timeouts), LIMIT, "timed connects");
    assert.deepEqual(tres, timed.map(() => ["TimeoutError", null]), `round ${round}`);
    // New connects take the spare controllers while the old sockets close.
    const fresh = Array.from({ length: 10 }, () => socket(AF_INET));
    const ok = fresh.map((f) => attempt(() => f.connect(addr)));
    for (const s of [...done, ...cut, ...timed]) s.close();
    const res = await within(Promise.all(ok), LIMIT, "fresh connects");
    assert.deepEqual(res, fresh.map(() => ["ok", null]), `round ${round}`);
    const rest = await within(Promise.all(waits), LIMIT, "stalled connects");
    assert.deepEqual(rest, cut.map(() => ["OSError", 9]), `round ${round}: connects closed under them`);
    for (const f of fresh) {
      assert.equal(f.getpeername()[1], addr[1]);
      f.close();
    }
    for (let i = 0; i < 20; i++) {
      srv.setblocking(false);
      try {
        (await srv.accept())[0].close();
      } catch {
        break;
      }
    }
  }
});

// ---- selectors -----------------------------------------------------------------

py_test(
  "DefaultSelector: a socket closed while registered is never reported and unregisters; readiness taken by recv is gone at the next select; EVENT_WRITE after EAGAIN comes back once the peer drains; unregister under a waiting select (CPython twin)",
  async () => {
    const py = await cpython(`
import selectors
out = {}
c, s = pair(); sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ); c.sendall(b"x"); time.sleep(0.05)
s.close()
t0 = time.time(); r = sel.select(0.2)
out["closed"] = [len(r), time.time() - t0 >= 0.15, attempt(lambda: sel.unregister(s).events), len(sel.get_map())]
c.close(); sel.close()

c, s = pair(); s.setblocking(False); sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)
c.sendall(b"abc")
r1 = [m for k, m in sel.select(5)]
got = s.recv(100)
r2 = [m for k, m in sel.select(0.1)]
c.sendall(b"d")
r3 = [m for k, m in sel.select(5)]
out["taken"] = [r1, got.decode(), r2, r3]
c.close(); s.close(); sel.close()

c, s = pair(); c.setblocking(False); sel = selectors.DefaultSelector(); sel.register(c, selectors.EVENT_WRITE)
n = 0
while True:
    try: n += c.send(b"w" * 65536)
    except BlockingIOError: break
w1 = [m for k, m in sel.select(0.2)]
got = 0
while got < n: got += len(s.recv(1 << 20))
w2 = [m for k, m in sel.select(5)]
out["write"] = [w1, w2]
c.close(); s.close(); sel.close()

c, s = pair(); s.setblocking(False)
sel1 = selectors.DefaultSelector(); sel2 = selectors.DefaultSelector()
sel1.register(s, selectors.EVENT_READ)
res = []
t = threading.Thread(target=lambda: res.append(len(sel1.select(0.5)))); t.start()
time.sleep(0.1); sel1.unregister(s); sel2.register(s, selectors.EVENT_READ); c.sendall(b"y")
r2 = [m for k, m in sel2.select(5)]
t.join(5)
out["moved"] = [res[0], r2]
c.close(); s.close(); sel1.close(); sel2.close()
print(json.dumps(out))
`);
    const out: Record<string, unknown> = {};
    {
      const [c, s] = await pair();
      using sel = new DefaultSelector();
      sel.register(s, EVENT_READ);
      await c.sendall(enc.encode("x"));
      await sleep(50);
      s.close();
      const t0 = performance.now();
      const r = await within(sel.select(0.2), LIMIT, "select on a closed socket");
      out.closed = [
        r.length,
        performance.now() - t0 >= 150,
        await attempt(() => sel.unregister(s).events),
        sel.get_map()!.size,
      ];
      c.close();
    }
    {
      const [c, s] = await pair();
      s.setblocking(false);
      using sel = new DefaultSelector();
      sel.register(s, EVENT_READ);
      await c.sendall(enc.encode("abc"));
      const r1 = (await within(sel.select(5), LIMIT, "r1")).map(([, m]) => m);
      const got = dec.decode(await s.recv(100));
      const r2 = (await within(sel.select(0.1), LIMIT, "r2")).map(([, m]) => m);
      await c.sendall(enc.encode("d"));
      const r3 = (await within(sel.select(5), LIMIT, "r3")).map(([, m]) => m);
      out.taken = [r1, got, r2, r3];
      c.close();
      s.close();
    }
    {
      const [c, s] = await pair();
      c.setblocking(false);
      using sel = new DefaultSelector();
      sel.register(c, EVENT_WRITE);
      let n = 0;
      for (let i = 0; i < 100_000; i++) {
        try {
          n += await c.send(new Uint8Array(65536).fill(0x77));
        } catch (e) {
          assert.ok(e instanceof BlockingIOError, String(e));
          break;
        }
      }
      const w1 = (await within(sel.select(0.2), LIMIT, "w1")).map(([, m]) => m);
      await within(recv_to(s, n), LIMIT, "drain");
      const w2 = (await within(sel.select(5), LIMIT, "w2")).map(([, m]) => m);
      out.write = [w1, w2];
      c.close();
      s.close();
    }
    {
      const [c, s] = await pair();
      s.setblocking(false);
      using sel1 = new DefaultSelector();
      using sel2 = new DefaultSelector();
      sel1.register(s, EVENT_READ);
      const first = sel1.select(0.5).then((r) => r.length);
      await sleep(100);
      sel1.unregister(s);
      sel2.register(s, EVENT_READ);
      await c.sendall(enc.encode("y"));
      const r2 = (await within(sel2.select(5), LIMIT, "sel2")).map(([, m]) => m);
      out.moved = [await within(first, LIMIT, "sel1"), r2];
      c.close();
      s.close();
    }
    assert.deepEqual(out, py);
  },
);

Deno.test("one socket in two DefaultSelectors and select() while other tasks take its bytes (recv, a direct recv_into): no select hangs past its timeout or reports a socket with nothing to read for long, every byte reaches a reader once", async () => {
  const [c, s] = await pair();
  try {
    using sel1 = new DefaultSelector();
    using sel2 = new DefaultSelector();
    sel1.register(s, EVENT_READ);
    sel2.register(s, EVENT_READ);
    const got: number[] = [];
    const sent: number[] = [];
    let stop = false;
    const reader = async (direct: boolean) => {
      for (let i = 0; i < 10_000 && !stop; i++) {
        if (direct) {
          const buf = new Uint8Array(32 * 1024);
          const n = await s.recv_into(buf); // blocking, idle: straight into buf
          if (n === 0) return;
          got.push(...buf.subarray(0, n));
        } else {
          const d = await s.recv(7);
          if (d.length === 0) return;
          got.push(...d);
        }
      }
    };
    const watcher = async (which: number) => {
      let reports = 0;
      for (let i = 0; i < 60 && !stop; i++) {
        const t0 = performance.now();
        const r = which === 2
          ? (await select([s], [], [], 0.05))[0].length
          : (await (which === 0 ? sel1 : sel2).select(0.05)).length;
        assert.ok(performance.now() - t0 < 5_000, `watcher ${which}: select(0.05) took ${performance.now() - t0} ms`);
        reports += r;
        if (r > 0) await sleep(1);
      }
      return reports;
    };
    const readers = [reader(false), reader(true)];
    const watchers = [watcher(0), watcher(1), watcher(2)];
    const r = rng(9);
    for (let round = 0; round < 60; round++) {
      const msg = Array.from({ length: 1 + Math.floor(r() * 50) }, (_, i) => (round + i) & 0xff);
      sent.push(...msg);
      await c.sendall(new Uint8Array(msg));
      await sleep(Math.floor(r() * 5));
    }
    await within(Promise.all(watchers), LIMIT, "watchers");
    c.shutdown(SHUT_WR);
    await within(Promise.all(readers), LIMIT, "readers to EOF");
    stop = true;
    assert.equal(got.length, sent.length, "every byte once");
    assert.deepEqual([...got].sort((a, b) => a - b), [...sent].sort((a, b) => a - b));
  } finally {
    c.close();
    s.close();
  }
});

tls_test({
  name: "A1 (TLS): a blocking SSLSocket.recv_into(64 KiB) ended by shutdown(SHUT_RD) leaves the caller's buffer alone",
  ignore: ignored(
    A1_FIXED,
    "finding A1 (TLS): _stream.ts StreamReader.read_into() keeps reading plaintext into the caller's view after SHUT_RD",
  ),
  fn: async () => {
    const [c, s] = await tls_pair();
    try {
      const buf = new Uint8Array(65536).fill(0x2e);
      const p = s.recv_into(buf);
      await sleep(100);
      await s.shutdown(SHUT_RD);
      const n = await within(p, LIMIT, "recv_into after SHUT_RD");
      await c.sendall(new Uint8Array(100).fill(0x58));
      await sleep(200);
      // As the plain socket's CPython twin: 0, and the buffer untouched once the call returned.
      assert.deepEqual([n, buf.some((x) => x !== 0x2e)], [0, false]);
    } finally {
      c.close();
      s.close();
    }
  },
});

py_test({
  name:
    "A3: readline(limit)/read(n) of a binary file take Python's ints (true, 3n), as recv() and a text file's readline() do (CPython twin)",
  ignore: ignored(
    A3_FIXED,
    "finding A3: _makefile.ts size_arg() refuses a bool or a bigint that as_int() (recv, text readline) accepts",
  ),
  fn: async () => {
    const py = await cpython(`
c, s = pair()
c.sendall(b"line one\\nline two\\nthree\\n"); time.sleep(0.05)
f = s.makefile("rb")
out = [attempt(lambda: f.readline(True)), attempt(lambda: f.readline(3)), attempt(lambda: f.read(True)),
       attempt(lambda: f.read(2))]
print(json.dumps(out))
`);
    const [c, s] = await pair();
    try {
      await c.sendall(enc.encode("line one\nline two\nthree\n"));
      await sleep(50);
      const f = s.makefile("rb");
      const n = (v: unknown) => v as number;
      const out = [
        await attempt(() => f.readline(n(true))),
        await attempt(() => f.readline(n(3n))),
        await attempt(() => f.read(n(true))),
        await attempt(() => f.read(n(2n))),
      ];
      await f.close();
      assert.deepEqual(out, py);
    } finally {
      c.close();
      s.close();
    }
  },
});

// ---- text files over the same reader ---------------------------------------------

py_test(
  "text makefile() readline()/readline(limit)/read(n) over UTF-8 split anywhere and \\r\\n split across reads, for newline None, '' and '\\r\\n' (CPython twin)",
  async () => {
    const r = rng(4242);
    // (No astral characters: a text read(n)/readline(limit) counts UTF-16 units, a documented difference.)
    const atoms = ["a", "é", "中", "\r\n", "\n", "\r", "line", " ", "\u2028", "x".repeat(300), "ü".repeat(200)];
    let text = "";
    for (let i = 0; i < 1500; i++) text += atoms[Math.floor(r() * atoms.length)];
    const data = enc.encode(text);
    const ops: (["line"] | ["limit", number] | ["read", number])[] = [];
    for (let i = 0; i < 300; i++) {
      const q = r();
      ops.push(q < 0.6 ? ["line"] : q < 0.8 ? ["limit", Math.floor(r() * 12)] : ["read", Math.floor(r() * 40)]);
    }
    const { python_json } = await import("./_twin.ts");
    const py = await python_json(
      `
import json, sys, threading
from socket import *
inp = json.loads(sys.stdin.read())
data = bytes.fromhex(inp["data"])
res = {}
for nl in (None, "", "\\r\\n"):
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    t = threading.Thread(target=lambda: (c.sendall(data), c.close())); t.start()
    f = s.makefile("r", encoding="utf-8", newline=nl)
    out = []
    for op in inp["ops"]:
        if op[0] == "line": out.append(f.readline())
        elif op[0] == "limit": out.append(f.readline(op[1]))
        else: out.append(f.read(op[1]))
    out.append(f.read())
    t.join(); f.close(); s.close()
    res[repr(nl)] = out
print(json.dumps(res))
`,
      { data: hex(data), ops },
    ) as Record<string, string[]>;
    for (const [key, nl] of [["None", null], ["''", ""], ["'\\r\\n'", "\r\n"]] as const) {
      const [c, s] = await pair();
      try {
        const sender = send_chunked(c, data, rng(7)).then(() => c.close()).catch((e) => e);
        const f = s.makefile("r", { encoding: "utf-8", newline: nl });
        const out: string[] = [];
        for (const [i, op] of ops.entries()) {
          const p = op[0] === "line" ? f.readline() : op[0] === "limit" ? f.readline(op[1]) : f.read(op[1]);
          out.push(await within(p as Promise<string>, LIMIT, `newline ${key} op ${i}`));
        }
        out.push(await within(f.read() as Promise<string>, LIMIT, "read()"));
        assert.equal(await within(sender, LIMIT, "sender"), undefined);
        await f.close();
        const want = py[key]!;
        for (let i = 0; i < want.length; i++) {
          assert.equal(
            JSON.stringify(out[i]),
            JSON.stringify(want[i]),
            `newline ${key}: result ${i} (${JSON.stringify(ops[i] ?? "read()")})`,
          );
        }
        assert.equal(out.length, want.length);
      } finally {
        c.close();
        s.close();
      }
    }
  },
);

// ---- TLS ---------------------------------------------------------------------------

tls_test(
  "TLS: 6 MiB in bursts to a reader that alternates small recv()s, readline()s, select() and pauses (flow control on and off): every byte once, in order, results never rewritten",
  async () => {
    const [c, s] = await tls_pair();
    try {
      const r = rng(99);
      const data = new Uint8Array(6 << 20);
      for (let i = 0; i < data.length; i++) data[i] = r() < 0.01 ? 0x0a : (i * 131 + (i >> 9)) & 0xff;
      const sender = (async () => {
        for (let off = 0; off < data.length;) {
          const n = Math.min(data.length - off, 1 + Math.floor(r() * 300_000));
          await c.sendall(data.subarray(off, off + n));
          off += n;
          if (r() < 0.3) await sleep(2);
        }
        await c.shutdown(SHUT_WR);
      })().catch((e) => e);
      const f = s.makefile("rb");
      const held: Uint8Array[] = [];
      const shown: string[] = [];
      let got = 0;
      for (let i = 0; i < 1_000_000 && got < data.length; i++) {
        const q = r();
        let u: Uint8Array;
        if (q < 0.4) u = await within(s.recv(1 + Math.floor(r() * 3000)), LIMIT, `recv ${i}`);
        else if (q < 0.7) u = await within(f.readline() as Promise<Uint8Array>, LIMIT, `readline ${i}`);
        else if (q < 0.9) {
          s.setblocking(false);
          const [rd] = await within(select([s], [], [], 10), LIMIT, `select ${i}`);
          assert.equal(rd.length, 1, `select ${i} timed out`);
          u = await s.recv(65536);
          s.setblocking(true);
        } else {
          await sleep(5);
          continue;
        }
        if (u.length === 0) break;
        for (let j = 0; j < u.length; j++) {
          if (u[j] !== data[got + j]) assert.fail(`byte ${got + j} differs (op ${i})`);
        }
        got += u.length;
        if (held.length < 2000) {
          held.push(u);
          shown.push(hex(u));
        }
      }
      assert.equal(got, data.length);
      assert.equal(await within(sender, LIMIT, "sender"), undefined);
      for (const [i, u] of held.entries()) assert.equal(hex(u), shown[i], `result ${i} rewritten`);
      await f.close();
    } finally {
      c.close();
      s.close();
    }
  },
);

py_test(
  "a listener in a DefaultSelector stays readable while connections are queued as accept() takes them one by one; a refused non-blocking connect reports READ|WRITE and SO_ERROR 111 (CPython twin)",
  async () => {
    const host = lone_v4(), port = closed_port(host); // refused, on a loopback address of this test's own
    const py = await cpython(`
import selectors
srv = create_server(("127.0.0.1", 0)); addr = srv.getsockname()
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
cs = [create_connection(addr) for _ in range(3)]; time.sleep(0.05)
out = [len(sel.select(1))]
srv.setblocking(False)
srv.accept()[0].close(); out.append(len(sel.select(0)))
srv.accept()[0].close(); out.append(len(sel.select(0)))
out.append(len(select.select([srv], [], [], 0)[0]))
srv.accept()[0].close(); out.append(len(sel.select(0.1)))
c = socket(); c.setblocking(False)
out.append(attempt(lambda: c.connect(("${host}", ${port}))))
sel2 = selectors.DefaultSelector(); sel2.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE)
out.append([m for k, m in sel2.select(5)])
out.append(c.getsockopt(SOL_SOCKET, SO_ERROR))
print(json.dumps(out))
`);
    const { SO_ERROR, SOL_SOCKET } = await import("../mod.ts");
    using srv = create_server(["127.0.0.1", 0]);
    const addr = srv.getsockname() as [string, number];
    using sel = new DefaultSelector();
    sel.register(srv, EVENT_READ);
    const cs = [await create_connection(addr), await create_connection(addr), await create_connection(addr)];
    await sleep(50);
    const out: unknown[] = [(await sel.select(1)).length];
    srv.setblocking(false);
    (await srv.accept())[0].close();
    out.push((await sel.select(0)).length);
    (await srv.accept())[0].close();
    out.push((await sel.select(0)).length);
    out.push((await select([srv], [], [], 0))[0].length);
    (await srv.accept())[0].close();
    out.push((await sel.select(0.1)).length);
    const c = socket(AF_INET);
    c.setblocking(false);
    out.push(await attempt(() => c.connect([host, port])));
    using sel2 = new DefaultSelector();
    sel2.register(c, EVENT_READ | EVENT_WRITE);
    out.push((await within(sel2.select(5), LIMIT, "refused connect")).map(([, m]) => m));
    out.push(c.getsockopt(SOL_SOCKET, SO_ERROR));
    for (const x of [...cs, c]) x.close();
    assert.deepEqual(out, py);
  },
);

for (const kind of ["tcp", "tls"] as const) {
  (kind === "tls" ? tls_test : Deno.test)(
    `a select()-driven non-blocking sender against a peer that reads nothing settles into select() timeouts (no busy loop of spurious EVENT_WRITE), then the peer gets every byte (${kind})`,
    async () => {
      const [c, s] = await kind_pair(kind);
      try {
        c.setblocking(false);
        using sel = new DefaultSelector();
        sel.register(c, EVENT_WRITE);
        let ok = 0, refused = 0, empty = 0, sent = 0;
        const chunk = new Uint8Array(65536).fill(0x61);
        const t0 = performance.now();
        for (let i = 0; i < 10_000 && performance.now() - t0 < 1000; i++) {
          if ((await within(sel.select(0.1), LIMIT, "select")).length === 0) {
            empty++;
            continue;
          }
          try {
            sent += await c.send(chunk);
            ok++;
          } catch (e) {
            // CPython: BlockingIOError, SSLWantWriteError for TLS.
            assert.equal((e as Error).name, kind === "tls" ? "SSLWantWriteError" : "BlockingIOError", String(e));
            refused++;
          }
        }
        // (CPython, same loop: {ok: 44, refused: 0, empty: 5} for both; a spin would show thousands refused.)
        assert.ok(empty >= 3, `select() never waited: ${JSON.stringify({ ok, refused, empty })}`);
        assert.ok(refused <= 5, `spurious EVENT_WRITE: ${JSON.stringify({ ok, refused, empty })}`);
        const got = await within(recv_to(s, sent), LIMIT, "drain");
        assert.equal(got.length, sent);
        assert.ok(got.every((x) => x === 0x61));
      } finally {
        c.close();
        s.close();
      }
    },
  );
}

// ---- the reader alone, against a model ------------------------------------------

Deno.test("StreamReader against a model: take/take_line(limit)/take_into/peek/index_of/read_into and results' buffers transferred away, over a transport that returns random short reads (slab growth, copy-ahead, idle shrink, whole-buffer handover); 40 seeds, every result kept", async () => {
  const { StreamReader } = await import("../_stream.ts");
  const { Deadline } = await import("../_wait.ts");
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed * 1000 + 3);
    const data = nasty_stream(r, 80);
    let src = 0;
    const t = {
      read(p: Uint8Array): Promise<number | null> {
        if (src >= data.length) return Promise.resolve(null);
        const cap = r() < 0.3 ? p.length : 1 + Math.floor(r() * Math.min(p.length, r() < 0.5 ? 40 : 5000));
        const k = Math.min(cap, data.length - src);
        p.set(data.subarray(src, src + k));
        src += k;
        return Promise.resolve(k);
      },
      write: (p: Uint8Array) => Promise.resolve(p.length),
      closeWrite: () => Promise.resolve(),
      close() {},
      localAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } as Deno.Addr,
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 2 } as Deno.Addr,
    };
    const rd = new StreamReader(t);
    const held: [Uint8Array, string][] = [];
    let pos = 0;
    const keep = (u: Uint8Array, what: string) => {
      const want = hex(data.subarray(pos, pos + u.length));
      assert.equal(hex(u), want, `seed ${seed} ${what} at ${pos}`);
      held.push([u, want]);
      pos += u.length;
    };
    for (let i = 0; i < 3000 && pos < data.length; i++) {
      const q = r();
      const buffered = rd.buffered;
      const view = data.subarray(pos, pos + buffered);
      if (q < 0.2) await rd.fill(buffered + 1 + Math.floor(r() * 3000), Deadline.of(null));
      else if (q < 0.5) {
        const max = r() < 0.5 ? Number.MAX_SAFE_INTEGER : [1, 2, 3, 4, 255, 256, 2048, 2049][Math.floor(r() * 8)]!;
        const got = rd.take_line(10, max);
        const nl = view.indexOf(10);
        if (nl < 0 || nl + 1 > max) assert.equal(got, null, `seed ${seed} op ${i}: take_line gave a line`);
        else {
          assert.ok(got !== null, `seed ${seed} op ${i}: take_line missed a buffered line (${nl + 1} <= ${max})`);
          keep(got, `take_line(${max})`);
        }
      } else if (q < 0.65) keep(rd.take(1 + Math.floor(r() * (r() < 0.8 ? 300 : 20000))), "take");
      else if (q < 0.75) {
        const big = new Uint8Array(1 + Math.floor(r() * 3000) + 4).fill(0xee);
        const v = big.subarray(2, big.length - 2);
        const n = rd.take_into(v);
        assert.ok(big[0] === 0xee && big[1] === 0xee && big.at(-1) === 0xee && big.at(-2) === 0xee);
        keep(v.slice(0, n), "take_into");
      } else if (q < 0.82) {
        const n = 1 + Math.floor(r() * 100);
        assert.equal(hex(rd.peek(n)), hex(view.subarray(0, n)), `seed ${seed} op ${i}: peek`);
      } else if (q < 0.88) {
        const from = Math.floor(r() * (buffered + 2));
        const i2 = view.indexOf(10, from);
        assert.equal(rd.index_of(10, from), from >= buffered ? -1 : i2, `seed ${seed} op ${i}: index_of`);
      } else if (q < 0.93 && rd.idle) {
        const buf = new Uint8Array(1 + Math.floor(r() * 40000));
        const n = await rd.read_into(buf);
        keep(buf.slice(0, n), "read_into");
      } else if (q < 0.95 && held.length > 0) {
        // The user moves a result's ArrayBuffer away (transfer): every result on it moves with it.
        const last = held.at(-1)![0];
        const ab = last.buffer;
        if (ab instanceof ArrayBuffer && ab.byteLength > 0) {
          // (A detached view reads as offset 0, length 0: take each one's place first.)
          const on = held.filter((h) => h[0].buffer === ab).map((h) => [h, h[0].byteOffset] as const);
          const moved = ab.transfer();
          for (const [h, off] of on) h[0] = new Uint8Array(moved, off, h[1].length / 2);
        }
      } else await sleep(0); // a turn: nothing is pending, so nothing changes
    }
    for (let i = 0; i < 100_000; i++) {
      await rd.fill(1, Deadline.of(null));
      const u = rd.take(1 << 20);
      if (u.length === 0) break;
      keep(u, "drain");
    }
    assert.equal(pos, data.length, `seed ${seed}: every byte`);
    for (const [j, [u, h]] of held.entries()) assert.equal(hex(u), h, `seed ${seed}: result ${j} rewritten`);
    rd.close();
  }
});

Deno.test("StreamWriter against a model: send/send_all awaited one after another in random modes (direct, queued, non-blocking), over a transport with random short and slow writes; the wire gets exactly the bytes each call reported, in order; shut_write ends it after them", async () => {
  const { StreamWriter } = await import("../_stream.ts");
  const { Deadline } = await import("../_wait.ts");
  // The seeds side by side: each has its own writer, transport and random stream; their slow writes (timers of
  // 0-2 ms, 4 ms once nested) overlap instead of adding up.
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
  await Promise.all(seeds.map(async (seed) => {
    const r = rng(seed * 77 + 1);
    const wire: Uint8Array[] = [];
    let closed_write = false;
    const t = {
      read: () => Promise.resolve(null),
      write(p: Uint8Array): Promise<number> {
        assert.ok(!closed_write, "a write after closeWrite");
        const k = r() < 0.5 ? p.length : 1 + Math.floor(r() * p.length);
        const done = () => {
          wire.push(p.slice(0, k)); // what the kernel takes, when it takes it
          return k;
        };
        return r() < 0.3 ? sleep(Math.floor(r() * 3)).then(done) : Promise.resolve().then(done);
      },
      closeWrite() {
        closed_write = true;
        return Promise.resolve();
      },
      close() {},
      localAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } as Deno.Addr,
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 2 } as Deno.Addr,
    };
    const w = new StreamWriter(t);
    let want: Uint8Array[] = [];
    for (let i = 0; i < 120; i++) {
      const n = 1 + Math.floor(r() * (r() < 0.8 ? 500 : 300_000));
      const data = new Uint8Array(n).map((_, j) => (i * 13 + j) & 0xff);
      const mode = r();
      const dl = mode < 0.4 ? Deadline.of(null) : mode < 0.7 ? Deadline.of(0) : Deadline.of(5);
      const all = r() < 0.5;
      try {
        if (all) {
          await within(w.send_all(data, dl), LIMIT, `seed ${seed} call ${i}`);
          want.push(data.slice());
        } else {
          const k = await within(w.send(data, dl), LIMIT, `seed ${seed} call ${i}`);
          assert.ok(k >= 1 && k <= n, `seed ${seed} call ${i}: send took ${k} of ${n}`);
          want.push(data.slice(0, k));
        }
      } catch (e) {
        // Non-blocking: EAGAIN when the queue is full; send_all may have queued a part first.
        assert.equal((e as Error).name, "BlockingIOError", `seed ${seed} call ${i}: ${e}`);
        if (all) {
          // How much of it was taken is not reported (as CPython's sendall): drain and resync.
          await w.drain();
          want = [concat(wire)];
        }
      }
      data.fill(0); // the call has returned: the caller's buffer is its own again
    }
    await within(w.shut_write(), LIMIT, "shut_write");
    await within(w.drain(), LIMIT, "drain");
    for (let i = 0; i < 100 && !closed_write; i++) await sleep(1);
    assert.ok(closed_write, `seed ${seed}: the half-close never came`);
    const got = concat(wire), exp = concat(want);
    assert.equal(got.length, exp.length, `seed ${seed}: bytes on the wire`);
    const at = got.findIndex((x, i) => x !== exp[i]);
    assert.equal(at, -1, `seed ${seed}: the wire differs from byte ${at}`);
  }));
});

py_test(
  "MSG_DONTWAIT, MSG_PEEK and MSG_WAITALL beside the plain fast recv on a blocking socket, and recv_into(view, nbytes) at an offset: results and errors as CPython's",
  async () => {
    const { MSG_DONTWAIT } = await import("../mod.ts");
    const py = await cpython(`
c, s = pair()
out = []
out.append(attempt(lambda: s.recv(10, MSG_DONTWAIT)))
out.append(attempt(lambda: s.recv(10, MSG_PEEK | MSG_DONTWAIT)))
c.sendall(b"hello world"); time.sleep(0.05)
out.append(attempt(lambda: s.recv(5, MSG_PEEK | MSG_DONTWAIT)))
out.append(attempt(lambda: s.recv(3)))
out.append(attempt(lambda: s.recv(100, MSG_WAITALL | MSG_DONTWAIT)))
out.append(attempt(lambda: s.recv(1, MSG_DONTWAIT)))
c.sendall(b"0123456789"); time.sleep(0.05)
buf = bytearray(b"." * 12)
n = s.recv_into(memoryview(buf)[3:], 4)
out.append([n, buf.decode()])
n = s.recv_into(memoryview(buf)[1:4], 0, MSG_PEEK)
out.append([n, buf.decode()])
out.append(attempt(lambda: s.recv_into(memoryview(buf)[1:4], 5)))
out.append(attempt(lambda: s.recv(100)))
print(json.dumps(out))
`);
    const [c, s] = await pair();
    try {
      const out: unknown[] = [];
      out.push(await attempt(() => s.recv(10, MSG_DONTWAIT)));
      out.push(await attempt(() => s.recv(10, MSG_PEEK | MSG_DONTWAIT)));
      await c.sendall(enc.encode("hello world"));
      await sleep(50);
      out.push(await attempt(() => s.recv(5, MSG_PEEK | MSG_DONTWAIT)));
      out.push(await attempt(() => s.recv(3)));
      out.push(await attempt(() => s.recv(100, MSG_WAITALL | MSG_DONTWAIT)));
      out.push(await attempt(() => s.recv(1, MSG_DONTWAIT)));
      await c.sendall(enc.encode("0123456789"));
      await sleep(50);
      const buf = enc.encode("............");
      let n = await s.recv_into(buf.subarray(3), 4);
      out.push([n, dec.decode(buf)]);
      n = await s.recv_into(buf.subarray(1, 4), 0, MSG_PEEK);
      out.push([n, dec.decode(buf)]);
      out.push(await attempt(() => s.recv_into(buf.subarray(1, 4), 5)));
      out.push(await attempt(() => s.recv(100)));
      // Python's ValueError is pysocket's RangeError (the documented mapping).
      assert.deepEqual(out, JSON.parse(JSON.stringify(py).replaceAll('"ValueError"', '"RangeError"')));
    } finally {
      c.close();
      s.close();
    }
  },
);

Deno.test("create_connection()'s dotted-quad fast path and its general path give the same outcome for odd ports, timeouts and literals (strings, floats, bigints, booleans, NaN, Infinity, out of range, octal and short forms, spaces)", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const outcome = async (f: () => Promise<unknown>) => {
    try {
      const s = await f() as Socket;
      const t = s.gettimeout();
      s.close();
      (await within(srv.accept(), LIMIT, "accept"))[0].close();
      return ["ok", t];
    } catch (e) {
      return [(e as Error).name, (e as Error).message];
    }
  };
  const cases: [unknown[], unknown][] = [
    [["127.0.0.1", String(port)], undefined],
    [["127.0.0.1", port], -1],
    [["127.0.0.1", port], NaN],
    [["127.0.0.1", port], Infinity],
    [["127.0.0.1", port], "5"],
    [["127.0.0.1", port], true],
    [["127.0.0.1", port], 5n],
    [["127.0.0.1", 70000], undefined],
    [["127.0.0.1", -1], undefined],
    [["127.0.0.1", port + 0.5], undefined],
    [["127.0.0.1", BigInt(port)], undefined],
    [["127.0.0.1", port, 0], undefined],
    [["127.000.0.1", port], undefined],
    [["0177.0.0.1", port], undefined],
    [["127.1", port], undefined],
    [["2130706433", port], undefined],
    [["127.0.0.1 ", port], undefined],
  ];
  type CC = (a: unknown, t?: unknown) => Promise<Socket>;
  const cc = create_connection as unknown as CC;
  for (const [addr, t] of cases) {
    const fast = await outcome(() => cc(addr, t));
    const general = await outcome(() => cc(addr, t === undefined ? {} : { timeout: t }));
    assert.deepEqual(fast, general, `${String(addr)} / ${String(t)}`);
  }
});

// ---- memory: selectors registering an idle socket again and again ------------------

const REG_SCRIPT = `
const [root, kinds] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } = await import(root + "ssl.ts");
const { DefaultSelector, EVENT_READ } = await import(root + "selectors.ts");
const { make_certs } = await import(root + "bench/_certs.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const N = 5000;
const k = await make_certs();
async function pair(tls) {
  const srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname();
  if (!tls) {
    const c = await create_connection(addr);
    const [s] = await srv.accept();
    srv.close();
    return [c, s];
  }
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER); sctx.load_cert_chain(k.cert, k.key);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(k.ca);
  const r = await Promise.all([
    create_connection(addr).then((x) => cctx.wrap_socket(x, { server_hostname: "localhost" })),
    srv.accept().then(([x]) => sctx.wrap_socket(x, { server_side: true })),
  ]);
  srv.close();
  return r;
}
const out = {};
for (const tls of kinds.split(",").map((x) => x === "tls")) {
  const [c, s] = await pair(tls);
  s.setblocking(false);
  const sel = new DefaultSelector();
  const churn = async () => { for (let i = 0; i < N; i++) { sel.register(s, EVENT_READ); await sel.select(0); sel.unregister(s); } };
  const fresh = async () => { for (let i = 0; i < N; i++) { const se = new DefaultSelector(); se.register(s, EVENT_READ); await se.select(0); se.close(); } };
  await churn();
  let h0 = heap();
  await churn();
  const per_register = (heap() - h0) / N;
  h0 = heap();
  await fresh();
  const per_selector = (heap() - h0) / N;
  // Nothing lost: the byte that comes is reported and received.
  await c.sendall(new Uint8Array([42]));
  sel.register(s, EVENT_READ);
  const ready = (await sel.select(10)).length;
  const got = Array.from(await s.recv(10));
  out[tls ? "tls" : "tcp"] = { per_register, per_selector, ready, got };
  sel.close(); c.close(); s.close();
}
k.cleanup();
console.log(JSON.stringify(out));
Deno.exit(0);
`;

async function deno_gc_script(code: string, ...args: string[]): Promise<Record<string, unknown>> {
  const dir = Deno.makeTempDirSync({ prefix: "adv_fastpath_" });
  const path = `${dir}/script.ts`;
  Deno.writeTextFileSync(path, code);
  try {
    const text = await run_gc_child(path, [new URL("..", import.meta.url).href, ...args]);
    return JSON.parse(text.split("\n").pop()!);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Heap kept per registration of an idle socket of each kind; the byte that comes after is delivered. */
async function check_registrations(kinds: string[]): Promise<void> {
  const r = await deno_gc_script(REG_SCRIPT, kinds.join(","));
  console.log(JSON.stringify(r));
  for (const kind of kinds) {
    const m = r[kind] as { per_register: number; per_selector: number; ready: number; got: number[] };
    assert.deepEqual([m.ready, m.got], [1, [42]], kind);
    // A few bytes is GC noise (plain: ~5 B); the TLS leak kept ~1,360 B per registration.
    assert.ok(m.per_register < 200, `${kind}: ${m.per_register} bytes kept per register/unregister`);
    assert.ok(m.per_selector < 200, `${kind}: ${m.per_selector} bytes kept per new DefaultSelector`);
  }
}

Deno.test("registering an idle plain socket again and again (register/select(0)/unregister, or a new DefaultSelector each time) keeps no memory; the byte that then comes is reported and received", async () => {
  await check_registrations(["tcp"]);
});

tls_test({
  name:
    "A4: registering an idle SSLSocket again and again (register/select(0)/unregister, or a new DefaultSelector each time) keeps no memory; the byte that then comes is reported and received",
  ignore: ignored(
    A4_FIXED,
    "finding A4: ssl.ts SSLSocket._pollable() makes a new Pollable per call, so each register() arms another watch on the pending read",
  ),
  fn: async () => {
    await check_registrations(["tls"]);
  },
});

const SELECT_SCRIPT = `
const [root, only] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { DefaultSelector, EVENT_READ, select } = await import(root + "selectors.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const N = 1000;
const srv = create_server(["127.0.0.1", 0]);
const c = await create_connection(srv.getsockname());
const [s] = await srv.accept();
s.setblocking(false);
const sel = new DefaultSelector();
sel.register(s, EVENT_READ);
const ac = new AbortController();
const kinds = {
  selector: () => sel.select(0.001),
  selector_signal: () => sel.select(0.001, { signal: ac.signal }),
  select: () => select([s], [], [], 0.001),
  select_signal: () => select([s], [], [], 0.001, { signal: ac.signal }),
};
const out = {};
// Every kind warmed up first (one child per kind: what the others' runs warmed up in a shared one).
for (const f of Object.values(kinds)) for (let i = 0; i < 100; i++) await f();
for (const [k, f] of Object.entries(kinds)) {
  if (only && k !== only) continue;
  for (let i = 0; i < 100; i++) await f();
  const h0 = heap();
  let empty = 0;
  for (let i = 0; i < N; i++) {
    const r = await f();
    if ((Array.isArray(r[0]) ? r[0] : r).length === 0) empty++;
  }
  out[k] = { per_call: (heap() - h0) / N, empty };
}
// Then a byte comes: every kind of wait reports it.
const waits = [sel.select(10), select([s], [], [], 10), sel.select(10, { signal: ac.signal })];
await c.sendall(new Uint8Array([7]));
const r = await Promise.all(waits);
out.woken = [r[0].length, r[1][0].length, r[2].length];
out.got = Array.from(await s.recv(10));
sel.close(); c.close(); s.close(); srv.close();
console.log(JSON.stringify(out));
Deno.exit(0);
`;

Deno.test({
  name:
    "A5: select() calls that time out on an idle set (DefaultSelector.select(t) and select.select(..., t), with and without a signal) keep no memory; a byte that comes after wakes every kind of wait",
  ignore: ignored(
    A5_FIXED,
    "finding A5: selectors.ts wait_wake() leaves each timed-out select's reaction on the shared wake-up promise until the next wake",
  ),
  fn: async () => {
    // One child per kind, side by side (each measures its own heap; 1,100 selects of 1 ms each mostly wait).
    const kinds = ["selector", "selector_signal", "select", "select_signal"];
    const rs = await Promise.all(kinds.map((k) => deno_gc_script(SELECT_SCRIPT, k)));
    for (const [i, k] of kinds.entries()) {
      const r = rs[i]!;
      console.log(JSON.stringify(r));
      const m = r[k] as { per_call: number; empty: number };
      assert.equal(m.empty, 1000, `${k}: every call timed out (the set is idle)`);
      // A few bytes is GC noise; before the fix ~960 B per call.
      assert.ok(m.per_call < 200, `${k}: ${m.per_call} bytes kept per timed-out select`);
      assert.deepEqual([r.woken, r.got], [[1, 1, 1], [7]], `${k}: then a byte wakes every kind of wait`);
    }
  },
});

const ABANDON_SCRIPT = `
const [root] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { DefaultSelector, EVENT_READ } = await import(root + "selectors.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const N = 10000;
const srv = create_server(["127.0.0.1", 0]);
const c = await create_connection(srv.getsockname());
const [s] = await srv.accept();
s.setblocking(false);
// A helper that waits with a selector of its own and never closes it (Python code relies on GC).
const wait = async (t) => { const sel = new DefaultSelector(); sel.register(s, EVENT_READ); return (await sel.select(t)).length; };
for (let i = 0; i < 200; i++) await wait(0);
const h0 = heap();
for (let i = 0; i < N; i++) {
  await wait(0);
  if (i % 200 === 0) gc(); // as a long-running program's collections would
}
const per_selector = (heap() - h0) / N;
const p = wait(10);
await c.sendall(new Uint8Array([5]));
const ready = await p;
const got = Array.from(await s.recv(10));
c.close(); s.close(); srv.close();
console.log(JSON.stringify({ per_selector, ready, got }));
Deno.exit(0);
`;

Deno.test({
  name:
    "A6: DefaultSelectors dropped without close() (a helper's own selector per wait) are not kept alive by the idle socket they registered; a byte that comes after is reported",
  ignore: ignored(
    A6_FIXED,
    "finding A6: selectors.ts Waiting holds registrations strongly, so an unclosed selector lives until its idle socket is ready",
  ),
  fn: async () => {
    const r = await deno_gc_script(ABANDON_SCRIPT);
    console.log(JSON.stringify(r));
    assert.deepEqual([r.ready, r.got], [1, [5]]);
    // Before the fix ~260 B per selector; a few bytes is GC noise.
    assert.ok((r.per_selector as number) < 100, `${r.per_selector} bytes kept per dropped selector`);
  },
});

py_test(
  "a reset under each recv path (blocking recv, direct recv_into of 64 KiB, recv_into of 100, makefile readline, non-blocking recv after select): ConnectionResetError once, then EOF (CPython twin)",
  async () => {
    const { resetting } = await import("./_socket_fixtures.ts");
    const py = await cpython(`
out = {}
for how in ("recv", "direct", "into", "readline", "select"):
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = create_connection(l.getsockname()); p, _ = l.accept(); l.close()
    f = c.makefile("rb")
    def call():
        if how == "recv": return c.recv(100)
        if how == "direct": return c.recv_into(bytearray(65536))
        if how == "into": return c.recv_into(bytearray(100))
        if how == "readline": return f.readline()
        c.setblocking(False); select.select([c], [], [], 10); return c.recv(100)
    t = threading.Timer(0.2, lambda: (p.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)), p.close()))
    t.start()
    first = attempt(call)
    c.setblocking(True)
    second = attempt(lambda: c.recv(100))
    out[how] = [first, second]
    t.join(); f.close(); c.close()
print(json.dumps(out))
`);
    const out: Record<string, unknown> = {};
    for (const how of ["recv", "direct", "into", "readline", "select"]) {
      await using peer = await resetting(200);
      const c = await create_connection(["127.0.0.1", peer.port]);
      const f = c.makefile("rb");
      try {
        const call = async (): Promise<unknown> => {
          if (how === "recv") return await c.recv(100);
          if (how === "direct") return await c.recv_into(new Uint8Array(65536));
          if (how === "into") return await c.recv_into(new Uint8Array(100));
          if (how === "readline") return await f.readline();
          c.setblocking(false);
          await select([c], [], [], 10);
          return await c.recv(100);
        };
        const first = await within(attempt(call), LIMIT, `${how}: first`);
        c.setblocking(true);
        const second = await within(attempt(() => c.recv(100)), LIMIT, `${how}: second`);
        out[how] = [first, second];
      } finally {
        await f.close();
        c.close();
      }
    }
    assert.deepEqual(out, py);
  },
);

py_test({
  name:
    "A7: close() of a socket whose makefile('rb') file is open leaves the connection to the file until the file is closed (CPython's _io_refs; http.client's pattern)",
  ignore: ignored(
    A7_FIXED,
    "finding A7: socket.ts close() ignores open makefile() files (CPython defers the real close until they are closed); documented in docs/limits.md (JavaScript has no reference counts to tell when a forgotten file is gone)",
  ),
  fn: async () => {
    const py = await cpython(`
c, s = pair()
f = s.makefile("rb")
c.sendall(b"a\\n"); time.sleep(0.05)
s.close()
out = [attempt(lambda: c.sendall(b"b\\n"))]
time.sleep(0.05)
out.append(attempt(lambda: f.readline()))
out.append(attempt(lambda: f.readline()))
f.close()
c.settimeout(5)
out.append(attempt(lambda: c.recv(10)))
print(json.dumps(out))
`);
    const [c, s] = await pair();
    try {
      const f = s.makefile("rb");
      await c.sendall(enc.encode("a\n"));
      await sleep(50);
      s.close();
      const out: unknown[] = [await attempt(() => c.sendall(enc.encode("b\n")))];
      await sleep(50);
      out.push(await within(attempt(() => f.readline()), LIMIT, "readline 1"));
      out.push(await within(attempt(() => f.readline()), LIMIT, "readline 2"));
      await f.close();
      c.settimeout(5);
      out.push(await within(attempt(() => c.recv(10)), LIMIT, "the peer's EOF"));
      assert.deepEqual(out, py);
    } finally {
      c.close();
      s.close();
    }
  },
});
