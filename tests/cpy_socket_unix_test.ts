// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: TestUnixDomain (paths in temp dirs) and
// TestLinuxAbstractNamespace. pysocket's AF_UNIX addresses are strings, abstract names too (CPython returns an
// abstract name as bytes: docs/limits.md), so where CPython compares with bytes the port compares with the same
// name as a string; the bytes themselves are checked by a CPython peer that connects to the name.

import assert from "node:assert/strict";
import { AF_UNIX, OSError, SOCK_STREAM, socket } from "../mod.ts";
import { TempDir } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";
import { finding, not_applicable } from "./_cpy_socket.ts";

const enc = (s: string) => new TextEncoder().encode(s);

// ---------------------------------------------------------------- TestLinuxAbstractNamespace

const LA = "test_socket TestLinuxAbstractNamespace";
const UNIX_PATH_MAX = 108;

/** Whether a python3 peer can connect to the abstract name `name` (bytes, given as latin-1 code points). */
async function python_connects(name: Uint8Array, listen: () => Promise<void>): Promise<unknown> {
  const [py] = await Promise.all([
    cpython(`
c = socket(AF_UNIX, SOCK_STREAM); c.settimeout(5)
try:
    c.connect(bytes(${JSON.stringify([...name])})); r = "connected"
except Exception as e: r = err(e)
c.close()
print(json.dumps(r))
`),
    listen().catch(() => {}),
  ]);
  return py;
}

Deno.test(`${LA}.testLinuxAbstractNamespace (a UTF-8 name: pysocket's names are strings)`, async () => {
  const address = "\0python-test-hello\0\u00e9";
  using s1 = socket(AF_UNIX, SOCK_STREAM);
  s1.bind(address);
  s1.listen();
  using s2 = socket(AF_UNIX, SOCK_STREAM);
  await s2.connect(s1.getsockname());
  const [s3] = await s1.accept();
  using _s3 = s3;
  assert.equal(s1.getsockname(), address);
  assert.equal(s2.getpeername(), address);
  // The kernel's name is the UTF-8 bytes: a CPython peer finds it.
  const py = await python_connects(enc(address), async () => {
    s1.settimeout(2);
    (await s1.accept())[0].close();
  });
  assert.equal(py, "connected");
});

finding(
  `${LA}.testLinuxAbstractNamespace`,
  "C2-4",
  "bind(b'\\x00python-test-hello\\x00\\xff') is refused with a RangeError (Deno takes socket names as strings, so bytes that are not UTF-8 cannot be given to it); CPython binds the bytes (docs/limits.md, fix19c)",
  async () => {
    const address = new Uint8Array([0, ...enc("python-test-hello"), 0, 0xff]);
    using s1 = socket(AF_UNIX, SOCK_STREAM);
    s1.bind(address);
    s1.listen();
    s1.settimeout(2);
    const py = await python_connects(address, async () => {
      (await s1.accept())[0].close();
    }).catch((e) => String(e));
    assert.equal(py, "connected");
  },
);

