// Adversary 12b: socket files at the end of the stream, with a truncated multi-byte character or a reset (A11-6
// keeps the bytes read before a reset for the next read). A text file whose bytes end in a truncated character
// raises UnicodeDecodeError (RangeError here) at every later readline/iteration, as CPython's (its decoder keeps
// the byte pending); pysocket's raised once, then returned the text without that byte as if it were whole
// (A12b-3). Each case runs against a python3 peer that sends the bytes, then closes or resets (SO_LINGER 0), in
// CPython (the twin) and in pysocket, reading up to 6 times and stopping at the first empty result.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { cpython } from "./_twin.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
void missing;

const PEER = `
import struct, sys, time
from socket import *
c = create_connection(("127.0.0.1", int(sys.argv[1]))); c.sendall(bytes.fromhex(sys.argv[2])); time.sleep(0.1)
if sys.argv[3] == "reset": c.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0))
c.close()
`;

const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, "0")).join("");
const enc = (s: string) => [...new TextEncoder().encode(s)];

/** [mode, payload (hex), operation]. */
const CASES: [string, string, string][] = [
  ["r", hex([...enc("ab"), 0xc3]), "read"],
  ["r", hex([...enc("ab"), 0xc3]), "readline"],
  ["r", hex([...enc("l1\n"), 0xc3, 0xa9, 0x78, 0xc3]), "iter"],
  ["r", hex([...enc("l1\n"), 0xc3, 0xa9, 0x78, 0xc3]), "readlines"],
  ["r", hex([...enc("abcd"), 0xc3]), "readline3"],
  ["r", hex([...enc("ab"), 0xc3, 0xa9]), "read1"],
  ["rb", hex(enc("line1\npartial")), "readline5"],
  ["rb", hex(enc("abcdef")), "read2"],
];

function repr(r: unknown): string {
  if (r instanceof Uint8Array) return "b" + JSON.stringify([...r].map((x) => String.fromCharCode(x)).join(""));
  if (typeof r === "string") return JSON.stringify(r);
  if (Array.isArray(r)) return "[" + r.map(repr).join(", ") + "]";
  return String(r);
}

async function twin(end: string): Promise<unknown> {
  return await cpython(`
import subprocess
R = []
for mode, payload, op in ${JSON.stringify(CASES)}:
    l = create_server(("127.0.0.1", 0))
    p = subprocess.Popen([sys.executable, "-c", ${JSON.stringify(PEER)}, str(l.getsockname()[1]), payload, "${end}"])
    a, _ = l.accept(); l.close(); p.wait(); time.sleep(0.1)
    f = a.makefile(mode, **({"encoding": "utf-8"} if mode == "r" else {}))
    fn = {"read": f.read, "readline": f.readline, "readline3": lambda: f.readline(3), "readline5": lambda: f.readline(5),
          "iter": lambda: list(f), "readlines": f.readlines, "read1": lambda: f.read(1), "read2": lambda: f.read(2)}[op]
    def rp(r):
        if isinstance(r, bytes): return "b" + json.dumps(r.decode("latin-1"), ensure_ascii=False)
        if isinstance(r, str): return json.dumps(r, ensure_ascii=False)
        return "[" + ", ".join(rp(x) for x in r) + "]"
    got = []
    for _ in range(6):
        try:
            r = fn(); got.append(rp(r))
            if not r: break
        except Exception as e: got.append(type(e).__name__ + (": " + str(e) if isinstance(e, ValueError) else ""))
    R.append(got)
    f.close(); a.close()
print(json.dumps(R))
`);
}

async function ours(end: string): Promise<string[][]> {
  const R: string[][] = [];
  for (const [mode, payload, op] of CASES) {
    const l = create_server(["127.0.0.1", 0]);
    const p = new Deno.Command("python3", {
      args: ["-c", PEER, String((l.getsockname() as [string, number])[1]), payload, end],
      stdin: "null",
    }).spawn();
    const [a] = await l.accept();
    l.close();
    await p.status;
    await new Promise((r) => setTimeout(r, 100));
    const f = mode === "r" ? a.makefile("r", { encoding: "utf-8" }) : a.makefile("rb");
    const fns: Record<string, () => Promise<unknown>> = {
      read: () => f.read(),
      readline: () => f.readline(),
      readline3: () => f.readline(3),
      readline5: () => f.readline(5),
      iter: async () => {
        const o = [];
        for await (const x of f) o.push(x);
        return o;
      },
      readlines: () => f.readlines(),
      read1: () => f.read(1),
      read2: () => f.read(2),
    };
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        const r = await fns[op]!();
        got.push(repr(r));
        if (!(r as { length: number }).length) break;
      } catch (e) {
        const x = e as Error;
        // UnicodeDecodeError is a RangeError here (Python's ValueError).
        got.push(x instanceof RangeError ? `UnicodeDecodeError: ${x.message}` : x.name);
      }
    }
    R.push(got);
    await f.close();
    a.close();
  }
  return R;
}

test("adversary12b makefile: a truncated multi-byte character at EOF raises at every later readline/iteration, as CPython's (A12b-3)", async () => {
  const py = await twin("close");
  const got = await ours("close");
  assert.deepEqual(got, py);
  // The class: readline and iteration raise again and again, not the text without its last byte.
  assert.equal((py as string[][])[1]![5]!.split(":")[0], "UnicodeDecodeError");
});

test("adversary12b makefile: after a reset, the same reads as CPython's but for the kept bytes (A11-6), each seen once, then EOF (A12b-3)", async () => {
  const py = await twin("reset") as string[][];
  const got = await ours("reset");
  for (let i = 0; i < CASES.length; i++) {
    const [mode, , op] = CASES[i]!;
    const p = py[i]!, g = got[i]!;
    // CPython's buffered file drops the bytes it had before the reset; pysocket's keeps them (A11-6): one more
    // result right after the ConnectionResetError — those bytes once (undecodable in text: a truncated
    // character), then the same as CPython's.
    const kept =
      ({ "r read": /^UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3/, "rb readline5": /^b"al"$/ } as Record<
        string,
        RegExp
      >)[`${mode} ${op}`];
    if (kept) {
      const at = g.indexOf("ConnectionResetError");
      assert.ok(at >= 0 && p[at] === "ConnectionResetError", `${mode} ${op}`);
      assert.match(g[at + 1]!, kept, `${mode} ${op}`);
      assert.deepEqual([...g.slice(0, at + 1), ...g.slice(at + 2)], p, `${mode} ${op}`);
    } else assert.deepEqual(g, p, `${mode} ${op}`);
  }
});
