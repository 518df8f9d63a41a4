// adv8b: socket-file write buffering against CPython 3.11, write by write: what the peer has received after each
// call (BufferedWriter's and TextIOWrapper's rules), two tasks writing at once, and a flush that fails.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import type { Socket } from "../mod.ts";
import { python_json } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

/** One write-side call: ["w", "b"|"t", text, repeat] writes text*repeat (bytes as latin-1 in "b" files). */
type Op = [string, ...unknown[]];
interface Scenario {
  mode: string;
  buffering: number | null;
  newline?: string | null;
  ops: Op[];
}

const SCENARIOS: Record<string, Scenario> = {
  default_binary: {
    mode: "wb",
    buffering: null,
    ops: [["w", "a", 10], ["w", "b", 9000], ["w", "c", 10], ["w", "d", 8180], ["w", "e", 3], ["flush"], ["w", "f", 5], [
      "close",
    ]],
  },
  unbuffered: { mode: "wb", buffering: 0, ops: [["w", "a", 10], ["w", "b", 5], ["close"]] },
  one_byte: { mode: "wb", buffering: 1, ops: [["w", "a", 1], ["w", "b", 1], ["w", "c", 3], ["flush"], ["close"]] },
  small: {
    mode: "wb",
    buffering: 8,
    ops: [["w", "a", 6], ["w", "b", 2], ["w", "c", 1], ["w", "d", 20], ["wl", ["abc", "defgh", "ij"]], ["close"]],
  },
  negative: { mode: "wb", buffering: -1, ops: [["w", "a", 8192], ["w", "b", 1], ["w", "c", 8192], ["close"]] },
  mutated_view: { mode: "wb", buffering: 16, ops: [["wmut"], ["flush"], ["close"]] },
  text_default: {
    mode: "w",
    buffering: null,
    ops: [["w", "hello\n", 1], ["w", "x", 8185], ["w", "y", 1], ["w", "é", 5000], ["w", "z", 3], ["flush"], [
      "w",
      "tail\n",
      1,
    ], ["close"]],
  },
  text_crlf: {
    mode: "w",
    buffering: null,
    newline: "\r\n",
    ops: [["w", "a\nb\n", 1], ["flush"], ["w", "x\n", 3000], ["w", "q", 1], ["wl", ["1\n", "2\n"]], ["close"]],
  },
  text_small_buffer: {
    mode: "w",
    buffering: 16,
    ops: [["w", "abc", 1], ["w", "y", 8189], ["w", "€", 3000], ["w", "k", 20], ["close"]],
  },
  text_huge: { mode: "w", buffering: null, newline: null, ops: [["w", "ü", 70000], ["w", "!", 1], ["close"]] },
  text_rw_readline: {
    mode: "rw",
    buffering: null,
    ops: [["w", "hi\n", 1], ["readline"], ["w", "more\n", 1], ["close"]],
  },
};

const PY = `
import hashlib, json, socket, sys
def drain(s):
    got = b""
    for _ in range(10000):
        try:
            d = s.recv(1 << 20)
        except socket.timeout:
            return got
        if not d:
            return got
        got += d
    return got
out = {}
for name, sc in json.load(sys.stdin).items():
    c, p = socket.socketpair()
    p.settimeout(0.15)
    kw = {}
    if "b" not in sc["mode"]:
        kw["newline"] = sc.get("newline")
    f = c.makefile(sc["mode"], sc["buffering"], **kw)
    steps, allb = [], b""
    for op in sc["ops"]:
        r = None
        if op[0] == "w":
            r = f.write(op[1].encode("latin-1") * op[2] if "b" in sc["mode"] else op[1] * op[2])
        elif op[0] == "wl":
            r = f.writelines([x.encode() if "b" in sc["mode"] else x for x in op[1]])
        elif op[0] == "wmut":
            ba = bytearray(b"abcd"); r = f.write(ba); ba[0] = ord("Z")
        elif op[0] == "flush":
            f.flush()
        elif op[0] == "readline":
            c.settimeout(0.3)
            try:
                f.readline(); r = "line"
            except socket.timeout:
                r = "timeout"
        elif op[0] == "close":
            f.close()
        d = drain(p)
        allb += d
        steps.append([r, len(d)])
    out[name] = [steps, hashlib.sha256(allb).hexdigest(), len(allb)]
    c.close(); p.close()
print(json.dumps(out))
`;

async function drain(s: Socket): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 10000; i++) {
    let d: Uint8Array;
    try {
      d = await s.recv(1 << 20);
    } catch (e) {
      if (e instanceof Error && e.name === "TimeoutError") break;
      throw e;
    }
    if (d.length === 0) break;
    parts.push(d);
  }
  const n = parts.reduce((a, p) => a + p.length, 0);
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) all.set(p, (o += p.length) - p.length);
  return all;
}

const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

