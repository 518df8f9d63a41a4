// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: FileObjectClassTestCase and its variants
// (Unbuffered, LineBuffered, SmallBuffered, UnicodeRead, UnicodeWrite, UnicodeReadWrite). As in CPython, the
// server side reads from read_file = cli_conn.makefile(read_mode, bufsize, ...) and the client side writes through
// write_file = serv_conn.makefile(write_mode, bufsize, ...); the client's tearDown closes write_file and serv_conn, the
// server's closes read_file; each asserts the file is closed.

import assert from "node:assert/strict";
import { BlockingIOError, OSError, type SocketFile, TimeoutError } from "../mod.ts";
import { connected, dec, documented, MSG, not_applicable, threaded } from "./_cpy_socket.ts";
import { sleep } from "./_twin.ts";

interface Variant {
  cls: string;
  bufsize: number;
  read_mode: string;
  write_mode: string;
  newline: string | null;
}
const BASE: Variant = { cls: "FileObjectClassTestCase", bufsize: -1, read_mode: "rb", write_mode: "wb", newline: null };
const VARIANTS: Variant[] = [
  BASE,
  { ...BASE, cls: "UnbufferedFileObjectClassTestCase", bufsize: 0 },
  { ...BASE, cls: "LineBufferedFileObjectClassTestCase", bufsize: 1 },
  { ...BASE, cls: "SmallBufferedFileObjectClassTestCase", bufsize: 2 },
  { ...BASE, cls: "UnicodeReadFileObjectClassTestCase", read_mode: "r", newline: "" },
  { ...BASE, cls: "UnicodeWriteFileObjectClassTestCase", write_mode: "w", newline: "" },
  { ...BASE, cls: "UnicodeReadWriteFileObjectClassTestCase", read_mode: "r", write_mode: "w", newline: "" },
];

type Data = Uint8Array | string;
const join = (a: Data, b: Data): Data => {
  if (typeof a === "string" && typeof b === "string") return a + b;
  const x = a as Uint8Array, y = b as Uint8Array;
  const o = new Uint8Array(x.length + y.length);
  o.set(x), o.set(y, x.length);
  return o;
};
const empty = (d: Data | null) => d !== null && d.length === 0;

interface Ctx {
  v: Variant;
  read_msg: Data;
  write_msg: Data;
  read_file: SocketFile;
  write_file: SocketFile;
  cli_conn: import("../mod.ts").Socket;
  serv_conn: import("../mod.ts").Socket;
  serv_finished: Promise<void>;
}

/** One FileObjectClassTestCase method: `server` is the test method, `client` its _test twin. */
async function run(
  v: Variant,
  server: (c: Ctx) => Promise<void>,
  client: (c: Ctx) => Promise<void> = async () => {},
): Promise<void> {
  using t = await connected();
  const opts = { encoding: "utf-8", errors: "strict", newline: v.newline };
  const read_file = t.cli_conn.makefile(v.read_mode, v.bufsize, opts);
  let finished!: () => void;
  const c: Ctx = {
    v,
    read_msg: v.read_mode.includes("b") ? MSG : dec(MSG),
    write_msg: v.write_mode.includes("b") ? MSG : dec(MSG),
    read_file,
    write_file: null as unknown as SocketFile,
    cli_conn: t.cli_conn,
    serv_conn: t.serv_conn,
    serv_finished: new Promise<void>((r) => finished = r),
  };
  await threaded(async () => {
    try {
      await server(c);
    } finally {
      finished(); // tearDown
      await c.read_file.close();
    }
    assert.ok(c.read_file.closed);
  }, async () => {
    c.write_file = t.serv_conn.makefile(v.write_mode, v.bufsize, opts); // clientSetUp
    try {
      await client(c);
    } finally {
      await c.write_file.close(); // clientTearDown
      t.serv_conn.close();
    }
    assert.ok(c.write_file.closed);
  });
}

