// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: SendfileUsingSendTest and SendfileUsingSendfileTest.
// CPython runs each test twice, through its private _sendfile_use_send() and _sendfile_use_sendfile(); pysocket has
// one implementation behind the public sendfile(), so each test runs once through it (both class names are in the
// test name). The server task reads while the client task sends, as CPython's two threads.

import assert from "node:assert/strict";
import { create_connection, SOCK_DGRAM, type Socket, socket, TimeoutError } from "../mod.ts";
import { not_applicable, tcp_serv, threaded } from "./_cpy_socket.ts";
import { rng, sleep } from "./_twin.ts";

const N = "test_socket SendfileUsingSendTest/SendfileUsingSendfileTest";
const FILESIZE = 10 * 1024 * 1024;
const BUFSIZE = 8192;
const TIMEOUT = 10; // support.LOOPBACK_TIMEOUT

// setUpClass: a file of FILESIZE bytes, one random BUFSIZE chunk of ASCII letters repeated.
const dir = Deno.makeTempDirSync({ prefix: "pysocket-cpy2-" });
const TESTFN = `${dir}/sendfile`;
const FILEDATA = (() => {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const r = rng(6032);
  const chunk = new Uint8Array(BUFSIZE).map(() => letters.charCodeAt(Math.floor(r() * letters.length)));
  const data = new Uint8Array(FILESIZE);
  for (let at = 0; at < FILESIZE; at += BUFSIZE) data.set(chunk.subarray(0, Math.min(BUFSIZE, FILESIZE - at)), at);
  Deno.writeFileSync(TESTFN, data);
  return data;
})();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

const tell = (f: { seek(o: number, w: Deno.SeekMode): Promise<number> }) => f.seek(0, Deno.SeekMode.Current);

/** io.BytesIO: a file object that is not a regular file. */
class BytesIO {
  #pos = 0;
  constructor(readonly data: Uint8Array) {}
  read(p: Uint8Array): Promise<number | null> {
    if (this.#pos >= this.data.length) return Promise.resolve(null);
    const n = Math.min(p.length, this.data.length - this.#pos);
    p.set(this.data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return Promise.resolve(n);
  }
  seek(offset: number, whence: Deno.SeekMode): Promise<number> {
    const base = whence === Deno.SeekMode.Start ? 0 : whence === Deno.SeekMode.Current ? this.#pos : this.data.length;
    this.#pos = base + offset;
    return Promise.resolve(this.#pos);
  }
}

/** One test: `server` gets the accepted connection (accept_conn()), `client` the listener's address. */
async function run(server: (conn: Socket) => Promise<void>, client: (address: [string, number]) => Promise<void>) {
  using t = tcp_serv();
  await threaded(
    async () => {
      t.serv.settimeout(60); // support.LONG_TIMEOUT
      const [conn] = await t.serv.accept();
      conn.settimeout(TIMEOUT);
      using _c = conn;
      await server(conn);
    },
    () => client(t.serv.getsockname() as [string, number]),
    60_000,
  );
}

/** recv_data(): every byte until EOF. */
async function recv_data(conn: Socket): Promise<Uint8Array> {
  const received: Uint8Array[] = [];
  for (let i = 0; i < 100_000; i++) {
    const chunk = await conn.recv(BUFSIZE);
    if (!chunk.length) break;
    received.push(chunk);
  }
  const out = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of received) out.set(c, at), at += c.length;
  return out;
}

/** assertEqual on large bytes without printing 10 MiB on failure. */
function same(a: Uint8Array, b: Uint8Array): void {
  assert.equal(a.length, b.length);
  const i = a.findIndex((x, k) => x !== b[k]);
  assert.equal(i, -1, `first difference at ${i}`);
}

Deno.test(`${N}.testRegularFile`, () =>
  run(async (conn) => {
    same(await recv_data(conn), FILEDATA);
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address);
    assert.equal(await sock.sendfile(file), FILESIZE);
    assert.equal(await tell(file), FILESIZE);
  }));

Deno.test(`${N}.testNonRegularFile`, () =>
  run(async (conn) => {
    same(await recv_data(conn), FILEDATA);
  }, async (address) => {
    const file = new BytesIO(FILEDATA);
    using sock = await create_connection(address);
    assert.equal(await sock.sendfile(file), FILESIZE);
    assert.equal(await tell(file), FILESIZE);
    // (CPython also checks that its private _sendfile_use_sendfile() gives up on BytesIO: no counterpart.)
  }));

Deno.test(`${N}.testEmptyFileSend`, () =>
  run(async (conn) => {
    assert.deepEqual(await recv_data(conn), new Uint8Array());
  }, async (address) => {
    const filename = TESTFN + "2";
    Deno.writeFileSync(filename, new Uint8Array());
    try {
      using file = await Deno.open(filename);
      using sock = await create_connection(address);
      assert.equal(await sock.sendfile(file), 0);
      assert.equal(await tell(file), 0);
    } finally {
      Deno.removeSync(filename);
    }
  }));

Deno.test(`${N}.testOffset`, () =>
  run(async (conn) => {
    same(await recv_data(conn), FILEDATA.subarray(5000));
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address);
    assert.equal(await sock.sendfile(file, { offset: 5000 }), FILESIZE - 5000);
    assert.equal(await tell(file), FILESIZE);
  }));

Deno.test(`${N}.testCount`, () => {
  const count = 5000007;
  return run(async (conn) => {
    same(await recv_data(conn), FILEDATA.subarray(0, count));
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address, { timeout: TIMEOUT });
    assert.equal(await sock.sendfile(file, { count }), count);
    assert.equal(await tell(file), count);
  });
});

