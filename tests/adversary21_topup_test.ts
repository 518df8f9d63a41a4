// adv21: the adversary of fix21 (A20-1's top-up read: while bytes wait unread in pysocket's buffer, a plain stream
// reader keeps one read in flight into its small buffer's tail). Every scenario where a top-up is in flight when the
// state changes (the peer's EOF or reset, shutdown() of each kind, setblocking/settimeout, detach/dup, makefile()
// readers in text and binary, MSG_WAITALL, MSG_TRUNC, MSG_PEEK, a big recv_into) is run beside CPython 3.11 (twin),
// over TCP, AF_UNIX and AF_INET6; a random mix of looks and takes against a peer sending random chunks checks that no
// byte is lost, duplicated or reordered; an idle select() over connections with top-ups in flight must not spin.
// Findings, fixed (each test below fails on the code it found them in, 051f9e4): A21-1 (a drain of buffered bytes by
// small reads waited an event-loop turn per call), A21-2 (a big recv_into after a blocking recv was capped by the
// top-up's tail; its select() case stays, documented and ignored), A21-3 (an idle connection kept its 4 KiB result
// slab while its top-up waited), A21-4 (a pooled big buffer turned the top-up off), A21-5 (a send after a reset the
// top-up met raised BrokenPipeError; now in the table, rows reset_send), A21-6 (recv(n)'s fast path, read1() and
// peek() skipped the top-up's settle turn).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  type Socket,
  socket,
  SOL_SOCKET,
} from "../mod.ts";
import { select } from "../selectors.ts";
import { HAS_IPV6, run_gc_child, test_needing } from "./_socket_fixtures.ts";
import { attempt, cpython, pair, pooled, rng, sleep } from "./_twin.ts";

const test = test_needing("python3");
const te = new TextEncoder(), td = new TextDecoder();
const enc = (s: string) => te.encode(s);

// ---- the twin table ------------------------------------------------------------------------------------------

const SCEN = [
  "reset", // the peer closes with unread data (a reset) while our top-up is in flight: recv x3
  "reset_soerr", // the same, SO_ERROR first
  "reset_send", // the same, a send first
  "reset_select", // the same, select() first
  "eof", // the peer's FIN while a top-up is in flight
  "shut_rd", // our SHUT_RD with a top-up in flight, the peer sends more
  "shut_wr",
  "shut_rdwr",
  "nonblock", // setblocking(False) with a top-up in flight
  "timeout", // settimeout() with a top-up in flight, recvfrom
  "rb_readline", // a binary file's readline over a socket with a top-up in flight
  "rb_read1",
  "rb_peek_read",
  "r_readline", // text
  "waitall",
  "trunc",
  "peek_peek",
  "recvmsg_short",
  "detach",
  "close",
  "big_into_select", // A21-2's documented part (ignored below): listed in KNOWN
  "big_into_recv", // A21-2, fixed
] as const;
const FAMS = ["tcp", "unix", ...(HAS_IPV6 ? ["tcp6"] : [])];
// Left out (pre-existing, not the top-up's: the same before fix21, documented in docs/limits.md): MSG_TRUNC on AF_UNIX
// (no such flag there), SHUT_RD on AF_UNIX and SHUT_RDWR (the peer's later bytes are still read, P13-1/P12-1).
const ROWS = SCEN.flatMap((s) =>
  FAMS.filter((f) => !(f === "unix" && (s === "trunc" || s === "shut_rd")) && s !== "shut_rdwr").map((f) => `${s}/${f}`)
);
/** Rows that differ (findings, ignored tests below): left out of the passing table, checked there. */
// A21-1..6 were fixed in _stream.ts/socket.ts/_makefile.ts; A21-2's select() case is a documented limit (a pending
// Deno read cannot be cancelled: the recv_into after a look and a take that emptied the buffer gets the top-up's tail).
const KNOWN = new Set(ROWS.filter((r) => r.startsWith("big_into_select")));

