// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: BasicTCPTest, BasicUDPTest, BasicSocketPairTest,
// TCPCloserTest, NonBlockingTCPTests, TCPTimeoutTest, UDPTimeoutTest, BufferIOTest, ContextManagersTest. Each
// Deno test asserts what the CPython test asserts; ThreadableTest's two threads are two concurrent tasks.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  create_connection,
  getdefaulttimeout,
  OSError,
  setdefaulttimeout,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { select } from "../selectors.ts";
import {
  cat,
  connected,
  documented,
  enc,
  HOST,
  MSG,
  not_applicable,
  pair_test,
  tcp_serv,
  tcp_threaded,
  threaded,
  udp_threaded,
  with_default_timeout,
} from "./_cpy_socket.ts";
import { attempt, cpython, sleep } from "./_twin.ts";

const T = "test_socket";

// ---------------------------------------------------------------- BasicTCPTest and BasicTCPTest2

/** A BasicTCPTest method, run as BasicTCPTest and as BasicTCPTest2 (NetworkConnectionTest: create_connection client). */
function test2(name: string, fn: (via_create_connection: boolean) => Promise<void>): void {
  Deno.test(name, () => fn(false));
  Deno.test(name.replace("BasicTCPTest.", "BasicTCPTest2."), () => fn(true));
}