for (const v of VARIANTS) {
  const N = `test_socket ${v.cls}`;

  Deno.test(`${N}.testReadAfterTimeout`, () =>
    run(v, async (c) => {
      c.cli_conn.settimeout(1);
      await c.read_file.read(3);
      await assert.rejects(c.read_file.read(1), TimeoutError);
      await assert.rejects(
        c.read_file.read(1),
        (e: Error) => e instanceof OSError && e.message.includes("cannot read from timed out object"),
      );
    }, async (c) => {
      await c.write_file.write(c.write_msg.slice(0, 3));
      await c.write_file.flush();
      await c.serv_finished;
    }));

  Deno.test(`${N}.testSmallRead`, () =>
    run(v, async (c) => {
      const first_seg = await c.read_file.read(c.read_msg.length - 3);
      const second_seg = await c.read_file.read(3);
      assert.deepEqual(join(first_seg, second_seg), c.read_msg);
    }, async (c) => {
      await c.write_file.write(c.write_msg);
      await c.write_file.flush();
    }));

  Deno.test(`${N}.testFullRead`, () =>
    run(v, async (c) => {
      assert.deepEqual(await c.read_file.read(), c.read_msg);
    }, async (c) => {
      await c.write_file.write(c.write_msg);
      await c.write_file.close();
    }));

  Deno.test(`${N}.testUnbufferedRead`, () =>
    run(v, async (c) => {
      let buf: Data = typeof c.read_msg === "string" ? "" : new Uint8Array();
      for (let i = 0; i < 1000; i++) {
        const char = await c.read_file.read(1);
        if (empty(char)) break;
        buf = join(buf, char);
      }
      assert.deepEqual(buf, c.read_msg);
    }, async (c) => {
      await c.write_file.write(c.write_msg);
      await c.write_file.flush();
    }));

  Deno.test(`${N}.testReadline`, () =>
    run(v, async (c) => {
      assert.deepEqual(await c.read_file.readline(), c.read_msg);
    }, async (c) => {
      await c.write_file.write(c.write_msg);
      await c.write_file.flush();
    }));

  documented(
    `${N}.testCloseAfterMakefile`,
    "cli_conn.close() closes at once while its makefile() file is open (CPython waits until the file is closed): docs/limits.md, 'close() closes at once even while a socket file is open'",
  );

  Deno.test(`${N}.testMakefileAfterMakefileClose`, () =>
    run(v, async (c) => {
      await c.read_file.close();
      let msg: Data = await c.cli_conn.recv(MSG.length);
      if (typeof c.read_msg === "string") msg = dec(msg);
      assert.deepEqual(msg, c.read_msg);
    }, async (c) => {
      await c.write_file.write(c.write_msg);
      await c.write_file.flush();
    }));

  Deno.test(`${N}.testClosedAttr`, () =>
    run(v, (c) => {
      assert.ok(!c.read_file.closed);
      return Promise.resolve();
    }, (c) => {
      assert.ok(!c.write_file.closed);
      return Promise.resolve();
    }));

  Deno.test(`${N}.testAttributes`, () =>
    run(v, (c) => {
      assert.equal(c.read_file.mode, v.read_mode);
      assert.equal(c.read_file.name, c.cli_conn.fileno());
      return Promise.resolve();
    }, (c) => {
      assert.equal(c.write_file.mode, v.write_mode);
      assert.equal(c.write_file.name, c.serv_conn.fileno());
      return Promise.resolve();
    }));

  Deno.test(`${N}.testRealClose`, () =>
    run(v, async (c) => {
      await c.read_file.close();
      assert.throws(() => c.read_file.fileno(), RangeError); // ValueError
      c.cli_conn.close();
      assert.throws(() => c.cli_conn.getsockname(), OSError);
    }));
}

// ---------------------------------------------------------------- UnbufferedFileObjectClassTestCase only

const U = VARIANTS[1]!;
const UN = `test_socket ${U.cls}`;