const PY = `
import selectors
def pair6():
    l = socket(AF_INET6); l.bind(("::1", 0)); l.listen()
    c = socket(AF_INET6); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
def recv3(s, n=100):
    return [attempt(lambda: s.recv(n)) for _ in range(3)]
def look(s):
    return len(select.select([s], [], [], 1)[0])
def row(name):
    sc, fam = name.split("/")
    c, s = pair6() if fam == "tcp6" else pair(AF_UNIX if fam == "unix" else AF_INET)
    out = []
    try:
        if sc.startswith("reset"):
            s.sendall(b"zz")  # never read by c: its close() resets
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"cd"); time.sleep(0.05); c.close(); time.sleep(0.1)
            if sc == "reset_soerr": out.append(s.getsockopt(SOL_SOCKET, SO_ERROR))
            if sc == "reset_send": out.append(attempt(lambda: s.send(b"x")))
            if sc == "reset_select": out.append(len(select.select([s], [], [], 0)[0]))
            out += recv3(s)
        elif sc == "eof":
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"cd"); c.shutdown(SHUT_WR); time.sleep(0.1)
            out += recv3(s)
        elif sc.startswith("shut_"):
            how = {"shut_rd": SHUT_RD, "shut_wr": SHUT_WR, "shut_rdwr": SHUT_RDWR}[sc]
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            s.shutdown(how); out.append(attempt(lambda: c.send(b"cd"))); time.sleep(0.1)
            s.settimeout(0.3)
            out += recv3(s)
            c.settimeout(0.3); out.append(attempt(lambda: c.recv(10)))
        elif sc == "nonblock":
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            s.setblocking(False); c.sendall(b"cd"); time.sleep(0.1)
            b = bytearray(100); out.append(attempt(lambda: bytes(b[:s.recv_into(b)])))
            out.append(attempt(lambda: s.recv(100)))
        elif sc == "timeout":
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            s.settimeout(0.2); c.sendall(b"cd"); time.sleep(0.1)
            out.append(attempt(lambda: s.recvfrom(100)[0]))
            out.append(attempt(lambda: s.recvfrom(100)[0]))
        elif sc.startswith("rb_") or sc.startswith("r_"):
            f = s.makefile("r", encoding="utf-8") if sc.startswith("r_") else s.makefile("rb")
            c.sendall(b"l1\\nl2"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"\\nl3\\n"); time.sleep(0.1)
            if sc.endswith("readline"): out += [attempt(f.readline) for _ in range(3)]
            elif sc == "rb_read1": out.append(attempt(lambda: f.read1(100)))
            else:
                out.append(attempt(lambda: f.peek(100)[:0])); out.append(attempt(lambda: f.read(9)))
            c.close(); out.append(attempt(f.read)); f.close()
        elif sc == "waitall":
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            t = threading.Timer(0.05, lambda: c.sendall(b"cdefghij")); t.start()
            out.append(attempt(lambda: s.recv(10, MSG_WAITALL))); t.join()
        elif sc == "trunc":
            c.sendall(b"abcdef"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"gh"); time.sleep(0.1)
            out.append(len(s.recv(3, MSG_TRUNC))); out.append(attempt(lambda: s.recv(100)))
        elif sc == "peek_peek":
            c.sendall(b"ab"); time.sleep(0.05); out.append(attempt(lambda: s.recv(100, MSG_PEEK)))
            c.sendall(b"cd"); time.sleep(0.1); out.append(attempt(lambda: s.recv(100, MSG_PEEK)))
            c.sendall(b"ef"); time.sleep(0.1); out.append(attempt(lambda: s.recv(100)))
        elif sc == "recvmsg_short":
            c.sendall(b"abc"); time.sleep(0.05); out.append(attempt(lambda: s.recv(1)))
            c.sendall(b"de"); time.sleep(0.1); out.append(attempt(lambda: s.recvmsg(2)[0]))
            out.append(attempt(lambda: s.recvmsg(100)[0]))
        elif sc in ("detach", "dup"):
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"cd"); time.sleep(0.1)
            if sc == "detach": s2 = socket(fileno=s.detach())
            else: s2 = s.dup(); s.close()
            out.append(attempt(lambda: s2.recv(100))); c.sendall(b"ef"); time.sleep(0.1)
            out.append(attempt(lambda: s2.recv(100))); s2.close()
        elif sc == "close":
            c.sendall(b"ab"); time.sleep(0.05); out.append(look(s))
            c.sendall(b"cd"); time.sleep(0.05); s.close()
            out.append(attempt(lambda: s.recv(100)))
        elif sc.startswith("big_into"):
            if sc == "big_into_select":
                c.sendall(b"ab"); time.sleep(0.05); out.append(look(s)); out.append(attempt(lambda: s.recv(100)))
            else:
                c.sendall(b"x" * 1000); out.append(len(s.recv(65536)))
            c.sendall(b"y" * 5000); time.sleep(0.1)
            out.append(s.recv_into(bytearray(65536)))
    finally:
        c.close(); s.close()
    return out
res = {}
def run(n):
    try: res[n] = row(n)
    except Exception as e: res[n] = ["raised", err(e)]
names = json.loads(sys.argv[1]) if len(sys.argv) > 1 else NAMES
for i in range(0, len(names), 32):
    ths = [threading.Thread(target=run, args=(n,)) for n in names[i:i + 32]]
    for t in ths: t.start()
    for t in ths: t.join(20)
print(json.dumps(res))
`;

