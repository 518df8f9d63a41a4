// adv14a: the sibling of A13b-4 (sends after a reset raise EPIPE) for the connection's names, beside CPython.
// A14a-5: after a read raised ConnectionResetError (the peer closed with SO_LINGER 0), getpeername() raises ENOTCONN,
//         as Linux's closed TCP socket does (shutdown() already said ENOTCONN); getsockname() still answers.

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, socket } from "../mod.ts";
import { cpython } from "./_twin.ts";
import { HAS_IPV6, sleep } from "./_socket_fixtures.ts";

const FAMS = HAS_IPV6 ? [AF_INET, AF_INET6] : [AF_INET];

/** A python3 peer that accepts and resets each connection (SO_LINGER 0) after 20 ms; its port. */
async function resetting_peer(fam: number): Promise<{ port: number } & AsyncDisposable> {
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      `
import struct, sys, time
from socket import *
fam = int(sys.argv[1]); l = socket(fam); l.bind(("::1" if fam == AF_INET6 else "127.0.0.1", 0)); l.listen(16)
print(l.getsockname()[1], flush=True)
for _ in range(16):
    s, _ = l.accept(); time.sleep(0.02)
    s.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); s.close()
`,
      String(fam),
    ],
    stdin: "null",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("python3 peer ended");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    port: parseInt(text),
    async [Symbol.asyncDispose]() {
      try {
        child.kill();
      } catch { /* gone */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

const out = async (fn: () => unknown) => {
  try {
    const r = await fn();
    return ["ok", r instanceof Uint8Array ? new TextDecoder().decode(r) : r ?? null];
  } catch (e) {
    const o = e as { name: string; errno?: number | null; message: string };
    return [o.name, o.errno ?? null, o.message];
  }
};

Deno.test("A14a-5: after a read raised ConnectionResetError, getpeername() raises ENOTCONN (TCP v4/v6, CPython twin)", async () => {
  const py = await cpython(`
def out(fn):
    try:
        r = fn(); return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e: return [type(e).__name__, getattr(e, "errno", None), str(e)]
R = {}
for fam in ${JSON.stringify(FAMS)}:
    for mode in ("blocking", "timed", "non-blocking"):
        l = socket(fam); l.bind(("::1" if fam == AF_INET6 else "127.0.0.1", 0)); l.listen()
        c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept()
        s.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); s.close(); time.sleep(0.1)
        c.settimeout(2)
        r = [out(lambda: c.recv(10))]
        if mode == "timed": c.settimeout(0.5)
        if mode == "non-blocking": c.setblocking(False)
        r += [out(lambda: c.getpeername() and "peer"), out(lambda: c.getsockname() and "own"), out(lambda: c.getpeername() and "peer"),
              out(lambda: c.shutdown(SHUT_RDWR))]
        R["%d %s" % (fam, mode)] = r
        c.close(); l.close()
print(json.dumps(R))
`) as Record<string, unknown>;
  const mine: Record<string, unknown> = {};
  for (const fam of FAMS) {
    await using peer = await resetting_peer(fam);
    for (const mode of ["blocking", "timed", "non-blocking"]) {
      const c = socket(fam);
      try {
        await c.connect([fam === AF_INET6 ? "::1" : "127.0.0.1", peer.port]);
        await sleep(150);
        c.settimeout(2);
        const r = [await out(() => c.recv(10))];
        if (mode === "timed") c.settimeout(0.5);
        if (mode === "non-blocking") c.setblocking(false);
        r.push(
          await out(() => c.getpeername() && "peer"),
          await out(() => c.getsockname() && "own"),
          await out(() => c.getpeername() && "peer"),
          await out(() => c.shutdown(2)),
        );
        mine[`${fam} ${mode}`] = r;
      } finally {
        c.close();
      }
    }
  }
  assert.deepEqual(mine, py);
});
