// fix19b: every int argument of a socket method outside the C type CPython parses it as (C int, C long, ssize_t),
// beside CPython 3.11: OverflowError (RangeError here) with CPython's message, never an OSError or acceptance.
// C2-1 / A18c-15: shutdown(2**31) was EINVAL, setsockopt/getsockopt(2**31, ...) ENOPROTOOPT, setblocking(2**63)
// accepted, and flags >= 2**63 said "signed integer is greater than maximum" where CPython says "... C long".

import assert from "node:assert/strict";
import * as S from "../mod.ts";
import { python_json } from "./_twin.ts";

const VALUES = ["2147483648", "-2147483649", "4294967298", "9223372036854775808", "-9223372036854775809", "2**64"];

// [label, python expression with V for the value] — the TS side below has the same labels.
const CASES: [string, string][] = [
  ["setblocking", "c.setblocking(V)"],
  ["shutdown", "c.shutdown(V)"],
  ["setsockopt level", "c.setsockopt(V, 9, 1)"],
  ["setsockopt optname", "c.setsockopt(1, V, 1)"],
  ["setsockopt value", "c.setsockopt(1, 9, V)"],
  ["setsockopt optlen", "c.setsockopt(1, 9, None, V)"],
  ["getsockopt level", "c.getsockopt(V, 9)"],
  ["getsockopt optname", "c.getsockopt(1, V)"],
  ["getsockopt buflen", "c.getsockopt(1, 9, V)"],
  ["listen", "fresh().listen(V)"],
  ["settimeout", "fresh().settimeout(V)"],
  ["set_inheritable", "c.set_inheritable(V)"],
  ["send flags", "c.send(b'x', V)"],
  ["sendall flags", "c.sendall(b'x', V)"],
  ["sendto flags", "u.sendto(b'x', V, u.getsockname())"],
  ["sendmsg flags", "c.sendmsg([b'x'], [], V)"],
  ["recv bufsize", "u.recv(V)"],
  ["recv flags", "u.recv(1, V)"],
  ["recvfrom bufsize", "u.recvfrom(V)"],
  ["recvfrom flags", "u.recvfrom(1, V)"],
  ["recv_into nbytes", "u.recv_into(bytearray(4), V)"],
  ["recv_into flags", "u.recv_into(bytearray(4), 0, V)"],
  ["recvfrom_into nbytes", "u.recvfrom_into(bytearray(4), V)"],
  ["recvfrom_into flags", "u.recvfrom_into(bytearray(4), 0, V)"],
  ["recvmsg bufsize", "u.recvmsg(V)"],
  ["recvmsg ancbufsize", "u.recvmsg(1, V)"],
  ["recvmsg flags", "u.recvmsg(1, 0, V)"],
  ["recvmsg_into ancbufsize", "u.recvmsg_into([bytearray(4)], V)"],
  ["recvmsg_into flags", "u.recvmsg_into([bytearray(4)], 0, V)"],
  ["socket family", "socket(V)"],
  ["socket type", "socket(2, V)"],
  ["socket proto", "socket(2, 1, V)"],
  ["socket fileno (negative, or past a C long)", "socket(2, 1, 0, V) if (V) < 0 or (V) >= 2**63 else bad()"],
  ["setsockopt level with optlen", "c.setsockopt(V, 9, None, 4)"],
  ["sendmsg cmsg level", "c.sendmsg([b'x'], [(V, 1, b'')])"],
  ["sendmsg cmsg type", "c.sendmsg([b'x'], [(1, V, b'')])"],
  ["sendfile offset", "c.sendfile(f, V)"],
  ["sendfile count", "c.sendfile(f, 0, V) if (V) > 0 else bad()"],
  ["closed: getsockopt", "z.getsockopt(V, 9)"],
  ["closed: setsockopt", "z.setsockopt(1, V, 1)"],
  ["closed: shutdown", "z.shutdown(V)"],
  ["closed: listen", "z.listen(V)"],
  ["closed: setblocking", "z.setblocking(V)"],
  ["closed: set_inheritable", "z.set_inheritable(V)"],
];