/** A connected pair of the row's family ("tcp", "tcp6", "unix"). */
const pair_of = (fam: string): Promise<[Socket, Socket] & Disposable> =>
  pair(fam === "unix" ? AF_UNIX : fam === "tcp6" ? AF_INET6 : AF_INET);

const look = async (s: Socket) => (await select([s], [], [], 1))[0].length;
const recv3 = async (
  s: Socket,
) => [await attempt(() => s.recv(100)), await attempt(() => s.recv(100)), await attempt(() => s.recv(100))];
const empty = (b: Uint8Array) => b.subarray(0, 0);

/** The rest of a reset row, once the peer has reset (as the twin's). */
async function after_reset(sc: string, s: Socket): Promise<unknown[]> {
  const out: unknown[] = [];
  if (sc === "reset_soerr") out.push(s.getsockopt(SOL_SOCKET, SO_ERROR));
  if (sc === "reset_send") out.push(await attempt(() => s.send(enc("x"))));
  if (sc === "reset_select") out.push((await select([s], [], [], 0))[0].length);
  out.push(...await recv3(s));
  return out;
}

// A TCP peer that resets: pysocket's close() sends a FIN where Linux resets (documented, "pysocket seldom sends a TCP
// reset"), so the TCP reset rows' peer is a python3 process, closing with the "zz" it never read.
const RST_PEER = `
import sys, socket, time
fam = socket.AF_INET6 if sys.argv[1] == "tcp6" else socket.AF_INET
c = socket.socket(fam); c.connect(("::1" if fam == socket.AF_INET6 else "127.0.0.1", int(sys.argv[2])))
c.settimeout(10)
for _ in range(1000):  # "zz" came: left unread (Linux's MSG_PEEK | MSG_WAITALL waits for its timeout)
    if len(c.recv(2, socket.MSG_PEEK)) == 2: break
    time.sleep(0.01)
c.sendall(b"ab"); print("sent", flush=True)
sys.stdin.readline()
c.sendall(b"cd"); time.sleep(0.05); c.close(); print("done", flush=True)
`;