async function run(sc: Scenario): Promise<unknown> {
  const [c, p] = await socketpair();
  try {
    p.settimeout(0.15);
    const f = "b".includes(sc.mode.at(-1)!) || sc.mode.includes("b")
      ? c.makefile(sc.mode, sc.buffering)
      : c.makefile(sc.mode, sc.buffering, { newline: sc.newline ?? null });
    const binary = sc.mode.includes("b");
    const steps: unknown[] = [];
    const parts: Uint8Array[] = [];
    for (const op of sc.ops) {
      let r: unknown = null;
      if (op[0] === "w") {
        const text = (op[1] as string).repeat(op[2] as number);
        r = await f.write(binary ? latin1(text) : text);
      } else if (op[0] === "wl") {
        r = await f.writelines((op[1] as string[]).map((x) => binary ? latin1(x) : x));
        r = r ?? null;
      } else if (op[0] === "wmut") {
        const ba = latin1("abcd");
        r = await f.write(ba);
        ba[0] = "Z".charCodeAt(0);
      } else if (op[0] === "flush") {
        await f.flush();
      } else if (op[0] === "readline") {
        c.settimeout(0.3);
        try {
          await f.readline();
          r = "line";
        } catch (e) {
          if (!(e instanceof Error && e.name === "TimeoutError")) throw e;
          r = "timeout";
        }
      } else if (op[0] === "close") {
        await f.close();
      }
      const d = await drain(p);
      parts.push(d);
      steps.push([r, d.length]);
    }
    const n = parts.reduce((a, x) => a + x.length, 0);
    const all = new Uint8Array(n);
    let o = 0;
    for (const x of parts) all.set(x, (o += x.length) - x.length);
    const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", all)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    return [steps, hash, n];
  } finally {
    c.close();
    p.close();
  }
}

test("adversary8b: what the peer has after each write, flush and close, as CPython's (binary and text files)", async () => {
  const want = await python_json(PY, SCENARIOS) as Record<string, unknown>;
  assert.equal(typeof want, "object", String(want));
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    assert.deepEqual(await run(sc), want[name], name);
  }
});

test("adversary8b: a flush that fails keeps the unsent bytes; the next flush and close raise again, as CPython's", async () => {
  const want = await python_json(
    `import json, socket, sys
c, d = socket.socketpair()
out = []
for mode in ("wb", "w"):
    c, d = socket.socketpair()
    f = c.makefile(mode)
    f.write(b"abc" if mode == "wb" else "abc")
    d.close()
    for i in range(2):
        try: f.flush(); out.append("ok")
        except OSError as e: out.append(str(e))
    try: f.close(); out.append("ok")
    except OSError as e: out.append(str(e))
    out.append(f.closed)
    c.close()
print(json.dumps(out))`,
    null,
  );
  const got: unknown[] = [];
  for (const mode of ["wb", "w"]) {
    const [c, d] = await socketpair();
    const f = c.makefile(mode);
    await f.write(mode === "wb" ? latin1("abc") : "abc");
    d.close();
    for (let i = 0; i < 2; i++) {
      try {
        await f.flush();
        got.push("ok");
      } catch (e) {
        got.push((e as Error).message);
      }
    }
    try {
      await f.close();
      got.push("ok");
    } catch (e) {
      got.push((e as Error).message);
    }
    got.push(f.closed);
    c.close();
  }
  assert.deepEqual(got, want);
});

test("adversary8b: two tasks writing at once reach the peer in call order (BufferedWriter's lock)", async () => {
  for (const mode of ["wb", "w"]) {
    const [c, p] = await socketpair();
    try {
      const binary = mode === "wb";
      const f = c.makefile(mode, 8);
      const enc = (s: string) => binary ? latin1(s) : s;
      await f.write(enc(binary ? "aaaaaa" : "a".repeat(8190)));
      // "bbbb" overflows (its write sends first); "cc" and the flush are called while it is under way.
      const all = [f.write(enc("bbbb")), f.write(enc("cc")), f.write(enc("d".repeat(30))), f.flush()];
      const rest = f.write(enc("e"));
      await Promise.all([...all, rest]);
      await f.close();
      p.settimeout(5);
      c.shutdown(1);
      const got = new TextDecoder().decode(await drain(p));
      const first = binary ? "aaaaaa" : "a".repeat(8190);
      assert.equal(got, `${first}bbbbcc${"d".repeat(30)}e`, mode);
    } finally {
      c.close();
      p.close();
    }
  }
});

test("adversary8b: buffered writes of a file whose socket was detached raise EBADF at flush and close, as CPython's", async () => {
  const want = await python_json(
    `import json, socket
out = []
for mode in ("wb", "w"):
    a, b = socket.socketpair()
    f = a.makefile(mode)
    f.write(b"abc" if mode == "wb" else "abc")
    fd = a.detach()
    for op in (f.flush, f.close):
        try: op(); out.append("ok")
        except OSError as e: out.append(str(e))
    out.append(f.closed)
    socket.socket(fileno=fd).close(); b.close()
print(json.dumps(out))`,
    null,
  );
  const got: unknown[] = [];
  for (const mode of ["wb", "w"]) {
    const [a, b] = await socketpair();
    const f = a.makefile(mode);
    await f.write(mode === "wb" ? latin1("abc") : "abc");
    a.detach();
    for (const op of [() => f.flush(), () => f.close()]) {
      try {
        await op();
        got.push("ok");
      } catch (e) {
        got.push((e as Error).message);
      }
    }
    got.push(f.closed);
    b.close();
  }
  assert.deepEqual(got, want);
});
