// adv16b A16b-2: an AF_UNIX datagram send waiting for room (the receiver's queue full, or an earlier send still
// in flight) was not ended by shutdown(SHUT_WR)/shutdown(SHUT_RDWR) from another task: a blocking send waited
// until the receiver read, then SENT its datagram after the shutdown (or forever, if it never read); a timed one
// raised TimeoutError. Linux's unix_dgram_sendmsg checks SEND_SHUTDOWN each time it wakes: CPython's blocked
// thread raises BrokenPipeError (EPIPE), at once when it waits for its own send buffer, else when the receiver
// reads; nothing is sent after the shutdown. pysocket now raises EPIPE at once.
// Found by the generated matrix (tests/adversary16b_matrix_test.ts, cells dgram/pair/send_dgram/*/shut_*).

import assert from "node:assert/strict";
import { AF_UNIX, SHUT_RDWR, SHUT_WR, SOCK_DGRAM, socketpair } from "../mod.ts";
import { cpython } from "./_twin.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function err3(e: unknown): unknown[] {
  const o = e as { name?: string; errno?: number | null; message?: string };
  return [o.name ?? String(e), o.errno ?? null, o.message ?? String(e)];
}

Deno.test("A16b-2: shutdown(SHUT_WR/SHUT_RDWR) wakes an AF_UNIX datagram send waiting for room with BrokenPipeError (CPython twin)", async () => {
  const py = await cpython(`
def err3(e): return [type(e).__name__, getattr(e, "errno", None), str(e)]
out = {}
for mode in ("block", "timed"):
    for how in (SHUT_WR, SHUT_RDWR):
        a, b = socketpair(AF_UNIX, SOCK_DGRAM)
        a.setblocking(False)
        for _ in range(20000):
            try: a.send(b"d" * 100)
            except BlockingIOError: break
        a.settimeout(None if mode == "block" else 3)
        got = []
        def run():
            try: a.send(b"q" * 100); got.append(["ok"])
            except Exception as e: got.append(err3(e))
        t = threading.Thread(target=run, daemon=True); t.start(); time.sleep(0.25)
        a.shutdown(how); time.sleep(0.3)
        b.setblocking(False)
        n = 0
        try:
            while True:
                if b.recv(200) == b"q" * 100: n += 1
        except BlockingIOError: pass
        t.join(2)
        a.setblocking(False)
        out["%s/%d" % (mode, how)] = [got[:1], n, attempt(lambda: a.send(b"z"))[:2]]
        a.close(); b.close()
print(json.dumps(out))
`) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const mode of ["block", "timed"]) {
    for (const how of [SHUT_WR, SHUT_RDWR]) {
      const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
      a.setblocking(false);
      for (let round = 0; round < 50; round++) {
        let took = 0;
        for (let i = 0; i < 20000; i++) {
          try {
            await a.send(new Uint8Array(100));
            took++;
          } catch {
            break;
          }
        }
        if (took === 0) break;
        await sleep(50);
      }
      a.settimeout(mode === "block" ? null : 3);
      const got: unknown[] = [];
      const p = a.send(new Uint8Array(100).fill(0x71)).then(() => got.push(["ok"]), (e) => got.push(err3(e)));
      await sleep(250);
      await a.shutdown(how);
      await sleep(300);
      // The receiver reads everything: a send still waiting may go now (it must not: the socket is shut).
      b.setblocking(false);
      let n = 0;
      for (let i = 0; i < 100_000; i++) {
        try {
          const d = await b.recv(200);
          if (d.length === 100 && d[0] === 0x71) n++;
        } catch {
          break;
        }
      }
      await Promise.race([p, sleep(2000)]);
      a.setblocking(false);
      let after: unknown[];
      try {
        after = ["ok", await a.send(new Uint8Array(1))];
      } catch (e) {
        after = err3(e).slice(0, 2);
      }
      out[`${mode}/${how}`] = [got.slice(0, 1), n, after];
      a.close();
      b.close();
      await Promise.race([p, sleep(2000)]);
    }
  }
  assert.deepEqual(out, py);
  assert.deepEqual(out["block/1"], [[["BrokenPipeError", 32, "[Errno 32] Broken pipe"]], 0, ["BrokenPipeError", 32]]);
});