async function reset_row(sc: string, fam: string): Promise<unknown[]> {
  const l = socket(fam === "tcp6" ? AF_INET6 : AF_INET);
  l.bind([fam === "tcp6" ? "::1" : "127.0.0.1", 0]);
  l.listen();
  const child = new Deno.Command("python3", {
    args: ["-c", RST_PEER, fam, String(l.getsockname()[1])],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const line = async (want: string) => {
    for (let i = 0; i < 100 && !text.includes(want); i++) {
      const r = await lines.read();
      if (r.done) break;
      text += r.value;
    }
    assert.ok(text.includes(want), `the reset peer never said ${want}`);
  };
  const killer = setTimeout(() => child.kill(), 15_000);
  const [s] = await l.accept();
  l.close();
  const w = child.stdin.getWriter();
  try {
    const out: unknown[] = [];
    await s.sendall(enc("zz"));
    await line("sent");
    await sleep(50);
    out.push(await look(s));
    await w.write(enc("go\n"));
    await line("done");
    await sleep(100);
    out.push(...await after_reset(sc, s));
    return out;
  } finally {
    clearTimeout(killer);
    s.close();
    await w.close().catch(() => {});
    await lines.cancel().catch(() => {});
    await child.status;
  }
}

async function row(name: string): Promise<unknown[]> {
  const [sc, fam] = name.split("/") as [string, string];
  using p = await pair_of(fam);
  const [c, s] = p;
  const out: unknown[] = [];
  if (sc.startsWith("reset")) {
    if (fam !== "unix") return await reset_row(sc, fam);
    await s.sendall(enc("zz"));
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("cd"));
    await sleep(50);
    c.close();
    await sleep(100);
    out.push(...await after_reset(sc, s));
  } else if (sc === "eof") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("cd"));
    await c.shutdown(SHUT_WR);
    await sleep(100);
    out.push(...await recv3(s));
  } else if (sc.startsWith("shut_")) {
    const how = sc === "shut_rd" ? SHUT_RD : sc === "shut_wr" ? SHUT_WR : SHUT_RDWR;
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    await s.shutdown(how);
    out.push(await attempt(() => c.send(enc("cd"))));
    await sleep(100);
    s.settimeout(0.3);
    out.push(...await recv3(s));
    c.settimeout(0.3);
    out.push(await attempt(() => c.recv(10)));
  } else if (sc === "nonblock") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    s.setblocking(false);
    await c.sendall(enc("cd"));
    await sleep(100);
    const b = new Uint8Array(100);
    out.push(await attempt(async () => b.subarray(0, await s.recv_into(b))));
    out.push(await attempt(() => s.recv(100)));
  } else if (sc === "timeout") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    s.settimeout(0.2);
    await c.sendall(enc("cd"));
    await sleep(100);
    out.push(await attempt(async () => (await s.recvfrom(100))[0]));
    out.push(await attempt(async () => (await s.recvfrom(100))[0]));
  } else if (sc.startsWith("rb_") || sc.startsWith("r_")) {
    const f = sc.startsWith("r_") ? s.makefile("r", { encoding: "utf-8" }) : s.makefile("rb");
    await c.sendall(enc("l1\nl2"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("\nl3\n"));
    await sleep(100);
    // deno-lint-ignore no-explicit-any
    const fa = f as any;
    if (sc.endsWith("readline")) { for (let i = 0; i < 3; i++) out.push(await attempt(() => fa.readline())); }
    else if (sc === "rb_read1") out.push(await attempt(() => fa.read1(100)));
    else {
      out.push(await attempt(async () => empty(await fa.peek(100))));
      out.push(await attempt(() => fa.read(9)));
    }
    c.close();
    out.push(await attempt(() => fa.read()));
    await fa.close();
  } else if (sc === "waitall") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    const t = sleep(50).then(() => c.sendall(enc("cdefghij")));
    out.push(await attempt(() => s.recv(10, MSG_WAITALL)));
    await t;
  } else if (sc === "trunc") {
    await c.sendall(enc("abcdef"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("gh"));
    await sleep(100);
    out.push((await s.recv(3, MSG_TRUNC)).length);
    out.push(await attempt(() => s.recv(100)));
  } else if (sc === "peek_peek") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await attempt(() => s.recv(100, MSG_PEEK)));
    await c.sendall(enc("cd"));
    await sleep(100);
    out.push(await attempt(() => s.recv(100, MSG_PEEK)));
    await c.sendall(enc("ef"));
    await sleep(100);
    out.push(await attempt(() => s.recv(100)));
  } else if (sc === "recvmsg_short") {
    await c.sendall(enc("abc"));
    await sleep(50);
    out.push(await attempt(() => s.recv(1)));
    await c.sendall(enc("de"));
    await sleep(100);
    out.push(await attempt(async () => (await s.recvmsg(2))[0]));
    out.push(await attempt(async () => (await s.recvmsg(100))[0]));
  } else if (sc === "detach" || sc === "dup") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("cd"));
    await sleep(100);
    let s2: Socket;
    if (sc === "detach") s2 = socket({ fileno: s.detach() });
    else {
      s2 = s.dup();
      s.close();
    }
    out.push(await attempt(() => s2.recv(100)));
    await c.sendall(enc("ef"));
    await sleep(100);
    out.push(await attempt(() => s2.recv(100)));
    s2.close();
  } else if (sc === "close") {
    await c.sendall(enc("ab"));
    await sleep(50);
    out.push(await look(s));
    await c.sendall(enc("cd"));
    await sleep(50);
    s.close();
    out.push(await attempt(() => s.recv(100)));
  } else if (sc.startsWith("big_into")) {
    if (sc === "big_into_select") {
      await c.sendall(enc("ab"));
      await sleep(50);
      out.push(await look(s));
      out.push(await attempt(() => s.recv(100)));
    } else {
      await c.sendall(new Uint8Array(1000).fill(120));
      out.push((await s.recv(65536)).length);
    }
    await c.sendall(new Uint8Array(5000).fill(121));
    await sleep(100);
    out.push(await s.recv_into(new Uint8Array(65536)));
  }
  return out;
}

/** pysocket's side of the rows `names`, 32 at a time. */
async function rows_of(names: string[]): Promise<Record<string, unknown[]>> {
  const res: Record<string, unknown[]> = {};
  await pooled(names, 32, async (n) => {
    try {
      res[n] = await row(n);
    } catch (e) {
      res[n] = ["raised", [(e as Error).name, (e as { errno?: number }).errno ?? null]];
    }
  });
  return res;
}