finding(
  `${LA}.testLinuxAbstractNamespace (the client side: connect() to a CPython listener's non-UTF-8 name)`,
  "C2-4",
  "connect(b'\\x00...\\xff') is refused with a RangeError (Deno takes socket names as strings); CPython reaches a listener bound to those bytes (docs/limits.md, fix19c)",
  async () => {
    const address = new Uint8Array([0, ...enc(`cpy2-sibling-${Deno.pid}`), 0xff]);
    const py = cpython(`
l = socket(AF_UNIX, SOCK_STREAM); l.bind(bytes(${JSON.stringify([...address])})); l.listen(); l.settimeout(4)
try:
    c, _ = l.accept(); r = "accepted"; c.close()
except Exception as e: r = err(e)
print(json.dumps(r))
`);
    let r: unknown = null;
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      using c = socket(AF_UNIX, SOCK_STREAM);
      try {
        await c.connect(address);
        r = "connected";
        break;
      } catch (e) {
        r = [(e as Error).name, (e as OSError).errno];
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    assert.deepEqual([r, await py], ["connected", "accepted"]);
  },
);

Deno.test(`${LA}.testMaxName`, () => {
  const address = "\0" + "h".repeat(UNIX_PATH_MAX - 1);
  using s = socket(AF_UNIX, SOCK_STREAM);
  s.bind(address);
  assert.equal(s.getsockname(), address);
});

Deno.test(`${LA}.testNameOverflow`, () => {
  const address = "\0" + "h".repeat(UNIX_PATH_MAX);
  using s = socket(AF_UNIX, SOCK_STREAM);
  assert.throws(() => s.bind(address), OSError);
});

Deno.test(`${LA}.testStrName`, () => {
  using s = socket(AF_UNIX, SOCK_STREAM);
  s.bind("\0python\0test\0");
  assert.equal(s.getsockname(), "\0python\0test\0"); // (CPython: b"\x00python\x00test\x00")
});

Deno.test(`${LA}.testBytearrayName`, () => {
  using s = socket(AF_UNIX, SOCK_STREAM);
  s.bind(enc("\0python\0test\0"));
  assert.equal(s.getsockname(), "\0python\0test\0");
});

Deno.test(`${LA}.testAutobind`, () => {
  const abstract_address = /^\0[0-9a-f]{5}$/;
  using s1 = socket(AF_UNIX, SOCK_STREAM);
  s1.bind("");
  assert.match(s1.getsockname() as string, abstract_address);
  using s2 = socket(AF_UNIX, SOCK_STREAM);
  s2.bind("");
  assert.match(s2.getsockname() as string, abstract_address);
  assert.notEqual(s1.getsockname(), s2.getsockname());
});

// ---------------------------------------------------------------- TestUnixDomain

const UD = "test_socket TestUnixDomain";
// os_helper.TESTFN, TESTFN_UNICODE and TESTFN_UNENCODABLE (CPython 3.11 on Linux, UTF-8), in a temp dir.
const TESTFN = "@test_cpy2_tmp";
const TESTFN_UNICODE = "@test_cpy2_tmp-\u00e0\u00f2\u0258\u0141\u011f";
const TESTFN_UNENCODABLE = "@test_cpy2_tmp-\udcff";

Deno.test(`${UD}.testUnbound`, () => {
  using sock = socket(AF_UNIX, SOCK_STREAM);
  assert.ok(["", null].includes(sock.getsockname() as string));
});

Deno.test(`${UD}.testStrAddr`, () => {
  using dir = new TempDir();
  using sock = socket(AF_UNIX, SOCK_STREAM);
  const path = `${dir.path}/${TESTFN}`;
  sock.bind(path);
  assert.equal(sock.getsockname(), path);
});

Deno.test(`${UD}.testBytesAddr`, () => {
  using dir = new TempDir();
  using sock = socket(AF_UNIX, SOCK_STREAM);
  const path = `${dir.path}/${TESTFN}`;
  sock.bind(enc(path)); // os.fsencode(path)
  assert.equal(sock.getsockname(), path);
});

/** CPython's b.decode("ascii", "surrogateescape"): bytes >= 0x80 become U+DC80..U+DCFF. */
const surrogateescape = (b: Uint8Array) => String.fromCharCode(...[...b].map((x) => x < 0x80 ? x : 0xdc00 + x));

Deno.test(
  `${UD}.testSurrogateescapeBind (C2-4, fixed)`,
  () => {
    using dir = new TempDir();
    using sock = socket(AF_UNIX, SOCK_STREAM);
    const path = `${dir.path}/${TESTFN_UNICODE}`;
    sock.bind(surrogateescape(enc(path)));
    assert.equal(sock.getsockname(), path);
  },
);

finding(
  `${UD}.testUnencodableAddr`,
  "C2-4",
  "a path with a lone surrogate ('\\udcff', CPython's byte ff: not UTF-8) is refused with a RangeError (Deno takes socket names as strings); CPython binds a name ending in the byte ff (docs/limits.md, fix19c)",
  async () => {
    using dir = new TempDir();
    using sock = socket(AF_UNIX, SOCK_STREAM);
    const path = `${dir.path}/${TESTFN_UNENCODABLE}`;
    sock.bind(path);
    assert.equal(sock.getsockname(), path);
    // The file CPython makes: name bytes ending in ff.
    const py = await cpython(
      `print(json.dumps([list(n[-1:]) for n in os.listdir(${JSON.stringify(dir.path)}.encode())]))`,
    );
    assert.deepEqual(py, [[0xff]]);
  },
);

not_applicable(`${UD}.testEmptyAddress`, "skipped on Linux by CPython: bind('') autobinds an abstract name there");
