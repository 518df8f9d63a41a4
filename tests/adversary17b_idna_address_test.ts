// adv17b A17b-2: a non-ASCII host in an address tuple (connect, connect_ex, sendto; bind's converter is the same) goes
// through CPython's idna codec, as CPython's getsockaddrarg/idna_converter does: a name the codec refuses raises
// TypeError("encoding of hostname failed") before any lookup, and the resolver sees the encoded name ("xn--..."). pysocket
// gave the name to the resolver as given (and so refused nothing). The python3 twin only calls its socket functions
// for rows that raise before any lookup; the others give str.encode("idna"). pysocket's lookups go to the resolver
// seam (no lookup leaves the process); bind is left out here, as Deno's own resolver would see the name.

import assert from "node:assert/strict";
import { AF_INET, SOCK_DGRAM, socket } from "../mod.ts";
import { _set_lookup_for_tests } from "../_resolve.ts";
import { python_json } from "./_twin.ts";

const HOSTS = [
  "bücher.localhost",
  "ＡＢＣ.ü",
  "a。b．ü",
  "ü\u0000",
  "ü\u0000.a",
  "xn--ü",
  "XN--ü",
  "ü..a",
  ".ü",
  "ü".repeat(64),
  "a".repeat(64) + ".ü",
  "\ud800ü",
  "\u180e",
  "\u200bü",
  "\u06dd",
  "אבגa",
  "١٢٧.0.0.1",
];
const OPS = ["connect", "connect_ex", "sendto"] as const;

const PY = `
import json, socket, sys
hosts, ops = json.load(sys.stdin)
out = []
for h in hosts:
    try:
        enc = h.encode("idna").decode("ascii")
    except UnicodeError:
        enc = None
    row = []
    for op in ops:
        # Only what raises before any lookup is run (a non-ASCII name the codec refuses, or one with a NUL).
        if h.isascii() or (enc is not None and "\\0" not in enc):
            row.append(["resolver", enc.split("\\0")[0] if enc is not None else None]); continue
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if op == "sendto" else socket.SOCK_STREAM)
        try:
            if op == "connect": s.connect((h, 9))
            elif op == "connect_ex": s.connect_ex((h, 9))
            else: s.sendto(b"x", (h, 9))
            row.append(["ran"])
        except Exception as e:
            row.append([type(e).__name__, str(e)])
        finally:
            s.close()
    out.append(row)
print(json.dumps(out))
`;

Deno.test("a non-ASCII host in an address tuple goes through CPython's idna codec (TypeError when refused) (A17b-2)", async () => {
  const py = await python_json(PY, [HOSTS, OPS]);
  assert.ok(Array.isArray(py), `python3 twin: ${JSON.stringify(py)}`);
  const seen: string[] = [];
  _set_lookup_for_tests((h) => {
    seen.push(h);
    return Promise.resolve([{ address: "127.0.0.1", family: 4 }]);
  });
  try {
    const got: unknown[] = [];
    for (const h of HOSTS) {
      const row: unknown[] = [];
      for (const op of OPS) {
        seen.length = 0;
        const s = socket(AF_INET, op === "sendto" ? SOCK_DGRAM : undefined);
        try {
          if (op === "connect") {
            await s.connect([h, 9]).catch((e) => {
              if (!(e instanceof Error && e.name === "ConnectionRefusedError")) throw e;
            });
          } else if (op === "connect_ex") await s.connect_ex([h, 9]);
          else await s.sendto(new Uint8Array([120]), [h, 9]);
          row.push(["resolver", seen[0] ?? null]);
        } catch (e) {
          row.push([(e as Error).name, (e as Error).message]);
        } finally {
          s.close();
        }
      }
      got.push(row);
    }
    // A name the resolver saw in pysocket is the one CPython's converter gives its resolver (str.encode("idna")).
    assert.deepEqual(got, py);
  } finally {
    _set_lookup_for_tests(null);
  }
});