// The AF_UNIX reset rows' pysocket side runs in a deno process of its own (R22-1, tests/fix22_reset_test.ts): the
// peer closes in-process with bytes unread while our top-up read is in flight, and Deno's close() is shutdown(SHUT_WR)
// then close(2): while a child that another thread of the process is spawning (another test file's worker under
// `deno test --parallel`, or this file's own python3 peers) holds a copy of the descriptor, only the shutdown takes
// effect at once, and the read in flight meets EOF before the reset. Nothing spawns in that process.
const own_process_row = (n: string) => n.startsWith("reset") && n.endsWith("/unix");

if (import.meta.main && Deno.args[0] === "--rows") {
  console.log(`rows: ${JSON.stringify(await rows_of(JSON.parse(Deno.args[1]!) as string[]))}`);
}

async function table(names: string[]): Promise<{ py: Record<string, unknown[]>; ts: Record<string, unknown[]> }> {
  const own = names.filter(own_process_row);
  const [py, ts, ts_own] = await Promise.all([
    cpython(`NAMES = ${JSON.stringify(names)}\n` + PY) as Promise<Record<string, unknown[]>>,
    rows_of(names.filter((n) => !own_process_row(n))),
    own.length === 0 ? {} : run_gc_child(new URL(import.meta.url).pathname, ["--rows", JSON.stringify(own)], 60_000)
      .then((out) =>
        JSON.parse(out.split("\n").find((l) => l.startsWith("rows: "))!.slice(6)) as Record<string, unknown[]>
      ),
  ]);
  return { py, ts: { ...ts, ...ts_own } };
}

function diffs(names: string[], py: Record<string, unknown[]>, ts: Record<string, unknown[]>): string[] {
  return names.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n])).map((n) =>
    `${n}: CPython ${JSON.stringify(py[n])}, pysocket ${JSON.stringify(ts[n])}`
  );
}

test("adv21: a top-up read in flight under every state change (EOF, reset, shutdown, mode, detach, files, flags) gives what CPython gives (twin)", async () => {
  let names = ROWS.filter((r) => !KNOWN.has(r));
  const count = names.length;
  let { py, ts } = await table(names);
  let bad = diffs(names, py, ts);
  for (let i = 0; i < 2 && bad.length > 0; i++) {
    // A loaded machine can deliver a top-up's bytes a turn after the row's sleep ends (A21-6: recv(n)'s fast path and
    // SHUT_RD's fill skip the settle turn): a differing row runs again with fewer beside it, both sides.
    const again = names.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n]));
    console.log(`  again on their own: ${bad.join("; ")}`);
    names = again;
    ({ py, ts } = await table(again));
    bad = diffs(again, py, ts);
  }
  assert.deepEqual(bad, []);
  console.log(`adv21: ${count} rows equal to CPython's`);
});

// ---- no byte lost, duplicated or reordered; no spin --------------------------------------------------------------

/** `total` random bytes; `c` sends them in random chunks (1 to 3,000 bytes) with random pauses. */
async function send_random(c: Socket, data: Uint8Array, seed: number): Promise<void> {
  const r = rng(seed);
  for (let off = 0, i = 0; off < data.length && i < 100_000; i++) {
    const k = Math.min(data.length - off, 1 + Math.floor(r() * 3000));
    await c.sendall(data.subarray(off, off + k));
    off += k;
    if (r() < 0.5) await sleep(Math.floor(r() * 3));
  }
}

function random_bytes(n: number, seed: number): Uint8Array {
  const r = rng(seed), out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

const BYTES = 60_000;
const is_err = (e: unknown, name: string) => (e as Error).name === name;

/** One receiver mixing every look and take (top-ups start and finish under them): the stream arrives whole. */
async function mix(fam: string, seed: number): Promise<string> {
  using p = await pair_of(fam);
  const [c, s] = p;
  const data = random_bytes(BYTES, seed);
  const sender = send_random(c, data, seed + 1);
  const r = rng(seed + 2);
  let got = 0, ops = 0;
  const check = (b: Uint8Array, take: boolean) => {
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== data[got + i]) throw new Error(`byte ${got + i} differs after ${ops} ops`);
    }
    if (take) got += b.length;
  };
  for (; got < BYTES && ops < 5000; ops++) {
    const op = Math.floor(r() * 10), n = 1 + Math.floor(r() * (r() < 0.05 ? 30_000 : 300));
    if (op === 0) await select([s], [], [], 0.02);
    else if (op === 1) check(await s.recv(n), true);
    else if (op === 2) check(await s.recv(n, MSG_PEEK), false);
    else if (op === 3) {
      const b = new Uint8Array(n);
      check(b.subarray(0, await s.recv_into(b)), true);
    } else if (op === 4 || op === 5) {
      if (op === 4) s.settimeout(0.005);
      else s.setblocking(false);
      try {
        check(await s.recv(n), true);
      } catch (e) {
        if (!is_err(e, "TimeoutError") && !is_err(e, "BlockingIOError")) throw e;
      } finally {
        s.settimeout(null);
      }
    } else if (op === 6) check((await s.recvmsg(n))[0], true);
    else if (op === 7) check(await s.recv(Math.min(n, BYTES - got), MSG_WAITALL), true);
    else if (op === 8) check((await s.recvfrom(n))[0], true);
    else await sleep(Math.floor(r() * 3));
  }
  await sender;
  c.close();
  const eof = [await attempt(() => s.recv(10)), await attempt(() => s.recv(10))];
  assert.deepEqual(eof, [["ok", ""], ["ok", ""]], `${fam}/${seed}: after the stream`);
  assert.equal(got, BYTES, `${fam}/${seed}: ${got} bytes in ${ops} ops`);
  return `${fam}/${seed}: ${ops} ops`;
}

