// Adversary round 4 (adv4), AF_UNIX bind(""): Linux autobinds the socket to an abstract name of five hex
// digits, which peers can connect or send to; CPython's getsockname() shows it as bytes (b'\x00' + 5 hex
// digits), pysocket as a string of the same characters (abstract names stay strings, docs/limits.md).
// Finding A4-4: pysocket raised OSError EINVAL. connect("") still raises EINVAL, as on Linux.

import assert from "node:assert/strict";
import { AF_UNIX, OSError, SOCK_DGRAM, socket } from "../mod.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");

test("adversary3: AF_UNIX bind('') autobinds an abstract name as Linux does (finding A4-4)", {
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: Deno.build.os !== "linux",
}, async () => {
  const want = await cpython(`
import re
def shape(name):
    name = name.decode("latin1") if isinstance(name, bytes) else name
    return bool(re.fullmatch("\\0[0-9a-f]{5}", name))
s = socket(AF_UNIX); s.bind(""); s.listen()
c = socket(AF_UNIX); c.connect(s.getsockname()); a, _ = s.accept()
c.sendall(b"hi"); got = a.recv(10)
d = socket(AF_UNIX, SOCK_DGRAM); d.bind("")
e = socket(AF_UNIX, SOCK_DGRAM); e.sendto(b"dg", d.getsockname())
try:
    socket(AF_UNIX).connect(""); conn_empty = "ok"
except OSError as x:
    conn_empty = x.errno
print(json.dumps([shape(s.getsockname()), got.decode(), shape(c.getpeername()), shape(d.getsockname()),
                  d.recvfrom(10)[0].decode(), s.getsockname() != d.getsockname(), conn_empty]))
`);
  const shape = (name: unknown) => typeof name === "string" && /^\0[0-9a-f]{5}$/.test(name);
  using s = socket(AF_UNIX);
  s.bind("");
  s.listen();
  using c = socket(AF_UNIX);
  await c.connect(s.getsockname());
  const [a] = await s.accept();
  using _a = a;
  await c.sendall(new TextEncoder().encode("hi"));
  const got = new TextDecoder().decode(await a.recv(10));
  using d = socket(AF_UNIX, SOCK_DGRAM);
  d.bind("");
  using e = socket(AF_UNIX, SOCK_DGRAM);
  await e.sendto(new TextEncoder().encode("dg"), d.getsockname());
  let conn_empty: unknown = "ok";
  try {
    await socket(AF_UNIX).connect("");
  } catch (x) {
    if (!(x instanceof OSError)) throw x;
    conn_empty = x.errno;
  }
  assert.deepEqual([
    shape(s.getsockname()),
    got,
    shape(c.getpeername()),
    shape(d.getsockname()),
    new TextDecoder().decode((await d.recvfrom(10))[0]),
    s.getsockname() !== d.getsockname(),
    conn_empty,
  ], want);
});
