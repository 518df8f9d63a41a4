// adv17b A17b-3: an AF_UNIX stream peer that dies (closes with bytes unread: a reset) while a BLOCKING send/sendall
// waits for room. Linux's unix_stream_sendmsg, asleep in sock_alloc_send_pskb(), takes the pending ECONNRESET: the
// send raises ConnectionResetError when it had sent none of its bytes (BrokenPipeError for a sendall that had sent
// some), and the next recv returns the queued bytes, then b'' (no ConnectionResetError). A timed send (poll, then a
// non-blocking send) leaves the reset to the next recv. pysocket's recv raised ConnectionResetError in every mode.
// CPython twin, cell by cell (the peer's SHUT_RD is left out: pysocket's is its own, documented).

import assert from "node:assert/strict";
import { AF_UNIX, SHUT_RD, socket } from "../mod.ts";
import { cpython, sleep } from "./_twin.ts";
import { run_gc_child } from "./_socket_fixtures.ts";

const CELLS: [boolean, "send" | "sendall" | "sendfile", "blocking" | "timed", "reset"][] = [];
for (const prefill of [false, true]) {
  for (const op of ["send", "sendall", "sendfile"] as const) {
    for (const mode of ["blocking", "timed"] as const) {
      for (const end of ["reset"] as const) {
        // A blocking send() on a writer with room returns its short count at once in pysocket (Linux's blocks until
        // every byte is taken or the peer dies): documented, not compared.
        if (!prefill && op === "send" && mode === "blocking") continue;
        if (op === "sendfile" && mode === "timed") continue; // (CPython's timed sendfile: a loop of send(), as above)
        CELLS.push([prefill, op, mode, end]);
      }
    }
  }
}

// The row runs in a deno process of its own (R22-1, tests/fix22_reset_test.ts): Deno's close() is shutdown(SHUT_WR)
// then close(2), and while a child that another thread of the process is spawning (another test file's worker under
// `deno test --parallel`) holds a copy of the descriptor, only the shutdown takes effect at once: the reset comes
// late. Nothing but this row's own twin (awaited before the row starts) spawns there.
async function a17b_3(): Promise<void> {
  const fdir = await Deno.makeTempDir();
  const FILE = `${fdir}/data`;
  await Deno.writeFile(FILE, new Uint8Array(8 << 20));
  const py = await cpython(`
out = []
false, true = False, True
FILE = ${JSON.stringify(FILE)}
def fill(s):
    s.setblocking(False)
    try:
        for _ in range(1000): s.send(b"f" * 65536)
    except BlockingIOError: pass
    s.setblocking(True)
for prefill, op, mode, end in ${JSON.stringify(CELLS)}:
    me, peer = pair(AF_UNIX)
    peer.sendall(b"queued"); time.sleep(0.05)
    if prefill: fill(me)
    if mode == "timed": me.settimeout(2)
    res = []
    def run():
        try:
            if op == "sendfile":
                with open(FILE, "rb") as f: r = me.sendfile(f)
            else: r = getattr(me, op)(b"x" * (8 << 20))
            res.append("ok" if r is None else "partial" if r < (8 << 20) else "all")
        except Exception as e: res.append(type(e).__name__)
    t = threading.Thread(target=run); t.start(); time.sleep(0.3)
    if end == "reset": peer.close()
    else: peer.shutdown(SHUT_RD)
    t.join(5)
    me.settimeout(1); after = []
    for _ in range(2):
        try: after.append(me.recv(100).decode())
        except Exception as e: after.append(type(e).__name__)
    out.append([prefill, op, mode, end, res, after])
    me.close(); peer.close()
print(json.dumps(out))
`);
  const got: unknown[] = [];
  for (const [prefill, op, mode, end] of CELLS) {
    const dir = await Deno.makeTempDir();
    const l = socket(AF_UNIX);
    l.bind(`${dir}/s`);
    l.listen();
    const me = socket(AF_UNIX);
    await me.connect(l.getsockname());
    const [peer] = await l.accept();
    l.close();
    await peer.sendall(new TextEncoder().encode("queued"));
    await sleep(50);
    if (prefill) {
      me.setblocking(false);
      try {
        for (let i = 0; i < 1000; i++) await me.send(new Uint8Array(65536));
      } catch { /* full */ }
      me.setblocking(true);
    }
    if (mode === "timed") me.settimeout(2);
    const res: string[] = [];
    const big = new Uint8Array(8 << 20);
    let file: Deno.FsFile | null = null;
    if (op === "sendfile") file = await Deno.open(FILE);
    const p = (op === "send" ? me.send(big) : op === "sendall" ? me.sendall(big) : me.sendfile(file!)).then(
      (r) => res.push(r === undefined ? "ok" : (r as number) < big.length ? "partial" : "all"),
      (e) => res.push((e as Error).name),
    );
    await sleep(300);
    if (end === "reset") peer.close();
    else await peer.shutdown(SHUT_RD);
    await Promise.race([p, sleep(5000)]);
    me.settimeout(1);
    const after: string[] = [];
    for (let i = 0; i < 2; i++) {
      try {
        after.push(new TextDecoder().decode(await me.recv(100)));
      } catch (e) {
        after.push((e as Error).name);
      }
    }
    got.push([prefill, op, mode, end, res, after]);
    file?.close();
    me.close();
    peer.close();
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.remove(fdir, { recursive: true });
  assert.deepEqual(got, py);
}

if (import.meta.main && Deno.args[0] === "--own-process") {
  await a17b_3();
  console.log("A17b-3: passed");
}

Deno.test("AF_UNIX: a blocking send waiting for room when the peer dies takes the reset, as Linux's (A17b-3, twin)", async () => {
  const out = await run_gc_child(new URL(import.meta.url).pathname, ["--own-process"], 60_000);
  assert.equal(out.split("\n").at(-1), "A17b-3: passed");
});
