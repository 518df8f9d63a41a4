// Socket files, Web Streams, `using`, timeout settings and the module-level
// helpers (create_connection, create_server, socketpair).

import assert from "node:assert/strict";
import {
  type AddressInput,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ConnectionRefusedError,
  create_connection,
  create_server,
  errno,
  getdefaulttimeout,
  OSError,
  setdefaulttimeout,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  socket,
  socketpair,
  TimeoutError,
} from "../mod.ts";
import {
  b,
  closed_port,
  FAMILIES,
  HAS_IPV6,
  lone_v4,
  recv_exactly,
  sleep,
  str,
  TempDir,
  Trio,
  within,
} from "./_socket_fixtures.ts";
import { stream_pair } from "./_pairs.ts";

for (const fam of FAMILIES) {
  Deno.test(`Socket.makefile("rb"/"wb") reads, reads lines, reads into and writes [${fam.name}]`, async () => {
    await using t = await Trio.open(fam);
    const w = t.cli.makefile("wb");
    assert.equal(w.mode, "wb");
    assert.equal(await w.write(b("line one\nline two\n")), 18);
    await w.write(b("partial"));
    await w.flush();
    const r = t.conn.makefile("rb");
    assert.deepEqual(await r.readline(), b("line one\n"));
    assert.deepEqual(await r.readline(4), b("line"));
    assert.deepEqual(await r.read(5), b(" two\n"));
    const into = new Uint8Array(4);
    assert.equal(await r.readinto(into), 4);
    assert.equal(str(into), "part");
    await w.write(b("\nmore\nlast"));
    await w.close();
    assert.equal(w.closed, true);
    // The socket stays open after the file closes, as in Python.
    assert.notEqual(t.cli.fileno(), -1);
    await t.cli.shutdown(SHUT_WR);
    const lines: string[] = [];
    for await (const line of r) lines.push(str(line as Uint8Array));
    assert.deepEqual(lines, ["ial\n", "more\n", "last"]);
    assert.equal((await r.read() as Uint8Array).length, 0);
    assert.equal((await r.readline() as Uint8Array).length, 0);
    await assert.rejects(w.write(b("x")), RangeError);
    await assert.rejects(r.write(b("x")), OSError);
    await r.close();
  });

  Deno.test(`Socket.makefile("r"/"w") speaks text; after a read timed out, the file refuses reads as CPython's and the socket keeps the bytes [${fam.name}]`, async () => {
    await using t = await Trio.open(fam);
    const w = t.cli.makefile("w");
    await assert.rejects(w.write(b("bytes") as unknown as string), TypeError);
    await w.write("héllo\nwörld\n");
    await w.flush();
    const r = t.conn.makefile("r");
    assert.equal(await r.readline(), "héllo\n");
    assert.equal(await r.read(3), "wör");
    assert.equal(await r.readline(), "ld\n");
    // A readline that times out: as CPython's SocketIO, that file then refuses every read (OSError without an
    // errno). A binary file's partial line stays in the socket (CPython's BufferedReader dropped it).
    const timed_out = (e: unknown) =>
      e instanceof OSError && e.errno === null && e.message === "cannot read from timed out object";
    t.conn.settimeout(0.05);
    await w.write("par");
    await w.flush();
    await assert.rejects(r.readline(), TimeoutError);
    await w.write("tial\nnext\n");
    await w.flush();
    t.conn.settimeout(5);
    await assert.rejects(r.readline(), timed_out);
    await assert.rejects(r.read(1), timed_out);
    // The text file had taken "par" (decoded, as CPython's TextIOWrapper/BufferedReader had): the socket has the rest.
    assert.equal(new TextDecoder().decode(await t.conn.recv(64)), "tial\nnext\n");
    // Binary file: the same after a timeout; a new file reads again.
    t.conn.settimeout(0.05);
    const rb = t.conn.makefile("rb");
    await t.cli.sendall(b("ab"));
    await assert.rejects(rb.readline(), TimeoutError);
    await assert.rejects(rb.read(10), timed_out);
    await assert.rejects(rb.peek(1), timed_out);
    await t.cli.sendall(b("c\n"));
    t.conn.settimeout(5);
    await assert.rejects(rb.readline(), timed_out);
    assert.deepEqual(await t.conn.makefile("rb").readline(), b("abc\n"));
    await w.close();
    await r.close();
  });
}

Deno.test("Socket.makefile() validates mode and buffering as Python does", async () => {
  const [a, c] = await socketpair();
  using _a = a;
  using _c = c;
  assert.throws(() => a.makefile("x"), { name: "RangeError", message: "invalid mode 'x' (only r, w, b allowed)" });
  assert.throws(() => a.makefile("r", 0), { name: "RangeError", message: "unbuffered streams must be binary" });
  // Unbuffered binary writes go straight out.
  const w = a.makefile("wb", 0);
  await w.write(b("now"));
  assert.equal(str(await recv_exactly(c, 3)), "now");
});

