// fix19a, P13-3 (recv side): bytes a send()/sendall() on a socketpair (or a loopback TCP connection) in this process
// has taken are readable at once by the peer's non-blocking recv / MSG_DONTWAIT, as CPython's (its AF_UNIX send()
// puts them in the peer's queue before it returns). pysocket's non-blocking look gave Deno's read op one timer turn;
// under load (or after the process was descheduled) the op completed a turn later: BlockingIOError, a drain loop
// stopping short (6 to 11 of 2000 here). Now a non-blocking look gives it up to three turns while a same-process
// write is fresh (an idle socket's look still costs one). select() at timeout 0 likewise gives a read it armed more
// turns while a same-process write is fresh (selectors.ts, fix19a's patch applied at merge).

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, MSG_DONTWAIT, MSG_WAITALL, type Socket, socketpair } from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython, pair } from "./_twin.ts";

const MODES = ["blocking send", "blocking sendall", "timed send", "non-blocking send"] as const;
const N = 500;

const PY = (fam: string, look: string) => `
fam = ${fam}
a, b = socketpair() if fam == AF_UNIX else pair(fam)
b.setblocking(False)
out = []
for mode in ${JSON.stringify(MODES)}:
    a.settimeout({"blocking send": None, "blocking sendall": None, "timed send": 5, "non-blocking send": 0}[mode])
    missed = 0
    for i in range(${N}):
        msg = b"%03d" % (i % 1000) * 30
        if mode == "blocking sendall":
            a.sendall(msg)
        else:
            assert a.send(msg) == len(msg)
        ${look === "select" ? "if select.select([b], [], [], 0)[0] != [b]: missed += 1" : "pass"}
        got = b""
        try:
            got = b.recv(1000, MSG_DONTWAIT)
        except BlockingIOError:
            pass
        if got != msg:
            ${look === "select" ? "" : "missed += 1"}
            b.settimeout(5)
            got += b.recv(len(msg) - len(got), MSG_WAITALL)
            b.setblocking(False)
    out.append([mode, missed])
a.close(); b.close()
print(json.dumps(out))
`;

async function ours(fam: number, look: "recv" | "select"): Promise<[string, number][]> {
  const [a, b]: Socket[] = fam === AF_UNIX ? await socketpair() : await pair(fam);
  b!.setblocking(false);
  const out: [string, number][] = [];
  try {
    for (const mode of MODES) {
      a!.settimeout({ "blocking send": null, "blocking sendall": null, "timed send": 5, "non-blocking send": 0 }[mode]);
      let missed = 0;
      for (let i = 0; i < N; i++) {
        const msg = new TextEncoder().encode(String(i % 1000).padStart(3, "0").repeat(30));
        if (mode === "blocking sendall") await a!.sendall(msg);
        else assert.equal(await a!.send(msg), msg.length);
        if (look === "select" && (await select([b!], [], [], 0))[0].length !== 1) missed++;
        let got: Uint8Array = new Uint8Array(0);
        try {
          got = await b!.recv(1000, MSG_DONTWAIT);
        } catch (e) {
          if ((e as Error).name !== "BlockingIOError") throw e;
        }
        if (got.length !== msg.length) {
          if (look === "recv") missed++;
          b!.settimeout(5);
          await b!.recv(msg.length - got.length, MSG_WAITALL);
          b!.setblocking(false);
        }
      }
      out.push([mode, missed]);
    }
  } finally {
    a!.close();
    b!.close();
  }
  return out;
}

/**
 * The residual race (docs/limits.md): a look may still miss on a loaded machine, where the event loop stalls between
 * the send's write op and the peer's read op; before the fix 6 to 11 of 2,000 missed idle. At most 1% per mode.
 */
function within_residual(got: [string, number][], what: string): void {
  console.log(`  ${what}: pysocket misses per ${N}: ${JSON.stringify(got)} (CPython 0)`);
  for (const [mode, missed] of got) assert.ok(missed <= N / 100, `${what}, ${mode}: ${missed} of ${N} missed`);
}

for (const [name, fam, fam_py] of [["socketpair", AF_UNIX, "AF_UNIX"], ["TCP loopback", AF_INET, "AF_INET"]] as const) {
  Deno.test(`P13-3: ${name}: the peer's non-blocking recv(MSG_DONTWAIT) gets every message a send()/sendall() took, at once (${N} per mode, CPython twin)`, async () => {
    const py = await cpython(PY(fam_py, "recv")) as [string, number][];
    // CPython: 0 misses on a socketpair; on TCP loopback Linux does not strictly promise it (twin must show 0 too).
    const want = py.map(([m]) => [m, 0]);
    if (fam === AF_UNIX) assert.deepEqual(py, want);
    if (JSON.stringify(py) !== JSON.stringify(want)) {
      console.log(`  CPython itself missed on ${name}: ${JSON.stringify(py)}; row not compared`);
      return;
    }
    within_residual(await ours(fam, "recv"), name);
  });
}

Deno.test({
  name:
    "P13-3: socketpair: the peer's select(..., 0) reports a message a send() took as readable at once (CPython twin)",
  fn: async () => {
    const py = await cpython(PY("AF_UNIX", "select"));
    assert.deepEqual(py, (py as [string, number][]).map(([m]) => [m, 0]), "CPython misses none");
    within_residual(await ours(AF_UNIX, "select"), "socketpair select");
  },
});