Deno.test(`${N}.testCountSmall`, () => {
  const count = 1;
  return run(async (conn) => {
    same(await recv_data(conn), FILEDATA.subarray(0, count));
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address, { timeout: TIMEOUT });
    assert.equal(await sock.sendfile(file, { count }), count);
    assert.equal(await tell(file), count);
  });
});

Deno.test(`${N}.testCountWithOffset`, () => {
  const count = 100007;
  return run(async (conn) => {
    same(await recv_data(conn), FILEDATA.subarray(2007, count + 2007));
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address, { timeout: 2 });
    assert.equal(await sock.sendfile(file, { offset: 2007, count }), count);
    assert.equal(await tell(file), count + 2007);
  });
});

Deno.test(`${N}.testNonBlocking`, () =>
  run(async (conn) => {
    assert.ok(!(await conn.recv(8192)).length, "was not supposed to receive any data");
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address);
    sock.setblocking(false);
    await assert.rejects(sock.sendfile(file), RangeError); // ValueError (both of CPython's calls: one method here)
  }));

Deno.test(`${N}.testWithTimeout`, () =>
  run(async (conn) => {
    same(await recv_data(conn), FILEDATA);
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address, { timeout: TIMEOUT });
    assert.equal(await sock.sendfile(file), FILESIZE);
  }));

Deno.test(`${N}.testWithTimeoutTriggeredSend`, () =>
  run(async (conn) => {
    await conn.recv(88192);
    await sleep(1000);
  }, async (address) => {
    using file = await Deno.open(TESTFN);
    using sock = await create_connection(address);
    sock.settimeout(0.01);
    await assert.rejects(sock.sendfile(file), TimeoutError);
  }));

Deno.test(`${N}.test_errors`, async () => {
  {
    using file = await Deno.open(TESTFN);
    using s = socket({ type: SOCK_DGRAM });
    await assert.rejects(s.sendfile(file), (e: Error) => e instanceof RangeError && /SOCK_STREAM/.test(e.message));
  }
  // (CPython's second case, a file opened in text mode, has no counterpart: Deno's files are binary.)
  {
    using file = await Deno.open(TESTFN);
    using s = socket();
    const count = (c: unknown) => s.sendfile(file, { count: c as number });
    await assert.rejects(count("2"), (e: Error) => e instanceof TypeError && /positive integer/.test(e.message));
    await assert.rejects(count(0.1), (e: Error) => e instanceof TypeError && /positive integer/.test(e.message));
    await assert.rejects(count(0), (e: Error) => e instanceof RangeError && /positive integer/.test(e.message));
    await assert.rejects(count(-1), (e: Error) => e instanceof RangeError && /positive integer/.test(e.message));
  }
});

not_applicable(
  `${N}._sendfile_use_sendfile / _sendfile_use_send`,
  "CPython's private methods behind sendfile() (os.sendfile vs send()): pysocket has one implementation, run through sendfile() above",
);