const PY = `
import json, socket as _s, sys
from socket import *
path, todo = json.load(sys.stdin)
l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = create_connection(l.getsockname()); a, _ = l.accept(); c.settimeout(0.05)
u = socket(AF_INET, SOCK_DGRAM); u.bind(("127.0.0.1", 0)); u.settimeout(0.05)
z = socket(); z.close()
f = open(path, "rb")
def bad(): raise TypeError("skipped")
made = []
def fresh():
    x = socket(); x.bind(("127.0.0.1", 0)); made.append(x); return x
out = []
for label, expr, v in todo:
    try:
        eval(expr.replace("V", "(" + v + ")")); out.append(["ok"])
    except OSError as e:
        out.append([type(e).__name__, e.errno])
    except (OverflowError, ValueError) as e:
        out.append(["RangeError", str(e)])
    except TypeError as e:
        out.append(["TypeError", str(e)])
for x in made + [c, a, u, l, f]: x.close()
print(json.dumps(out))
`;

type Conn = { c: S.Socket; u: S.Socket; z: S.Socket; f: Deno.FsFile; fresh: () => S.Socket };
const bad = () => {
  throw new TypeError("skipped");
};
// deno-lint-ignore no-explicit-any
type Any = any;

const TS: Record<string, (k: Conn, v: Any) => unknown> = {
  "setblocking": ({ c }, v) => c.setblocking(v),
  "shutdown": ({ c }, v) => c.shutdown(v),
  "setsockopt level": ({ c }, v) => c.setsockopt(v, 9, 1),
  "setsockopt optname": ({ c }, v) => c.setsockopt(1, v, 1),
  "setsockopt value": ({ c }, v) => c.setsockopt(1, 9, v),
  "setsockopt optlen": ({ c }, v) => c.setsockopt(1, 9, null, v),
  "getsockopt level": ({ c }, v) => c.getsockopt(v, 9),
  "getsockopt optname": ({ c }, v) => c.getsockopt(1, v),
  "getsockopt buflen": ({ c }, v) => c.getsockopt(1, 9, v),
  "listen": ({ fresh }, v) => fresh().listen(v),
  "settimeout": ({ fresh }, v) => fresh().settimeout(v),
  "set_inheritable": ({ c }, v) => c.set_inheritable(v),
  "send flags": ({ c }, v) => c.send(new Uint8Array([120]), v),
  "sendall flags": ({ c }, v) => c.sendall(new Uint8Array([120]), v),
  "sendto flags": ({ u }, v) => u.sendto(new Uint8Array([120]), v, u.getsockname()),
  "sendmsg flags": ({ c }, v) => c.sendmsg([new Uint8Array([120])], [], v),
  "recv bufsize": ({ u }, v) => u.recv(v),
  "recv flags": ({ u }, v) => u.recv(1, v),
  "recvfrom bufsize": ({ u }, v) => u.recvfrom(v),
  "recvfrom flags": ({ u }, v) => u.recvfrom(1, v),
  "recv_into nbytes": ({ u }, v) => u.recv_into(new Uint8Array(4), v),
  "recv_into flags": ({ u }, v) => u.recv_into(new Uint8Array(4), 0, v),
  "recvfrom_into nbytes": ({ u }, v) => u.recvfrom_into(new Uint8Array(4), v),
  "recvfrom_into flags": ({ u }, v) => u.recvfrom_into(new Uint8Array(4), 0, v),
  "recvmsg bufsize": ({ u }, v) => u.recvmsg(v),
  "recvmsg ancbufsize": ({ u }, v) => u.recvmsg(1, v),
  "recvmsg flags": ({ u }, v) => u.recvmsg(1, 0, v),
  "recvmsg_into ancbufsize": ({ u }, v) => u.recvmsg_into([new Uint8Array(4)], v),
  "recvmsg_into flags": ({ u }, v) => u.recvmsg_into([new Uint8Array(4)], 0, v),
  "socket family": (_, v) => S.socket(v).close(),
  "socket type": (_, v) => S.socket(2, v).close(),
  "socket proto": (_, v) => S.socket(2, 1, v).close(),
  "socket fileno (negative, or past a C long)": (_, v) => v < 0 || v >= 2 ** 63 ? S.socket(2, 1, 0, v).close() : bad(),
  "setsockopt level with optlen": ({ c }, v) => c.setsockopt(v, 9, null, 4),
  "sendmsg cmsg level": ({ c }, v) => c.sendmsg([new Uint8Array([120])], [[v, 1, new Uint8Array()]]),
  "sendmsg cmsg type": ({ c }, v) => c.sendmsg([new Uint8Array([120])], [[1, v, new Uint8Array()]]),
  "sendfile offset": ({ c, f }, v) => c.sendfile(f, v),
  "sendfile count": ({ c, f }, v) => v > 0 ? c.sendfile(f, 0, v) : bad(),
  "closed: getsockopt": ({ z }, v) => z.getsockopt(v, 9),
  "closed: setsockopt": ({ z }, v) => z.setsockopt(1, v, 1),
  "closed: shutdown": ({ z }, v) => z.shutdown(v),
  "closed: listen": ({ z }, v) => z.listen(v),
  "closed: setblocking": ({ z }, v) => z.setblocking(v),
  "closed: set_inheritable": ({ z }, v) => z.set_inheritable(v),
};