Deno.test("Socket.readable/writable pipe through CompressionStream and back", async () => {
  for (const fam of FAMILIES) {
    await using t = await Trio.open(fam);
    const text = "pysocket ".repeat(50_000);
    const sent = b(text);
    const writing = ReadableStream.from([sent.subarray(0, 1000), sent.subarray(1000)])
      .pipeThrough(new CompressionStream("gzip"))
      .pipeTo(t.cli.writable); // closing it is SHUT_WR: the peer sees EOF
    const chunks = await within(
      Array.fromAsync(t.conn.readable.pipeThrough(new DecompressionStream("gzip"))),
      10_000,
      "decompress",
    );
    await writing;
    const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      got.set(c, o);
      o += c.length;
    }
    assert.equal(str(got), text, fam.name);
    // The other direction still works after the half-close.
    await t.conn.sendall(b("ack"));
    assert.equal(str(await recv_exactly(t.cli, 3)), "ack");
  }
});

Deno.test("Socket with using / await using is closed at scope exit", async () => {
  const [a, c] = await stream_pair(AF_INET);
  let fd: number;
  {
    using s = a;
    fd = s.fileno();
    assert.ok(fd >= 0);
  }
  assert.equal(a.fileno(), -1);
  assert.equal((await c.recv(1)).length, 0);
  c.close();
  // await using: bytes queued by a send with a timeout are flushed first.
  const [x, y] = await socketpair();
  const big = new Uint8Array(1024 * 1024).fill(7);
  const reading = within(recv_exactly(y, big.length + 1), 10_000, "drain");
  {
    await using s = x;
    s.settimeout(5);
    await s.sendall(big);
  }
  assert.equal(x.fileno(), -1);
  assert.equal((await reading).length, big.length);
  y.close();
});

Deno.test("Socket.settimeout()/setblocking() and setdefaulttimeout() validate as Python does", () => {
  using s = socket();
  assert.equal(s.gettimeout(), null);
  assert.equal(s.getblocking(), true);
  s.settimeout(2.5);
  assert.equal(s.gettimeout(), 2.5);
  assert.equal(s.timeout, 2.5);
  assert.equal(s.getblocking(), true);
  s.settimeout(0);
  assert.equal(s.getblocking(), false);
  s.settimeout(null);
  assert.equal(s.gettimeout(), null);
  s.setblocking(false);
  assert.equal(s.gettimeout(), 0);
  s.setblocking(true);
  assert.equal(s.gettimeout(), null);
  s.settimeout(true as unknown as number); // a bool is an int in Python
  assert.equal(s.gettimeout(), 1);
  // Messages are CPython 3.11's (ValueError/OverflowError -> RangeError).
  const bad: [unknown, string, string][] = [
    [-1, "RangeError", "Timeout value out of range"],
    [NaN, "RangeError", "Invalid value NaN (not a number)"],
    [Infinity, "RangeError", "timestamp out of range for platform time_t"],
    [1e10, "RangeError", "timestamp out of range for platform time_t"],
    ["x", "TypeError", "'str' object cannot be interpreted as an integer"],
    [[], "TypeError", "'tuple' object cannot be interpreted as an integer"],
  ];
  for (const [v, name, message] of bad) {
    assert.throws(() => s.settimeout(v as number), { name, message }, String(v));
    assert.throws(() => setdefaulttimeout(v as number), { name, message }, String(v));
  }
  assert.equal(s.gettimeout(), 1, "a rejected value changes nothing");
  assert.throws(() => s.setblocking("x" as unknown as boolean), {
    name: "TypeError",
    message: "'str' object cannot be interpreted as an integer",
  });
  assert.throws(() => s.setblocking(null as unknown as boolean), TypeError);
  // setdefaulttimeout applies to sockets created afterwards.
  assert.equal(getdefaulttimeout(), null);
  setdefaulttimeout(3);
  try {
    assert.equal(getdefaulttimeout(), 3);
    using t = socket(AF_UNIX);
    assert.equal(t.gettimeout(), 3);
    assert.equal(s.gettimeout(), 1);
  } finally {
    setdefaulttimeout(null);
  }
  using u = socket();
  assert.equal(u.gettimeout(), null);
});

Deno.test("Socket.recv() honours a timeout longer than setTimeout's 24.8-day limit", async () => {
  const [a, c] = await socketpair();
  using _a = a;
  using _c = c;
  c.settimeout(3e6); // 34.7 days: more than 2**31-1 ms
  const p = c.recv(10);
  await sleep(50);
  await a.sendall(b("slow"));
  assert.equal(str(await within(p, 5000, "recv")), "slow");
});