Deno.test("adv21: one receiver mixing looks, peeks, timed, non-blocking, WAITALL and big takes gets the stream whole (TCP, AF_UNIX, AF_INET6)", async () => {
  const rows = FAMS.flatMap((f) => [1, 2].map((seed) => [f, seed] as const));
  const done = await Promise.all(rows.map(([f, seed]) => mix(f, seed * 7919)));
  console.log(`  ${done.join("; ")}`);
});

/** Several tasks taking at once (and one only looking): every byte once, in order of the takes. */
async function racers(fam: string, seed: number, lines: boolean): Promise<string> {
  using p = await pair_of(fam);
  const [c, s] = p;
  const data = random_bytes(BYTES, seed);
  if (lines) { for (let i = 0; i < data.length; i += 1 + (i % 97)) data[i] = 10; }
  const f = lines ? s.makefile("rb") : null;
  const sender = send_random(c, data, seed + 1);
  const chunks: Uint8Array[] = [];
  let got = 0, stop = false;
  const take = (b: Uint8Array) => {
    chunks.push(b.slice());
    got += b.length;
    return b.length > 0;
  };
  const r = rng(seed + 2);
  const taker = async (kind: number) => {
    for (let i = 0; i < 20_000; i++) {
      let b: Uint8Array;
      if (kind === 0) b = await s.recv(1 + Math.floor(r() * 2000));
      else if (kind === 1) {
        const v = new Uint8Array(1 + Math.floor(r() * 500));
        b = v.subarray(0, await s.recv_into(v));
      } else b = await f!.readline() as Uint8Array;
      if (!take(b)) return;
    }
  };
  const looker = async () => {
    for (let i = 0; i < 20_000 && !stop; i++) {
      await select([s], [], [], 0.01);
      await sleep(1);
    }
  };
  const tasks = [taker(0), taker(lines ? 2 : 1), looker()];
  await sender;
  for (let i = 0; i < 500 && got < BYTES; i++) await sleep(10);
  c.close(); // the takers still waiting read EOF
  stop = true;
  await Promise.all(tasks);
  if (f) await f.close();
  assert.equal(got, BYTES, `${fam}/${seed}: ${got} bytes`);
  // The chunks tile the stream. A task's result reaches it some microtasks after its take (a file's readline
  // returns through more frames than a recv), so the order they were recorded in may swap neighbours: each next
  // piece of the stream is looked for among the next few chunks recorded.
  const left = chunks.filter((b) => b.length > 0);
  let off = 0, swapped = 0;
  const at = (b: Uint8Array) => b.every((x, i) => x === data[off + i]);
  while (left.length > 0) {
    const i = left.slice(0, 6).findIndex(at);
    assert.ok(i >= 0, `${fam}/${seed}: no chunk recorded near byte ${off} continues the stream`);
    if (i > 0) swapped++;
    off += left.splice(i, 1)[0]!.length;
  }
  assert.equal(off, BYTES);
  return `${fam}/${seed}${lines ? "/readline" : ""}: ${chunks.length} takes (${swapped} recorded out of order)`;
}

Deno.test("adv21: recv + recv_into (+ select) and recv + a file's readline (+ select) at once: every byte once, in order", async () => {
  const rows = FAMS.flatMap((f) => [false, true].map((l) => [f, l] as const));
  const done = await Promise.all(rows.map(([f, l], i) => racers(f, 104729 + i, l)));
  console.log(`  ${done.join("; ")}`);
});