/** A Python int as pysocket takes it: a bigint, or (`as_number`) the nearest JS number. */
function py_int(v: string, as_number: boolean): bigint | number {
  const b = v === "2**64" ? 2n ** 64n : BigInt(v);
  return as_number ? Number(b) : b;
}

async function rows(as_number: boolean, path: string): Promise<unknown[][]> {
  const l = S.socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const c = await S.create_connection(l.getsockname() as [string, number]);
  const [a] = await l.accept();
  c.settimeout(0.05);
  const u = S.socket(S.AF_INET, S.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  u.settimeout(0.05);
  const z = S.socket();
  z.close();
  const f = await Deno.open(path);
  const made: S.Socket[] = [];
  const fresh = () => {
    const x = S.socket();
    x.bind(["127.0.0.1", 0]);
    made.push(x);
    return x;
  };
  const got: unknown[][] = [];
  try {
    for (const [label] of CASES) {
      for (const v of VALUES) {
        try {
          // A JS number cannot hold -2**63 - 1 (it rounds to -2**63, a C long): bigints only.
          if (as_number && v === "-9223372036854775809") continue;
          // A JS number is a Python float to settimeout() (its own message past 2**63 ns: fix19b_timeout_test).
          if (as_number && label === "settimeout") continue;
          await TS[label]!({ c, u, z, f, fresh }, py_int(v, as_number));
          got.push([label, v, "ok"]);
        } catch (e) {
          const x = e as Error & { errno?: number | null };
          if (x instanceof S.OSError) got.push([label, v, x.name, x.errno ?? null]);
          else if (x instanceof RangeError || x instanceof TypeError) got.push([label, v, x.name, x.message]);
          else throw e;
        }
      }
    }
  } finally {
    for (const x of [...made, c, a, u, l]) x.close();
    f.close();
  }
  return got;
}

async function want(path: string): Promise<unknown[][]> {
  const todo = CASES.flatMap(([label, expr]) => VALUES.map((v) => [label, expr, v]));
  const py = await python_json(PY, [path, todo]) as unknown[][];
  return py.map((r, i) => [todo[i]![0], todo[i]![2], ...r]);
}

Deno.test("fix19b ints: every int argument past its C type raises CPython's OverflowError (C2-1, A18c-15)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fix19b_" });
  const path = `${dir}/file`;
  await Deno.writeTextFile(path, "hello");
  try {
    const w = await want(path);
    const at = new Map(w.map((r) => [`${r[0]}|${r[1]}`, r]));
    for (const as_number of [false, true]) {
      const g = await rows(as_number, path);
      const bad = g.filter((r) => JSON.stringify(r) !== JSON.stringify(at.get(`${r[0]}|${r[1]}`)));
      const show = bad.map((r) => JSON.stringify([...r, "python:", ...at.get(`${r[0]}|${r[1]}`)!.slice(2)]));
      const kind = as_number ? "numbers" : "bigints";
      assert.equal(bad.length, 0, `${bad.length} of ${g.length} rows differ (${kind}):\n${show.join("\n")}`);
      assert.equal(g.length, as_number ? w.length - CASES.length - VALUES.length + 1 : w.length);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