Deno.test("create_connection() connects with a timeout and reports refusals", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const [host, port] = srv.getsockname() as [string, number];
  {
    using c = await create_connection([host, port], 5);
    assert.equal(c.gettimeout(), 5);
    assert.equal(c.family, AF_INET);
    assert.deepEqual(c.getpeername(), [host, port]);
    const [conn] = await srv.accept();
    using _conn = conn;
    await c.sendall(b("hi"));
    assert.equal(str(await recv_exactly(conn, 2)), "hi");
  }
  {
    using c = await create_connection([host, port], { timeout: null });
    assert.equal(c.gettimeout(), null);
    const [conn] = await srv.accept();
    conn.close();
  }
  // A port freed on a loopback address of its own: no other test file (run in parallel) can be given it meanwhile.
  const lone = lone_v4();
  await assert.rejects(create_connection([lone, closed_port(lone)]), ConnectionRefusedError);
  // CPython hands the port to getaddrinfo (-1: "Servname not supported") and unpacks the address as a pair.
  await assert.rejects(create_connection(["127.0.0.1", -1]), OSError);
  await assert.rejects(create_connection("127.0.0.1" as unknown as [string, number]), RangeError);
  await assert.rejects(create_connection(5 as unknown as [string, number]), TypeError);
});

Deno.test("create_server() listens on each family and validates its options", async () => {
  using dir = new TempDir();
  const cases: [number, AddressInput][] = [[AF_INET, ["127.0.0.1", 0]], [AF_UNIX, dir.sock()]];
  if (HAS_IPV6) cases.push([AF_INET6, ["::1", 0]]);
  for (const [family, addr] of cases) {
    using srv = create_server(addr, { family, backlog: 8 });
    assert.equal(srv.family, family);
    assert.equal(srv.type, SOCK_STREAM);
    using c = socket(family);
    await c.connect(srv.getsockname() as AddressInput);
    const [conn] = await srv.accept();
    conn.close();
  }
  if (HAS_IPV6) {
    using dual = create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true });
    const port = dual.getsockname()[1];
    using c4 = socket(AF_INET);
    await c4.connect(["127.0.0.1", port]);
    const [conn, addr] = await dual.accept();
    conn.close();
    assert.equal(addr[0], "::ffff:127.0.0.1");
  }
  assert.throws(() => create_server(["127.0.0.1", 0], { dualstack_ipv6: true }), {
    name: "RangeError",
    message: "dualstack_ipv6 requires AF_INET6 family",
  });
  using taken = create_server(["127.0.0.1", 0]);
  assert.throws(
    () => create_server(taken.getsockname() as AddressInput),
    (e: unknown) => e instanceof OSError && e.errno === errno.EADDRINUSE,
  );
});

Deno.test("socketpair() gives two connected sockets of the family asked for", async () => {
  const families = [AF_UNIX, AF_INET, ...(HAS_IPV6 ? [AF_INET6] : [])];
  for (const family of families) {
    const [a, c] = family === AF_UNIX ? await socketpair() : await stream_pair(family);
    using _a = a;
    using _c = c;
    assert.equal(a.family, family);
    assert.equal(c.family, family);
    assert.equal(a.type, SOCK_STREAM);
    await a.sendall(b("to c"));
    assert.equal(str(await recv_exactly(c, 4)), "to c");
    await c.sendall(b("to a"));
    assert.equal(str(await recv_exactly(a, 4)), "to a");
  }
  // SOCK_DGRAM pairs exist for AF_UNIX only, as on Linux (CPython: EOPNOTSUPP for AF_INET).
  await assert.rejects(socketpair(AF_INET, 2), (e: unknown) => e instanceof OSError && e.errno === errno.EOPNOTSUPP);
  const [d, e] = await socketpair(AF_UNIX, 2);
  using _d = d;
  using _e = e;
  await d.send(b("datagram"));
  assert.equal(str(await e.recv(4)), "data"); // the rest of the datagram is discarded, as the kernel does
});

Deno.test("socket() rejects an unknown family, type or protocol with Python's OSError", () => {
  const cases: [unknown[], number][] = [
    [[999], errno.EAFNOSUPPORT],
    [[AF_INET, 999], errno.EINVAL],
    [[AF_UNIX, SOCK_STREAM, 6], errno.EPROTONOSUPPORT],
    [[AF_INET, SOCK_STREAM, 17], errno.EPROTONOSUPPORT],
  ];
  for (const [args, code] of cases) {
    assert.throws(
      () => socket(...(args as [number, number, number])),
      (e: unknown) => e instanceof OSError && e.errno === code,
      JSON.stringify(args),
    );
  }
  assert.throws(() => socket("x" as unknown as number), {
    name: "TypeError",
    message: "'str' object cannot be interpreted as an integer",
  });
  using tcp = socket(AF_INET, SOCK_STREAM, 6);
  assert.equal(tcp.proto, 6);
  // SOCK_NONBLOCK and SOCK_CLOEXEC are flags: the type stays SOCK_STREAM, the socket is non-blocking.
  using nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  assert.equal(nb.type, SOCK_STREAM);
  assert.equal(nb.gettimeout(), 0);
});