Deno.test("adv21: an idle select() over connections whose top-up reads wait spins nothing", async () => {
  // In a process of its own: a test file is a worker of `deno test --parallel`'s process, whose CPU the others share.
  const child = new URL("./_adversary21_idle.ts", import.meta.url).pathname;
  const r = JSON.parse((await run_gc_child(child, [], 60_000)).split("\n").at(-1)!) as {
    rounds: number;
    reported: number;
    cpu: number;
    reading: number;
  };
  console.log(
    `  40 idle connections, 1 s of select(0.25): ${r.rounds} rounds, ${r.reported} reported, ${r.cpu} ms CPU`,
  );
  assert.equal(r.reading, 40, "each reader has its top-up in flight");
  assert.equal(r.reported, 0);
  assert.ok(r.rounds <= 6, `select(0.25) returned ${r.rounds} times in 1 s`);
  assert.ok(r.cpu < 300, `${r.cpu} ms of CPU while idle`);
});

// ---- findings -------------------------------------------------------------------------------------------------

/** Run the twin table's rows of a finding; the differences (empty once fixed). */
async function known(prefix: RegExp): Promise<string[]> {
  const names = [...KNOWN].filter((r) => prefix.test(r));
  const { py, ts } = await table(names);
  return diffs(names, py, ts);
}

Deno.test({
  name:
    "adv21 A21-2 (documented): a recv_into(64 KiB) after a look and a take that emptied the buffer returns the top-up's tail",
  ignore: Deno.env.get("ADV21_RUN") !== "1",
  fn: async () => {
    // A21-2: a blocking recv (#wait_take's poll()) or a look followed by a take leaves a top-up read in flight with
    // nothing buffered: the reader is not idle, so recv_into's direct read (>= 16 KiB, blocking) is not used and the
    // call returns what the top-up's tail holds (3,096 of 5,000 bytes; before fix21: 5,000, as CPython).
    // Fixed for a blocking recv (poll_take(): its read starts no top-up); after a look the read stays in flight.
    assert.deepEqual(await known(/^big_into_select/), []);
  },
});
console.log(
  "ignored: A21-2's select() case (documented in docs/limits.md: a recv_into of 16 KiB or more after a look and a " +
    "take that emptied the buffer returns at most the top-up read's tail; a pending Deno read cannot be cancelled)",
);

const DRAIN = 1000;
const DRAIN_PY = `
c, s = pair(); c.sendall(b"x" * ${DRAIN}); time.sleep(0.05); select.select([s], [], [], 1)
b = bytearray(1); t0 = time.monotonic(); n = 0
while n < ${DRAIN}: n += s.recv_into(b)
print(json.dumps(round((time.monotonic() - t0) * 1000)))
`;

Deno.test({
  name:
    "adv21 A21-1 (fixed): draining buffered bytes by recv_into(1) with the peer idle costs no event-loop turn per call",
  fn: async () => {
    // A21-1: fill() gives a top-up read started over 1 ms ago a settles_now() turn before returning buffered bytes;
    // with the peer idle the top-up never completes, so every call waits a timer turn (~2.6 ms): 1,000 recv_into(1)
    // took 2.6 s (before fix21: 22 ms; CPython: ~7 ms). Also recvfrom/recvmsg/flagged recv and file reads.
    using p = await pair_of("tcp");
    const [c, s] = p;
    const py = await cpython(DRAIN_PY) as number;
    await c.sendall(new Uint8Array(DRAIN));
    await sleep(50);
    await look(s);
    const b = new Uint8Array(1);
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < 2 * DRAIN && n < DRAIN; i++) n += await s.recv_into(b);
    const ms = performance.now() - t0;
    console.log(`  ${DRAIN} recv_into(1): pysocket ${ms.toFixed(0)} ms, CPython ${py} ms`);
    assert.equal(n, DRAIN);
    assert.ok(ms < 1000, `${DRAIN} recv_into(1) of buffered bytes took ${ms.toFixed(0)} ms`);
  },
});

Deno.test({
  name:
    "adv21 A21-3 (fixed): a connection drained after a look keeps no more buffer while its top-up waits than before fix21",
  fn: async () => {
    // A21-3: a small take while 3,000 bytes were buffered made a 4 KiB result slab (#new_slab sizes it for what is
    // buffered); #read's drained-and-short branch drops it, but a drained reader now waits in a top-up, never in
    // #read: the idle connection keeps 8,192 bytes (before fix21: 4,096; after a plain blocking recv: 4,352).
    const caps: number[] = [];
    for (const fam of ["tcp", "unix"]) {
      using p = await pair_of(fam);
      const [c, s] = p;
      await c.sendall(new Uint8Array(3000));
      await look(s);
      await s.recv(10);
      await sleep(20);
      await s.recv(5000);
      await sleep(50);
      await select([s], [], [], 0);
      caps.push(s._stream_parts().reader.capacity);
    }
    assert.ok(caps.every((n) => n <= 4352), `idle capacity ${caps.join(", ")} bytes`);
  },
});

