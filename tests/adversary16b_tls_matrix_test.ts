// adv16b: the TLS side of the generated waiter matrix (tests/adversary16b_matrix_test.ts), against CPython 3.11.
// Waiters on an SSLSocket client in one task (a thread in CPython): recv, sendall of 32 MiB to a server that never
// reads, do_handshake() against a TCP server that never speaks (unwrap() is left out: it raises EOPNOTSUPP at once
// by design, docs/limits.md). State changes after 0.25 s: close(), shutdown(SHUT_RDWR), settimeout(None), the peer's close, the
// peer sending (TLS data; plain bytes for the handshake), nothing (a timed call's timeout expires). Modes: blocking,
// timed (1.2 s). Compared: the waiter's outcome (class, errno; str(e) for non-SSL errors: _ssl.c line numbers differ,
// documented), "waiting" at 2.2 s, and after: fileno() == -1 and a timed recv's outcome.
// CPython's races are not compared: close() under a waiting call (Linux does not wake a thread blocked on a
// descriptor another thread closed; pysocket's waiter raises EBADF).

import assert from "node:assert/strict";
import { create_server, SHUT_RDWR, type Socket, socket } from "../mod.ts";
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext, type SSLSocket } from "../ssl.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { localhost_cert } from "./_ssl_fixtures.ts";
import { cpython, pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");
const { cert: CERT, key: KEY } = await localhost_cert("pysocket-adv16b-tls-", { make: !missing("openssl") });

const WAITERS = ["recv", "sendall", "do_handshake"];
const CHANGES = ["close", "shut_rdwr", "settimeout_none", "peer_close", "peer_send", "none"];
const MODES = ["block", "timed"];
// Ordered so that each batch of twelve holds four cells of each waiter: twelve 32 MiB sendall cells at once kept one
// event loop busy encrypting for over a second on a loaded CI machine (a timed cell's 1.2 s then expired before its
// 0.25 s change).
const CELLS = CHANGES.flatMap((c) => MODES.flatMap((m) => WAITERS.map((w) => `${w}/${c}/${m}`)));
/** A change later than this (seconds after the waiter started) breaks the cell's premise (a loaded machine). */
const LATE = 0.7;

const PY = `
import ssl
CERT, KEY = ${JSON.stringify(CERT)}, ${JSON.stringify(KEY)}
T_CHANGE, T_TIMEOUT, T_DEADLINE = 0.25, 1.2, 2.2
def err3(e):
    return [type(e).__name__, getattr(e, "errno", None), None if isinstance(e, ssl.SSLError) else str(e)]
def run_cell(cell, res):
    w, ch, mode = cell.split("/")
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(CERT, KEY)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    raw = socket(); raw.connect(l.getsockname()); peer, _ = l.accept(); l.close()
    if w == "do_handshake":
        c = cctx.wrap_socket(raw, do_handshake_on_connect=False)
    else:
        box = []
        t = threading.Thread(target=lambda: box.append(sctx.wrap_socket(peer, server_side=True))); t.start()
        c = cctx.wrap_socket(raw); t.join(); peer = box[0]
    c.settimeout(None if mode == "block" else T_TIMEOUT)
    fn = {"recv": lambda: c.recv(100).decode(), "sendall": lambda: c.sendall(b"x" * (32 << 20)),
          "do_handshake": lambda: c.do_handshake(), "unwrap": lambda: c.unwrap() and "unwrapped"}[w]
    got = []
    def run():
        try: got.append(["ok", fn()])
        except Exception as e: got.append(err3(e))
    t0 = time.monotonic(); th = threading.Thread(target=run, daemon=True); th.start(); time.sleep(T_CHANGE)
    early = bool(got); slept = time.monotonic() - t0
    try:
        if ch == "close": c.close()
        elif ch == "shut_rdwr": c.shutdown(SHUT_RDWR)
        elif ch == "settimeout_none": c.settimeout(None)
        elif ch == "peer_close": peer.close()
        elif ch == "peer_send": peer.sendall(b"hello")
        cr = ["ok"]
    except Exception as e:
        cr = err3(e)
    th.join(T_DEADLINE - T_CHANGE)
    out = "waiting" if not got else (["early", got[0]] if early else got[0])
    after = [c.fileno() == -1]
    try:
        c.settimeout(0.2); after.append(["ok", c.recv(100).decode()])
    except Exception as e:
        after.append(err3(e))
    res[cell] = {"out": out, "change": cr, "after": after}
    if slept > ${LATE}: res[cell]["late"] = round(slept, 2)
    for x in (c, peer, raw):
        try: x.close()
        except Exception: pass
res = {}
cells = __CELLS__
# Twelve cells at a time: all 36 at once raced under CI's load (a peer's handshake thread late past the cell's wait).
for i in range(0, len(cells), 12):
    ths = [threading.Thread(target=run_cell, args=(c, res), daemon=True) for c in cells[i:i + 12]]
    for t in ths: t.start()
    for t in ths: t.join(30)
print(json.dumps(res))
sys.stdout.flush()
os._exit(0)
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function err3(e: unknown): unknown[] {
  const o = e as { name?: string; errno?: number | null; message?: string };
  const ssl = (o.name ?? "").startsWith("SSL");
  return [o.name ?? String(e), o.errno ?? null, ssl ? null : o.message ?? String(e)];
}

async function run_cell(cell: string, res: Record<string, unknown>) {
  const [w, ch, mode] = cell.split("/");
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(CERT, KEY);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  cctx.check_hostname = false;
  cctx.verify_mode = CERT_NONE;
  const l = create_server(["127.0.0.1", 0]);
  const raw = socket();
  await raw.connect(l.getsockname());
  let [peer] = await l.accept();
  l.close();
  let c: SSLSocket;
  if (w === "do_handshake") c = await cctx.wrap_socket(raw, { do_handshake_on_connect: false });
  else {
    const p = sctx.wrap_socket(peer, true);
    c = await cctx.wrap_socket(raw);
    peer = await p as Socket;
  }
  c.settimeout(mode === "block" ? null : 1.2);
  const fn: () => Promise<unknown> = {
    recv: async () => new TextDecoder().decode(await c.recv(100)),
    sendall: () => c.sendall(new Uint8Array(32 << 20)),
    do_handshake: () => c.do_handshake(),
    unwrap: async () => (await c.unwrap()) && "unwrapped",
  }[w!]!;
  const got: unknown[] = [];
  const t0 = performance.now();
  const p = fn().then((v) => got.push(["ok", v ?? null]), (e) => got.push(err3(e)));
  await sleep(250);
  const early = got.length > 0, slept = (performance.now() - t0) / 1000;
  let cr: unknown[];
  try {
    if (ch === "close") c.close();
    else if (ch === "shut_rdwr") await c.shutdown(SHUT_RDWR);
    else if (ch === "settimeout_none") c.settimeout(null);
    else if (ch === "peer_close") peer.close();
    else if (ch === "peer_send") await peer.sendall(new TextEncoder().encode("hello"));
    cr = ["ok"];
  } catch (e) {
    cr = err3(e);
  }
  await Promise.race([p, sleep(1950)]);
  const out = got.length === 0 ? "waiting" : early ? ["early", got[0]] : got[0];
  const after: unknown[] = [c.fileno() === -1];
  try {
    c.settimeout(0.2);
    after.push(["ok", new TextDecoder().decode(await c.recv(100))]);
  } catch (e) {
    after.push(err3(e));
  }
  res[cell] = slept > LATE
    ? { out, change: cr, after, late: Math.round(slept * 100) / 100 }
    : { out, change: cr, after };
  for (const x of [c, peer, raw]) {
    try {
      x.close();
    } catch { /* cleanup */ }
  }
  await Promise.race([p, sleep(3000)]);
  if (got.length === 0) (res[cell] as Record<string, unknown>).stuck_after_close = true;
}

/** Both twins over `cells`, twelve cells at a time each. */
function run_both(
  cells: string[],
): Promise<[Record<string, Record<string, unknown>>, Record<string, Record<string, unknown>>]> {
  return Promise.all([
    cpython(PY.replace("__CELLS__", JSON.stringify(cells))) as Promise<Record<string, Record<string, unknown>>>,
    (async () => {
      const res: Record<string, Record<string, unknown>> = {};
      await pooled(cells, 12, (c) => run_cell(c, res));
      return res;
    })(),
  ]);
}

/** The documented difference (docs/limits.md) that explains a cell's two outcomes, if one does. */
function documented(cell: string, p: Record<string, unknown>, t: Record<string, unknown>): string | undefined {
  const [w, ch] = cell.split("/");
  const o = p.out as unknown[] | string, tout = t.out as unknown[] | string;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return [
    // CPython's race: a thread blocked on a descriptor another thread closed keeps waiting (to its timeout), or
    // its SSL call meets the closed descriptor; pysocket's waiter raises EBADF (limits.md).
    ch === "close" && same(tout, ["OSError", 9, "[Errno 9] Bad file descriptor"]) && same(p.after, t.after) &&
    "CPython's close() race",
    // A TLS send after the connection is gone raises BrokenPipeError (CPython SSLEOFError) (limits.md); after our own
    // SHUT_RDWR CPython's recv returns raw bytes (undecodable), pysocket's b''.
    w === "sendall" && (ch === "shut_rdwr" || ch === "peer_close") && Array.isArray(o) && o[0] === "SSLEOFError" &&
    Array.isArray(tout) && tout[1] === 32 && "TLS send after the connection is gone: BrokenPipeError (limits.md)",
    // The same send's outcome equal, and only the read after our own SHUT_RDWR differs: CPython's reads the raw
    // bytes left in the kernel (undecodable), pysocket's b'' (limits.md).
    w === "sendall" && ch === "shut_rdwr" && same(o, tout) &&
    ((p.after as unknown[])[1] as unknown[] | undefined)?.[0] === "UnicodeDecodeError" &&
    same((t.after as unknown[])[1], ["ok", ""]) && "a read after our own SHUT_RDWR: CPython's raw bytes (limits.md)",
    // pysocket's peer closes with a FIN where CPython's resets (the ClientHello unread) (limits.md: pysocket seldom
    // sends a TCP reset); and a read after a failed handshake raises its error again (A16b-5; CPython's reads b'').
    w === "do_handshake" && (same(o, tout) || (ch === "peer_close" && Array.isArray(o) && o[1] === 104)) &&
    Array.isArray(tout) && same((p.after as unknown[])[1], ["ok", ""]) && same((t.after as unknown[])[1], tout) &&
    "a read after a failed handshake raises the handshake's error again (A16b-5)",
  ].find((r) => typeof r === "string") as string | undefined;
}

test("adv16b: TLS waiters (recv, sendall, do_handshake) x state changes x blocking/timed against CPython 3.11 (twin)", async () => {
  const [py, ts] = await run_both(CELLS);
  // Under a loaded machine a cell's outcome after a timed-out or broken TLS write, or a handshake racing its 0.25 s
  // change, can differ between two CPython runs: a cell that differs is run again on its own (both twins) and fails
  // only if it differs twice.
  let matched = 0;
  const ignored: string[] = [];
  const loaded: string[] = [];
  const bad: string[] = [];
  // A cell a twin did not finish (its thread still waited at the join's end, a loaded machine) is run again.
  const missing: Record<string, unknown> = { out: "missing: the twin did not finish this cell" };
  for (const cell of CELLS) {
    let p = py[cell] ?? missing, t = ts[cell] ?? missing;
    assert.ok(!t.stuck_after_close, `${cell}: the waiter still waited 3 s after its socket was closed`);
    if (p.late !== undefined || t.late !== undefined) {
      // The change came late (the machine was loaded): the cell's premise failed, so it is run again on its own.
      const again = await run_both([cell]);
      const [p2, t2] = [again[0][cell] ?? missing, again[1][cell] ?? missing];
      if (p2.late !== undefined || t2.late !== undefined) {
        loaded.push(`${cell} (the 0.25 s change came at ${p2.late ?? "-"} s in CPython, ${t2.late ?? "-"} s here)`);
        continue;
      }
      [p, t] = [p2, t2];
    }
    if (JSON.stringify(p) === JSON.stringify(t)) {
      matched++;
      continue;
    }
    const rule = documented(cell, p, t);
    if (rule) {
      ignored.push(`${cell} (${rule})`);
      continue;
    }
    // Run again on its own (both twins), away from the other cells' load.
    const again = await run_both([cell]);
    // CPython's own outcome of a cell can vary under load (a timed TLS write racing the change): pysocket's passes
    // when it is an outcome CPython gave for the cell, in either run.
    const theirs = [p, again[0][cell]].map((x) => JSON.stringify(x));
    if (theirs.includes(JSON.stringify(t)) || theirs.includes(JSON.stringify(again[1][cell]))) {
      matched++;
      continue;
    }
    // The first run's CPython twin did not finish (or differed), and the second pair differs by a documented rule.
    const rule2 = again[0][cell] && again[1][cell] ? documented(cell, again[0][cell], again[1][cell]) : undefined;
    if (rule2) {
      ignored.push(`${cell} (run again: ${rule2})`);
      continue;
    }
    bad.push(`${cell}\n  CPython ${JSON.stringify(p)}\n  pysocket ${JSON.stringify(t)}`);
  }
  console.log(`adv16b TLS matrix: ${CELLS.length} cells, ${matched} match CPython exactly`);
  for (const i of ignored) console.log(`  ignored (documented): ${i}`);
  // Printed, not failed: a cell whose change came late twice tested nothing (its timeout could expire first).
  for (const l of loaded) console.log(`  not compared (machine loaded twice): ${l}`);
  assert.ok(loaded.length <= 6, `${loaded.length} cells ran late twice: the machine is too loaded for this matrix`);
  assert.deepEqual(bad, [], `cells that differ from CPython:\n${bad.join("\n")}`);
});
