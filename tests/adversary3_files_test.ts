// Adversary round 4 (adv4), socket files: what each makefile() mode and buffering raises for a method of the
// wrong direction and for every method of a closed file, against CPython's io classes (BufferedReader,
// BufferedWriter, BufferedRWPair, SocketIO, TextIOWrapper). Finding A4-2: flush() and writelines() of a closed
// file succeeded silently (CPython: ValueError), and the messages were not CPython's ("read of closed file",
// "write", "File or stream is not readable.", …). Python's io.UnsupportedOperation is both an OSError and a
// ValueError; here it is an OSError (JavaScript has no multiple inheritance), so the table prints it as OSError.

import assert from "node:assert/strict";
import { OSError, socketpair } from "../mod.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");

const MODES: [string, number][] = [
  ["rb", -1],
  ["rb", 0],
  ["wb", -1],
  ["wb", 0],
  ["r", -1],
  ["w", -1],
  ["rwb", -1],
  ["rwb", 0],
  ["rw", -1],
];
const OPS = ["read", "readline", "write", "flush", "readinto", "read1", "readlines", "writelines", "close"];

test("adversary3: socket files raise CPython's errors for the wrong direction and after close (finding A4-2)", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const want = await cpython(`
a, b = socketpair()
out = []
def kind(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return "OSError: " + str(e)
    except ValueError as e:
        return "ValueError: " + str(e)
for mode, buf in ${JSON.stringify(MODES)}:
    f = a.makefile(mode, buffering=buf)
    data = b"x" if "b" in mode else "x"
    if "w" not in mode:
        out.append([mode, buf, "open write", kind(lambda: f.write(data))])
    if "r" not in mode:
        out.append([mode, buf, "open read", kind(lambda: f.read(1))])
    f.close()
    args = {"read": (), "readline": (), "write": (data,), "flush": (), "readinto": (bytearray(1),),
            "read1": (1,), "readlines": (), "writelines": ([],), "close": ()}
    for op in ${JSON.stringify(OPS)}:
        if op in ("readinto", "read1") and "b" not in mode: continue
        if op == "read1" and buf == 0: continue
        out.append([mode, buf, "closed " + op, kind(lambda: getattr(f, op)(*args[op]))])
a.close(); b.close()
print(json.dumps(out))
`);
  const [a, b] = await socketpair();
  const got: unknown[] = [];
  const kind = async (fn: () => unknown) => {
    try {
      await fn();
      return "ok";
    } catch (e) {
      if (e instanceof OSError) return `OSError: ${e.message}`;
      if (e instanceof RangeError) return `ValueError: ${e.message}`;
      throw e;
    }
  };
  try {
    for (const [mode, buf] of MODES) {
      const f = a.makefile(mode as "rb", buf);
      const data = mode.includes("b") ? new Uint8Array([120]) : "x";
      if (!mode.includes("w")) got.push([mode, buf, "open write", await kind(() => f.write(data))]);
      if (!mode.includes("r")) got.push([mode, buf, "open read", await kind(() => f.read(1))]);
      await f.close();
      const calls: Record<string, () => unknown> = {
        read: () => f.read(),
        readline: () => f.readline(),
        write: () => f.write(data),
        flush: () => f.flush(),
        readinto: () => f.readinto(new Uint8Array(1)),
        read1: () => f.read1(1),
        readlines: () => f.readlines(),
        writelines: () => f.writelines([]),
        close: () => f.close(),
      };
      for (const op of OPS) {
        if ((op === "readinto" || op === "read1") && !mode.includes("b")) continue;
        if (op === "read1" && buf === 0) continue;
        got.push([mode, buf, `closed ${op}`, await kind(calls[op]!)]);
      }
    }
  } finally {
    a.close();
    b.close();
  }
  assert.deepEqual(got, want);
});