const POOL_PY = `
c1, s1 = pair(); c1.sendall(bytes(65536)); n = 0
while n < 65536: n += len(s1.recv(65536))
c, s = pair(); c.sendall(b"ab"); time.sleep(0.05); select.select([s], [], [], 1)
c.sendall(b"cdef"); time.sleep(0.1)
print(json.dumps(s.recv(100).decode()))
`;

Deno.test({
  name:
    "adv21 A21-4 (fixed): a recv after a look returns every byte that came, whatever another connection's burst left pooled",
  fn: async () => {
    // A21-4: #read takes the smallest pooled buffer >= 4 KiB; after another connection's 64 KiB burst the pool holds
    // a 64 KiB one, so a fresh connection's look reads into it, #top_up refuses (buffer > MIN_READ) and A20-1 is
    // back: "ab" (CPython: "abcdef"); the 2-byte connection also pins 64 KiB.
    using p1 = await pair_of("tcp");
    const [c1, s1] = p1;
    await c1.sendall(new Uint8Array(65536));
    let n = 0;
    for (let i = 0; i < 1000 && n < 65536; i++) n += (await s1.recv(65536)).length;
    await c1.sendall(enc("x"));
    await s1.recv(10); // a short read: the burst's big buffer goes to the pool
    using p = await pair_of("tcp");
    const [c, s] = p;
    const py = cpython(POOL_PY);
    await c.sendall(enc("ab"));
    await sleep(50);
    await look(s);
    await c.sendall(enc("cdef"));
    await sleep(100);
    const got = td.decode(await s.recv(100));
    console.log(`  capacity of the 6-byte connection: ${s._stream_parts().reader.capacity}`);
    assert.equal(got, await py);
  },
});

const BUSY_PY = `
out = {}
for how in ["recv", "recv_into", "read1", "readline", "peek"]:
    c, s = pair(); f = s.makefile("rb")
    c.sendall(b"ab"); time.sleep(0.05); select.select([s], [], [], 1); time.sleep(0.005)
    c.sendall(b"cd\\n"); time.sleep(0.05)
    if how == "recv": got = s.recv(100)
    elif how == "recv_into": b = bytearray(100); got = bytes(b[:s.recv_into(b)])
    elif how == "read1": got = f.read1(100)
    elif how == "readline": got = f.readline()
    else: got = f.peek(100)
    out[how] = got.decode(); f.close(); c.close(); s.close()
print(json.dumps(out))
`;

Deno.test({
  name:
    "adv21 A21-6 (fixed): after 50 ms of CPU work, recv(n), a file's read1() and peek() return what the kernel has, as CPython's",
  fn: async () => {
    // A21-6: the top-up's completion is delivered an event-loop turn after the kernel has the bytes; fill() gives it
    // that turn (settles_now), but recv(n)'s buffered fast path (socket.ts) and the file's read1()/peek() (_makefile.ts)
    // take buffered bytes without calling fill(): a program busy for 50 ms gets "ab" where CPython's gets "abcd\n"
    // (recv_into and readline, which go through fill(), agree).
    const py = cpython(BUSY_PY);
    const busy = (ms: number) => {
      const t = performance.now() + ms;
      while (performance.now() < t) { /* a program's own CPU work: no event-loop turn */ }
    };
    const out: Record<string, string> = {};
    for (const how of ["recv", "recv_into", "read1", "readline", "peek"]) {
      using p = await pair_of("tcp");
      const [c, s] = p;
      const f = s.makefile("rb");
      await c.sendall(enc("ab"));
      await sleep(50);
      await look(s);
      await sleep(5);
      await c.sendall(enc("cd\n"));
      busy(50);
      if (how === "recv") out[how] = td.decode(await s.recv(100));
      else if (how === "recv_into") {
        const b = new Uint8Array(100);
        out[how] = td.decode(b.subarray(0, await s.recv_into(b)));
      } else if (how === "read1") out[how] = td.decode(await f.read1(100));
      else if (how === "readline") out[how] = td.decode(await f.readline() as Uint8Array);
      else out[how] = td.decode(await f.peek(100));
      await f.close();
    }
    assert.deepEqual(out, await py);
  },
});