Deno.test(`${UN}.testUnbufferedReadline`, () =>
  run(U, async (c) => {
    const A = new TextEncoder().encode("A. "), B = new TextEncoder().encode("B. ");
    assert.deepEqual(await c.read_file.readline(), join(A, c.write_msg));
    const first = c.read_file;
    c.read_file = c.cli_conn.makefile("rb", 0);
    try {
      assert.deepEqual(await c.read_file.readline(), join(B, c.write_msg));
    } finally {
      await first.close();
    }
  }, async (c) => {
    const A = new TextEncoder().encode("A. "), B = new TextEncoder().encode("B. ");
    await c.write_file.write(join(A, c.write_msg));
    await c.write_file.write(join(B, c.write_msg));
    await c.write_file.flush();
  }));

documented(
  `${UN}.testMakefileClose`,
  "cli_conn.close() closes at once while its makefile() file is open (CPython waits until the file is closed): docs/limits.md, 'close() closes at once even while a socket file is open'",
);

not_applicable(`${UN}.testMakefileCloseSocketDestroy`, "sys.getrefcount: no reference counts in JavaScript");

documented(
  `${UN}.testSmallReadNonBlocking`,
  "a non-blocking makefile() read or readinto() with no data raises BlockingIOError (CPython's returns None): docs/limits.md, 'Some error paths raise other errors than CPython's'; run below with that one change",
);

Deno.test(`${UN}.testSmallReadNonBlocking (adapted: BlockingIOError where CPython returns None)`, () => {
  let set1!: () => void, set2!: () => void;
  const evt1 = new Promise<void>((r) => set1 = r), evt2 = new Promise<void>((r) => set2 = r);
  const wait = (p: Promise<void>, ms: number) => Promise.race([p, sleep(ms)]);
  return run(U, async (c) => {
    c.cli_conn.setblocking(false);
    await assert.rejects(c.read_file.readinto(new Uint8Array(10)), BlockingIOError);
    await assert.rejects(c.read_file.read(c.read_msg.length - 3), BlockingIOError);
    set1();
    await wait(evt2, 1000);
    let first_seg = await c.read_file.read(c.read_msg.length - 3).catch(() => null);
    if (first_seg === null) {
      await sleep(500);
      first_seg = await c.read_file.read(c.read_msg.length - 3);
    }
    const buf = new Uint8Array(10);
    const n = await c.read_file.readinto(buf);
    assert.equal(n, 3);
    assert.deepEqual(join(first_seg!, buf.slice(0, n!)), c.read_msg);
    await assert.rejects(c.read_file.readinto(new Uint8Array(16)), BlockingIOError);
    await assert.rejects(c.read_file.read(1), BlockingIOError);
  }, async (c) => {
    await wait(evt1, 1000);
    await c.write_file.write(c.write_msg);
    await c.write_file.flush();
    set2();
    await wait(c.serv_finished, 5000);
  });
});

documented(
  `${UN}.testWriteNonBlocking`,
  "an unbuffered non-blocking write that takes nothing raises BlockingIOError (CPython's returns None): docs/limits.md, 'Socket files: an unbuffered non-blocking write that takes nothing raises'; each write takes at most 256 KiB (CPython's first took 3.9 MB), so LIMIT=10 writes of 16 MiB do not fill it; run below with both changes",
);

Deno.test(`${UN}.testWriteNonBlocking (adapted: writes until BlockingIOError, at most 100)`, async () => {
  await run(U, async () => {}, async (c) => {
    c.serv_conn.setblocking(false);
    const BIG = new Uint8Array(16 << 20).fill(0x78); // support.SOCK_MAX_SIZE
    const n = await c.write_file.write(BIG);
    assert.ok(n !== null && n > 0, `first write: ${n}`);
    let saturated = false;
    for (let i = 0; i < 100; i++) {
      try {
        const m = await c.write_file.write(BIG);
        assert.ok(m !== null && m > 0);
      } catch (e) {
        assert.ok(e instanceof BlockingIOError, String(e));
        saturated = true;
        break;
      }
    }
    assert.ok(saturated, "failed to saturate the socket buffer");
  });
});