test2(`${T} BasicTCPTest.testRecv`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    assert.deepEqual(await t.cli_conn.recv(1024), MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

test2(`${T} BasicTCPTest.testOverFlowRecv`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    const seg1 = await t.cli_conn.recv(MSG.length - 3);
    const seg2 = await t.cli_conn.recv(1024);
    assert.deepEqual(cat(seg1, seg2), MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

test2(`${T} BasicTCPTest.testRecvFrom`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    const [msg] = await t.cli_conn.recvfrom(1024);
    assert.deepEqual(msg, MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

test2(`${T} BasicTCPTest.testOverFlowRecvFrom`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    const [seg1] = await t.cli_conn.recvfrom(MSG.length - 3);
    const [seg2] = await t.cli_conn.recvfrom(1024);
    assert.deepEqual(cat(seg1, seg2), MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

test2(`${T} BasicTCPTest.testSendAll`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 10_000; i++) {
      const read = await t.cli_conn.recv(1024);
      if (!read.length) break;
      parts.push(read);
    }
    assert.deepEqual(cat(...parts), new Uint8Array(2048).fill(0x66));
  }, async () => {
    await t.serv_conn.sendall(new Uint8Array(2048).fill(0x66));
    t.serv_conn.close(); // clientTearDown closes serv_conn: the server's loop sees b''
  });
});

documented(
  `${T} BasicTCPTest.testFromFd`,
  "fromfd() of a live socket's fileno(): pysocket numbers are not OS descriptors, fromfd() adopts only a detached number (docs/limits.md 'No file descriptors')",
);

documented(
  `${T} BasicTCPTest.testDup`,
  "socket.dup(): Deno has no descriptor to duplicate; dup() raises EOPNOTSUPP saying so (docs/limits.md 'No file descriptors')",
);

test2(`${T} BasicTCPTest.testShutdown`, async (cc) => {
  using t = await connected(cc);
  let done!: () => void;
  const is_done = new Promise<void>((r) => done = r);
  await threaded(async () => {
    assert.deepEqual(await t.cli_conn.recv(1024), MSG);
    await is_done;
  }, async () => {
    try {
      await t.serv_conn.send(MSG);
      await t.serv_conn.shutdown(2);
    } finally {
      done();
    }
  });
});

Deno.test(`${T} BasicTCPTest.testShutdown_overflow (C2-1, fixed by fix19b)`, async () => {
  using t = await connected();
  await threaded(async () => {
    assert.deepEqual(await t.cli_conn.recv(1024), MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
    // _testcapi.INT_MAX + 1 and 2 + (UINT_MAX + 1): OverflowError, here RangeError.
    await assert.rejects(t.serv_conn.shutdown(2 ** 31), RangeError);
    await assert.rejects(t.serv_conn.shutdown(2 + 2 ** 32), RangeError);
    await t.serv_conn.shutdown(2);
  });
});

Deno.test(`${T} BasicTCPTest.testShutdown_overflow (C int and C long siblings, CPython twin) (C2-1, fixed by fix19b)`, async () => {
  const CASES: [string, number[]][] = [
    ["shutdown", [2 ** 31]],
    ["shutdown", [2 + 2 ** 32]],
    ["shutdown", [-(2 ** 31) - 1]],
    ["shutdown", [-1]],
    ["setblocking", [2 ** 63]],
    ["setblocking", [2 ** 32]],
    ["setsockopt", [2 ** 31, 9, 1]],
    ["getsockopt", [1, 2 ** 31]],
    ["getsockopt", [2 ** 31, 9]],
  ];
  const py = await cpython(`
s = socket()
out = []
for f, a in ${JSON.stringify(CASES)}:
    out.append(attempt(lambda: getattr(s, f)(*[int(x) for x in a])))
s.close()
print(json.dumps(out))
`);
  using s = socket();
  const got: unknown[] = [];
  for (const [f, a] of CASES) {
    const fn = (s as unknown as Record<string, (...x: number[]) => unknown>)[f]!;
    got.push(await attempt(() => fn.apply(s, a)).then((r) => r[0] === "RangeError" ? ["OverflowError", null] : r));
  }
  assert.deepEqual(got, py);
});

test2(`${T} BasicTCPTest.testDetach`, async (cc) => {
  using t = await connected(cc);
  await threaded(async () => {
    const fileno = t.cli_conn.fileno();
    const f = t.cli_conn.detach();
    assert.equal(f, fileno);
    assert.ok(t.cli_conn._closed);
    await assert.rejects(t.cli_conn.recv(1024), OSError);
    t.cli_conn.close();
    using sock = socket(AF_INET, SOCK_STREAM, { fileno: f });
    assert.deepEqual(await sock.recv(1024), MSG);
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

// ---------------------------------------------------------------- BasicUDPTest

Deno.test(`${T} BasicUDPTest.testSendtoAndRecv`, async () => {
  using t = udp_threaded();
  await threaded(async () => {
    assert.deepEqual(await t.serv.recv(MSG.length), MSG);
  }, async () => {
    await t.cli.sendto(MSG, 0, [HOST, t.port]);
  });
});

Deno.test(`${T} BasicUDPTest.testRecvFrom`, async () => {
  using t = udp_threaded();
  await threaded(async () => {
    const [msg] = await t.serv.recvfrom(MSG.length);
    assert.deepEqual(msg, MSG);
  }, async () => {
    await t.cli.sendto(MSG, 0, [HOST, t.port]);
  });
});

Deno.test(`${T} BasicUDPTest.testRecvFromNegative`, async () => {
  using t = udp_threaded();
  await threaded(async () => {
    await assert.rejects(t.serv.recvfrom(-1), RangeError); // ValueError
  }, async () => {
    await t.cli.sendto(MSG, 0, [HOST, t.port]);
  });
});

not_applicable(`${T} BasicUDPLITETest`, "UDP-Lite (IPPROTO_UDPLITE): Deno has no UDP-Lite sockets");

// ---------------------------------------------------------------- TCPCloserTest

Deno.test(`${T} TCPCloserTest.testClose`, async () => {
  using t = tcp_threaded();
  await threaded(async () => {
    const [conn] = await t.serv.accept();
    conn.close();
    const sd = t.cli;
    const [read] = await select([sd], [], [], 1.0);
    assert.deepEqual(read, [sd]);
    assert.deepEqual(await sd.recv(1), new Uint8Array());
    conn.close();
    conn.close();
  }, async () => {
    await t.cli.connect([HOST, t.port]);
    await sleep(1000);
  });
});

// ---------------------------------------------------------------- BasicSocketPairTest

function check_defaults(sock: Socket): void {
  assert.ok(sock instanceof Socket);
  assert.equal(sock.family, AF_UNIX);
  assert.equal(sock.type, SOCK_STREAM);
  assert.equal(sock.proto, 0);
}

Deno.test(`${T} BasicSocketPairTest.testDefaults`, async () => {
  using t = await pair_test();
  check_defaults(t.serv);
  check_defaults(t.cli);
});

Deno.test(`${T} BasicSocketPairTest.testRecv`, async () => {
  using t = await pair_test();
  await threaded(async () => {
    assert.deepEqual(await t.serv.recv(1024), MSG);
  }, async () => {
    await t.cli.send(MSG);
  });
});

Deno.test(`${T} BasicSocketPairTest.testSend`, async () => {
  using t = await pair_test();
  await threaded(async () => {
    await t.serv.send(MSG);
  }, async () => {
    assert.deepEqual(await t.cli.recv(1024), MSG);
  });
});

// ---------------------------------------------------------------- NonBlockingTCPTests

function assert_sock_timeout(serv: Socket, sock: Socket, timeout: number | null): void {
  assert.equal(serv.gettimeout(), timeout);
  assert.equal(sock.getblocking(), timeout !== 0);
  // (CPython also checks O_NONBLOCK with fcntl: Deno gives no fd.)
}

Deno.test(`${T} NonBlockingTCPTests.testSetBlocking`, () => {
  using t = tcp_threaded();
  t.serv.setblocking(true);
  assert_sock_timeout(t.serv, t.serv, null);
  t.serv.setblocking(false);
  assert_sock_timeout(t.serv, t.serv, 0.0);
  t.serv.settimeout(null);
  assert_sock_timeout(t.serv, t.serv, null);
  t.serv.settimeout(0);
  assert_sock_timeout(t.serv, t.serv, 0);
  t.serv.settimeout(10);
  assert_sock_timeout(t.serv, t.serv, 10);
  t.serv.settimeout(0);
  assert_sock_timeout(t.serv, t.serv, 0);
});

Deno.test(`${T} NonBlockingTCPTests.testSetBlocking_overflow`, () => {
  using t = tcp_threaded();
  t.serv.setblocking(false);
  assert_sock_timeout(t.serv, t.serv, 0.0);
  t.serv.setblocking(2 ** 32); // UINT_MAX + 1: true, not truncated to 0
  assert_sock_timeout(t.serv, t.serv, null);
});

Deno.test(`${T} NonBlockingTCPTests.testInitNonBlocking`, () => {
  using serv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  assert_sock_timeout(serv, serv, 0);
});

Deno.test(`${T} NonBlockingTCPTests.testInheritFlagsBlocking`, async () => {
  using t = tcp_threaded();
  await with_default_timeout(setdefaulttimeout, getdefaulttimeout, null, async () => {
    t.serv.settimeout(10);
    const [[conn]] = await Promise.all([t.serv.accept(), t.cli.connect([HOST, t.port])]);
    using _c = conn;
    assert.equal(conn.gettimeout(), null);
  });
});

Deno.test(`${T} NonBlockingTCPTests.testInheritFlagsTimeout`, async () => {
  using t = tcp_threaded();
  await with_default_timeout(setdefaulttimeout, getdefaulttimeout, 20.0, async () => {
    t.serv.settimeout(10);
    const [[conn]] = await Promise.all([t.serv.accept(), t.cli.connect([HOST, t.port])]);
    using _c = conn;
    assert.equal(conn.gettimeout(), 20.0);
  });
});

Deno.test(`${T} NonBlockingTCPTests.testAccept`, async () => {
  using t = tcp_threaded();
  let set!: () => void;
  const event = new Promise<void>((r) => set = r);
  await threaded(async () => {
    t.serv.setblocking(false);
    const start = performance.now();
    await assert.rejects(t.serv.accept(), BlockingIOError);
    assert.ok(performance.now() - start < 1000);
    set();
    const [read] = await select([t.serv], [], [], 10);
    assert.ok(read.includes(t.serv), "Error trying to do accept after select.");
    const [conn] = await t.serv.accept();
    using _c = conn;
    assert.equal(conn.gettimeout(), null);
  }, async () => {
    await event;
    await t.cli.connect([HOST, t.port]);
  });
});

Deno.test(`${T} NonBlockingTCPTests.testRecv`, async () => {
  using t = tcp_threaded();
  let set!: () => void;
  const event = new Promise<void>((r) => set = r);
  await threaded(async () => {
    const [conn] = await t.serv.accept();
    using _c = conn;
    conn.setblocking(false);
    await assert.rejects(conn.recv(MSG.length), BlockingIOError);
    set();
    const [read] = await select([conn], [], [], 10);
    assert.ok(read.includes(conn), "Error during select call to non-blocking socket.");
    assert.deepEqual(await conn.recv(MSG.length), MSG);
  }, async () => {
    await t.cli.connect([HOST, t.port]);
    await event;
    await t.cli.sendall(MSG);
  });
});

// ---------------------------------------------------------------- TCPTimeoutTest / UDPTimeoutTest

Deno.test(`${T} TCPTimeoutTest.testTCPTimeout`, async () => {
  using t = tcp_serv();
  t.serv.settimeout(1.0);
  await assert.rejects(t.serv.accept(), TimeoutError);
});

Deno.test(`${T} TCPTimeoutTest.testTimeoutZero`, async () => {
  using t = tcp_serv();
  t.serv.settimeout(0.0);
  const e = await t.serv.accept().then(() => null, (e) => e);
  assert.ok(e !== null, "accept() returned success when we did not expect it");
  assert.ok(!(e instanceof TimeoutError), "caught timeout instead of error (TCP)");
  assert.ok(e instanceof OSError, `caught unexpected exception (TCP): ${e}`);
});

not_applicable(`${T} TCPTimeoutTest.testInterruptedTimeout`, "signal.alarm() interrupting a blocking call: no signals");

Deno.test(`${T} UDPTimeoutTest.testUDPTimeout`, async () => {
  using t = udp_threaded();
  t.serv.settimeout(1.0);
  await assert.rejects(t.serv.recv(1024), TimeoutError);
});

Deno.test(`${T} UDPTimeoutTest.testTimeoutZero`, async () => {
  using t = udp_threaded();
  t.serv.settimeout(0.0);
  const e = await t.serv.recv(1024).then(() => null, (e) => e);
  assert.ok(e !== null, "recv() returned success when we did not expect it");
  assert.ok(!(e instanceof TimeoutError), "caught timeout instead of error (UDP)");
  assert.ok(e instanceof OSError, `caught unexpected exception (UDP): ${e}`);
});

not_applicable(`${T} UDPLITETimeoutTest`, "UDP-Lite: Deno has no UDP-Lite sockets");

// ---------------------------------------------------------------- BufferIOTest

async function buffer_io(
  name: string,
  recv: (conn: Socket) => Promise<[number, Uint8Array]>,
): Promise<void> {
  using t = await connected();
  await threaded(async () => {
    const [nbytes, buf] = await recv(t.cli_conn);
    assert.equal(nbytes, MSG.length, name);
    assert.deepEqual(buf.slice(0, MSG.length), MSG, name);
  }, async () => {
    await t.serv_conn.send(MSG.slice());
  });
}

Deno.test(`${T} BufferIOTest.testRecvIntoArray`, () =>
  buffer_io("testRecvIntoArray", async (c) => {
    const buf = new Uint8Array(MSG.length); // array.array("B", [0] * len(MSG))
    return [await c.recv_into(buf), buf];
  }));

Deno.test(`${T} BufferIOTest.testRecvIntoBytearray`, () =>
  buffer_io("testRecvIntoBytearray", async (c) => {
    const buf = new Uint8Array(1024);
    return [await c.recv_into(buf), buf];
  }));

Deno.test(`${T} BufferIOTest.testRecvIntoMemoryview`, () =>
  buffer_io("testRecvIntoMemoryview", async (c) => {
    const ab = new ArrayBuffer(1024);
    return [await c.recv_into(new DataView(ab)), new Uint8Array(ab)];
  }));

Deno.test(`${T} BufferIOTest.testRecvFromIntoArray`, () =>
  buffer_io("testRecvFromIntoArray", async (c) => {
    const buf = new Uint8Array(MSG.length);
    const [n] = await c.recvfrom_into(buf);
    return [n, buf];
  }));

Deno.test(`${T} BufferIOTest.testRecvFromIntoBytearray`, () =>
  buffer_io("testRecvFromIntoBytearray", async (c) => {
    const buf = new Uint8Array(1024);
    const [n] = await c.recvfrom_into(buf);
    return [n, buf];
  }));

Deno.test(`${T} BufferIOTest.testRecvFromIntoMemoryview`, () =>
  buffer_io("testRecvFromIntoMemoryview", async (c) => {
    const ab = new ArrayBuffer(1024);
    const [n] = await c.recvfrom_into(new DataView(ab));
    return [n, new Uint8Array(ab)];
  }));

Deno.test(`${T} BufferIOTest.testRecvFromIntoSmallBuffer`, async () => {
  using t = await connected();
  await threaded(async () => {
    await assert.rejects(t.cli_conn.recvfrom_into(new Uint8Array(8), 1024), RangeError); // ValueError
  }, async () => {
    await t.serv_conn.send(MSG);
  });
});

Deno.test(`${T} BufferIOTest.testRecvFromIntoEmptyBuffer`, async () => {
  using t = await connected();
  await threaded(async () => {
    const buf = new Uint8Array(0);
    await t.cli_conn.recvfrom_into(buf);
    await t.cli_conn.recvfrom_into(buf, 0);
  }, async () => {
    await t.serv_conn.send(MSG.slice());
  });
});

// ---------------------------------------------------------------- ContextManagersTest

Deno.test(`${T} ContextManagersTest._testSocketClass`, async () => {
  let sock: Socket;
  {
    using s = socket();
    sock = s;
    assert.ok(!sock._closed);
  }
  assert.ok(sock._closed);
  {
    using s = socket();
    sock = s;
    s.close();
  }
  assert.ok(sock._closed);
  {
    using s = socket();
    sock = s;
    await assert.rejects(s.sendall(enc("foo")), OSError);
  }
  assert.ok(sock._closed);
});

Deno.test(`${T} ContextManagersTest.testCreateConnectionBase`, async () => {
  using t = tcp_threaded();
  await threaded(async () => {
    const [conn] = await t.serv.accept();
    using _c = conn;
    const data = await conn.recv(1024);
    await conn.sendall(data);
  }, async () => {
    const address = t.serv.getsockname() as [string, number];
    let sock: Socket;
    {
      using s = await create_connection(address);
      sock = s;
      assert.ok(!s._closed);
      await s.sendall(enc("foo"));
      assert.deepEqual(await s.recv(1024), enc("foo"));
    }
    assert.ok(sock._closed);
  });
});

Deno.test(`${T} ContextManagersTest.testCreateConnectionClose`, async () => {
  using t = tcp_threaded();
  await threaded(async () => {
    const [conn] = await t.serv.accept();
    using _c = conn;
    const data = await conn.recv(1024);
    await conn.sendall(data);
  }, async () => {
    const address = t.serv.getsockname() as [string, number];
    let sock: Socket;
    {
      using s = await create_connection(address);
      sock = s;
      s.close();
    }
    assert.ok(sock._closed);
    await assert.rejects(sock.sendall(enc("foo")), OSError);
  });
});
