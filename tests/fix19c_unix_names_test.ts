// fix19c: AF_UNIX names that CPython encodes with os.fsencode (C2-4 and its siblings). A str path with
// surrogateescape'd bytes names the file those bytes make; a leading UTF-8 BOM is part of a name; bytes that are not
// UTF-8 cannot be given to Deno (it takes names as strings) and are refused, never bound under another name.

import assert from "node:assert/strict";
import { AF_UNIX, SOCK_DGRAM, SOCK_STREAM, socket } from "../mod.ts";
import { cpython } from "./_twin.ts";
import { TempDir } from "./_socket_fixtures.ts";

const enc = (s: string) => new TextEncoder().encode(s);
/** CPython's os.fsdecode of bytes that may not be UTF-8: bytes >= 0x80 of a bad sequence become U+DC80..U+DCFF. */
const escape_all = (b: Uint8Array) => String.fromCharCode(...[...b].map((x) => x < 0x80 ? x : 0xdc00 + x));

Deno.test("fix19c C2-4: a str path of surrogateescape'd UTF-8 bytes binds the UTF-8 name (testSurrogateescapeBind)", async () => {
  using dir = new TempDir();
  const names = ["@fix19c-\u00e0\u00f2\u0258\u0141\u011f", "@fix19c-\u{1f600}-x", "@fix19c-\u00e9"];
  // Each path fully escaped, and one with an escaped character between plain ones (c3 a9 is "\u00e9").
  const given = [...names.map((n) => escape_all(enc(`${dir.path}/${n}`))), `${dir.path}/@fix19c-a\udcc3\udca9b`];
  const py = await cpython(`
d = ${JSON.stringify(dir.path)}
out = []
for i, p in enumerate(${JSON.stringify(given)}):
    s = socket(AF_UNIX, SOCK_STREAM); s.bind(p)
    n = s.getsockname()
    out.append([n, sorted(list(x) for x in os.listdir(d.encode()))])
    s.close(); os.unlink(n)
print(json.dumps(out))
`) as unknown[];
  const ts: unknown[] = [];
  for (const p of given) {
    using s = socket(AF_UNIX, SOCK_STREAM);
    s.bind(p);
    const n = s.getsockname() as string;
    const listed = [...Deno.readDirSync(dir.path)].map((e) => [...enc(e.name)]).sort();
    ts.push([n, listed]);
    s.close();
    try {
      Deno.removeSync(n);
    } catch { /* Deno deleted it on close */ }
  }
  assert.deepEqual(ts, py);
});

Deno.test("fix19c C2-4 sibling: a leading UTF-8 BOM is part of a relative name (bytes and escaped str)", async () => {
  using dir = new TempDir();
  const bom_name = new Uint8Array([0xef, 0xbb, 0xbf, ...enc("fix19c.sock")]);
  // CPython binds the name with the BOM, relative to its cwd; pysocket connects to it by the same relative name.
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      `import os, socket, sys
os.chdir(${JSON.stringify(dir.path)})
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(bytes(${JSON.stringify([...bom_name])})); l.listen()
l.settimeout(5); print("ready", flush=True)
for _ in range(2):
    c, _ = l.accept(); c.sendall(b"ok"); c.close()
`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const cwd = Deno.cwd();
  try {
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /ready/);
    reader.releaseLock();
    Deno.chdir(dir.path);
    const got: string[] = [];
    for (const name of [bom_name, escape_all(bom_name)]) {
      using c = socket(AF_UNIX, SOCK_STREAM);
      c.settimeout(5);
      await c.connect(name);
      got.push(new TextDecoder().decode(await c.recv(10)));
    }
    assert.deepEqual(got, ["ok", "ok"]);
  } finally {
    Deno.chdir(cwd);
    try {
      child.kill();
    } catch { /* ended */ }
    await child.output().catch(() => {});
  }
});

Deno.test("fix19c C2-4: names that are not UTF-8 are refused (Deno takes names as strings); CPython binds them", async () => {
  using dir = new TempDir();
  const bad: [string, Uint8Array | string][] = [
    ["abstract bytes", new Uint8Array([0, ...enc(`fix19c-${Deno.pid}`), 0, 0xff])],
    ["path bytes", new Uint8Array([...enc(`${dir.path}/fix19c-`), 0xff])],
    ["escaped str", `${dir.path}/fix19c-e\udcff`],
    ["half a character", `${dir.path}/fix19c-\udcc3x`],
  ];
  const py = await cpython(`
out = []
for what, a in ${JSON.stringify(bad.map(([w, a]) => [w, typeof a === "string" ? a : [...a]]))}:
    a = bytes(a) if isinstance(a, list) else a
    s = socket(AF_UNIX, SOCK_DGRAM)
    try: s.bind(a); out.append("bound")
    except Exception as e: out.append(type(e).__name__)
    s.close()
print(json.dumps(out))
`);
  assert.deepEqual(py, ["bound", "bound", "bound", "bound"]);
  for (const [what, a] of bad) {
    for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
      using s = socket(AF_UNIX, type);
      for (
        const call of [
          () => s.bind(a),
          () => s.connect(a),
          ...(type === SOCK_DGRAM ? [() => s.sendto(enc("x"), a)] : []),
        ]
      ) {
        await assert.rejects(
          async () => await call(),
          (e: Error) => e instanceof RangeError && /not UTF-8 .* cannot be passed to Deno/.test(e.message),
          what,
        );
      }
    }
  }
  // Only CPython's three files (the abstract name has none): pysocket bound nothing under another name.
  assert.equal([...Deno.readDirSync(dir.path)].length, 3);
});
