// readline's buffered fast path (issue 17): StreamReader.take_line copies the
// buffered bytes ahead into the connection's slab a block at a time and hands
// out each short line as a view on it, scanning four bytes at a time. These
// tests feed it lines of every length and alignment, split across reads at
// random, interleaved with every other way of taking bytes (read(n),
// readline(limit), recv(n) on the socket, a slab transferred away by the
// user), over TCP, Unix and TLS, and check every result against the bytes
// sent, against CPython's makefile('rb') on the same data, and again at the
// end (a result's bytes are its own: never rewritten by later reads).

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, create_connection, create_server, type Socket, socketpair } from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { type Certs, make_certs } from "../bench/_certs.ts";
import { cpython } from "./_twin.ts";
import { missing, sleep, within } from "./_socket_fixtures.ts";
import { stream_pair } from "./_pairs.ts";

/** A small deterministic PRNG (mulberry32): the same scenario on every run. */
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

// Bytes next to "\n" in value and in the word trick's arithmetic (0x0a ^ 0x80, 0x0b, 0x09, 0, 0xff, 0x01).
const NEAR = [0x00, 0x01, 0x09, 0x0b, 0x8a, 0xff, 0x0a0a & 0xff, 0x61];

/** Lines of every short length (0..80), some of 2-3 KiB (past the slab's limit) and one of 40 KiB (past the slab). */
function make_lines(rand: () => number, count: number): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const len = r < 0.02 ? 2000 + Math.floor(rand() * 1000) : i === count >> 1 ? 40_000 : Math.floor(rand() * 81);
    const line = new Uint8Array(len + 1);
    for (let j = 0; j < len; j++) {
      let v = rand() < 0.5 ? NEAR[Math.floor(rand() * NEAR.length)]! : Math.floor(rand() * 256);
      if (v === 10) v = 11;
      line[j] = v;
    }
    line[len] = 10;
    lines.push(line);
  }
  return lines;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function hex(u: Uint8Array): string {
  return Array.from(u, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Send `data` in random chunks (1 byte to 9 KiB), sometimes pausing so the reader drains; then close. */
async function send_chunks(s: Socket, data: Uint8Array, rand: () => number): Promise<void> {
  try {
    for (let off = 0; off < data.length;) {
      const n = Math.min(data.length - off, 1 + Math.floor(rand() * (rand() < 0.2 ? 9000 : 300)));
      await s.sendall(data.subarray(off, off + n));
      off += n;
      if (rand() < 0.05) await sleep(1);
    }
  } finally {
    s.close();
  }
}

type Op = ["line"] | ["limit", number] | ["read", number] | ["recv", number] | ["transfer"] | ["next"];

/** Mostly readline() (the fast path), with every other way of taking bytes in between. */
function make_ops(rand: () => number, count: number, with_socket_ops: boolean): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.8) ops.push(["line"]);
    else if (r < 0.86) ops.push(["limit", Math.floor(rand() * 60)]);
    else if (r < 0.92) ops.push(["read", Math.floor(rand() * 100)]);
    else if (with_socket_ops && r < 0.95) ops.push(["recv", 1 + Math.floor(rand() * 100)]);
    else if (with_socket_ops && r < 0.98) ops.push(["next"]);
    else if (with_socket_ops) ops.push(["transfer"]);
    else ops.push(["line"]);
  }
  return ops;
}

/**
 * Run `ops` on `conn` (then readline() until EOF); each result is checked against the
 * bytes sent at its position. Returns every result, as returned (for the final check).
 */
async function run_ops(conn: Socket, data: Uint8Array, ops: Op[]): Promise<Uint8Array[]> {
  const f = conn.makefile("rb");
  const it = f[Symbol.asyncIterator]();
  const results: Uint8Array[] = [];
  let pos = 0;
  const next_nl = (from: number): number => {
    const i = data.indexOf(10, from);
    return i < 0 ? data.length : i + 1;
  };
  const all: Op[] = [...ops, ...Array.from({ length: 100_000 }, (): Op => ["line"])];
  for (const [i, op] of all.entries()) {
    let got: Uint8Array;
    let want_len: number;
    if (op[0] === "line") {
      got = await within(f.readline() as Promise<Uint8Array>, 20_000, `op ${i} readline`);
      want_len = next_nl(pos) - pos;
    } else if (op[0] === "limit") {
      got = await within(f.readline(op[1]) as Promise<Uint8Array>, 20_000, `op ${i} readline(${op[1]})`);
      want_len = Math.min(next_nl(pos) - pos, op[1]);
    } else if (op[0] === "read") {
      got = await within(f.read(op[1]) as Promise<Uint8Array>, 20_000, `op ${i} read(${op[1]})`);
      want_len = Math.min(op[1], data.length - pos);
    } else if (op[0] === "next") {
      // for await's step: the iterator's next() takes a line as readline() does.
      const r = await within(it.next(), 20_000, `op ${i} next()`);
      got = r.done ? new Uint8Array(0) : r.value as Uint8Array;
      want_len = next_nl(pos) - pos;
    } else if (op[0] === "recv") {
      got = await within(conn.recv(op[1]), 20_000, `op ${i} recv(${op[1]})`);
      want_len = got.length; // recv returns what has arrived (1..n, or 0 at EOF)
      assert.ok(got.length <= op[1] && (got.length > 0 || pos === data.length), `op ${i}: recv gave ${got.length}`);
    } else {
      // The user takes the slab of the last result away (its bytes move to a new buffer): reading goes on.
      const last = results.at(-1);
      if (last && last.buffer.byteLength > 0 && !(last.buffer instanceof SharedArrayBuffer)) {
        const { byteOffset, length } = last;
        const moved = new Uint8Array(last.buffer.transfer(), byteOffset, length);
        lengths.set(moved, moved.length);
        results[results.length - 1] = moved;
      }
      continue;
    }
    assert.equal(got.length, want_len, `op ${i} (${op.join(" ")}) at ${pos}: length`);
    assert.equal(hex(got), hex(data.subarray(pos, pos + want_len)), `op ${i} (${op.join(" ")}) at ${pos}: bytes`);
    pos += got.length;
    lengths.set(got, got.length);
    results.push(got);
    if (op[0] === "line" && got.length === 0) break;
  }
  assert.equal(pos, data.length, "every byte was read");
  await f.close();
  return results;
}

/** Every result still holds the bytes it was returned with: later reads rewrote none. */
function check_kept(results: Uint8Array[], data: Uint8Array): void {
  let pos = 0;
  for (const [i, r] of results.entries()) {
    const n = r.byteLength > 0 || r.buffer.byteLength > 0 ? r.length : -1; // -1: its slab was transferred away
    if (n >= 0) {
      assert.equal(hex(r), hex(data.subarray(pos, pos + r.length)), `result ${i} changed after it was returned`);
    }
    pos += n >= 0 ? r.length : lengths.get(r)!;
  }
  assert.equal(pos, data.length);
}

/** Each result's length when returned (a transferred slab leaves the results on it empty). */
const lengths = new WeakMap<Uint8Array, number>();

async function tcp_pair(): Promise<[Socket, Socket]> {
  using srv = create_server(["127.0.0.1", 0]);
  const c = await create_connection(srv.getsockname() as [string, number]);
  const [a] = await srv.accept();
  return [c, a];
}

let certs: Certs | null = null;
async function tls_pair(): Promise<[Socket, Socket]> {
  if (!certs) {
    certs = await make_certs();
    globalThis.addEventListener("unload", () => certs?.cleanup());
  }
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(certs.cert, certs.key);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  cctx.load_verify_locations(certs.ca);
  return await Promise.all([
    create_connection(addr).then((s) => cctx.wrap_socket(s, { server_side: false, server_hostname: "localhost" })),
    srv.accept().then(([s]) => sctx.wrap_socket(s, { server_side: true })),
  ]);
}

const KINDS: [string, () => Promise<[Socket, Socket]>, boolean][] = [
  ["TCP", tcp_pair, false],
  ["Unix", () => socketpair(AF_UNIX), missing("unix")],
  ["TLS", tls_pair, missing("openssl")],
];

for (const [kind, pair, ignore] of KINDS) {
  Deno.test({
    name:
      `SocketFile.readline() (${kind}): lines of every length and alignment, split across reads, with read(n), readline(limit), recv(n) and a transferred slab in between`,
    ignore,
    fn: async () => {
      for (const seed of [1, 2, 3]) {
        const rand = rng(seed * 7919);
        const data = concat([...make_lines(rand, 1500), new Uint8Array([0x61, 0x62])]); // a last line without "\n"
        const ops = make_ops(rand, 1200, true);
        const [a, c] = await pair();
        try {
          const sending = send_chunks(a, data, rng(seed));
          sending.catch(() => {}); // awaited below; a failure above closes the socket under it
          const results = await run_ops(c, data, ops);
          await sending;
          check_kept(results, data);
        } finally {
          a.close();
          c.close();
        }
      }
    },
  });
}

Deno.test({
  name: "SocketFile.readline(), readline(limit), read(n) over random lines give what CPython's makefile('rb') gives",
  ignore: missing("python3"),
}, async () => {
  const rand = rng(424242);
  const data = concat(make_lines(rand, 3000));
  const ops = make_ops(rand, 2500, false);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/data`, data);
    await Deno.writeTextFile(`${dir}/ops.json`, JSON.stringify(ops));
    const twin = await cpython(`
data = open(${JSON.stringify(`${dir}/data`)}, "rb").read()
ops = json.load(open(${JSON.stringify(`${dir}/ops.json`)}))
a, c = pair(AF_INET)
def send():
    for off in range(0, len(data), 777):
        a.sendall(data[off:off + 777])
    a.close()
t = threading.Thread(target=send); t.start()
f = c.makefile("rb")
out = []
for op in ops + [["line"]] * 100000:
    if op[0] == "line": r = f.readline()
    elif op[0] == "limit": r = f.readline(op[1])
    else: r = f.read(op[1])
    out.append(r.hex())
    if op[0] == "line" and not r: break
t.join(); c.close()
print(json.dumps(out))
`) as string[];
    const [a, c] = await stream_pair(AF_INET);
    try {
      const sending = send_chunks(a, data, rng(5));
      sending.catch(() => {}); // awaited below; a failure above closes the socket under it
      const results = await run_ops(c, data, ops);
      await sending;
      assert.deepEqual(results.map(hex), twin);
      check_kept(results, data);
    } finally {
      a.close();
      c.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
