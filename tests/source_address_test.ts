// Binding a local address before connecting: Socket.bind() then connect()
// and create_connection(source_address=...). Deno.connect cannot choose the
// local address, so these connections go through Deno's node:net (via
// _duplex.ts); the tests check that the peer really sees the chosen address
// and that the socket behaves as every other stream socket on that path.

import assert from "node:assert/strict";
import {
  type AddressInput,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  ConnectionRefusedError,
  create_connection,
  create_server,
  errno,
  gaierror,
  OSError,
  SHUT_WR,
  SO_ERROR,
  type Socket,
  socket,
  SOL_SOCKET,
  TimeoutError,
} from "../mod.ts";
import { staggered_race } from "../_happy_eyeballs.ts";
import { select } from "../selectors.ts";
import {
  b,
  closed_port,
  HAS_IPV6,
  held_closed_port,
  lone_v4,
  recv_exactly,
  sleep,
  str,
  TempDir,
  test_needing,
  within,
} from "./_socket_fixtures.ts";

const test = test_needing("python3");

interface IpFamily {
  name: string;
  family: number;
  host: string;
}

const IP_FAMILIES: IpFamily[] = [
  { name: "AF_INET", family: AF_INET, host: "127.0.0.1" },
  ...(HAS_IPV6 ? [{ name: "AF_INET6", family: AF_INET6, host: "::1" }] : []),
];

// Test files run in parallel: a port freed on a shared host (127.0.0.1, ::1) can be given to another file's listener
// at once. A source port to bind is a held one (`held_closed_port`: no other bind(port 0) gets it while held; the
// client's SO_REUSEADDR bind still can); a refused port is freed on a loopback address of this file's own.
const LONE = lone_v4();

/** A listening server, a client bound to `[host, port]` then connected, and the accepted connection. */
async function bound_trio(
  fam: IpFamily,
  port = 0,
): Promise<{ srv: Socket; cli: Socket; conn: Socket; peer: AddressInput } & AsyncDisposable> {
  const srv = create_server([fam.host, 0], { family: fam.family });
  const cli = socket(fam.family);
  try {
    cli.settimeout(10);
    srv.settimeout(10);
    cli.bind([fam.host, port]);
    await cli.connect(srv.getsockname() as AddressInput);
    const [conn, peer] = await srv.accept();
    return {
      srv,
      cli,
      conn,
      peer: peer as AddressInput,
      async [Symbol.asyncDispose]() {
        cli.close();
        conn.close();
        srv.close();
        await sleep(0);
      },
    };
  } catch (e) {
    cli.close();
    srv.close();
    throw e;
  }
}

/** A loopback listener whose backlog is full, so new SYNs are dropped and connects stall. */
async function stalled_listener(host = "127.0.0.1"): Promise<{ port: number; l: Deno.TcpListener } & Disposable> {
  const l = Deno.listen({ hostname: host, port: 0, tcpBacklog: 0 });
  const port = l.addr.port;
  const filler = await Deno.connect({ hostname: host, port });
  return {
    port,
    l,
    [Symbol.dispose]() {
      filler.close();
      l.close();
    },
  };
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(h, (x) => x.toString(16).padStart(2, "0")).join("");
}

for (const fam of IP_FAMILIES) {
  test(`Socket.connect() after bind() connects from the bound address [${fam.name}]`, async () => {
    using held = await held_closed_port(fam.host);
    const port = held.port;
    await using t = await bound_trio(fam, port);
    assert.equal((t.peer as [string, number])[1], port, "the server's accept() sees the bound port");
    assert.equal((t.peer as [string, number])[0], fam.host);
    assert.deepEqual(t.cli.getsockname(), t.peer, "getsockname() reports the bound address");
    assert.deepEqual(t.cli.getpeername(), t.srv.getsockname());
    assert.deepEqual(t.conn.getpeername(), t.cli.getsockname());
  });

  test(`Socket.connect() after bind() to port 0 keeps the port bind() chose [${fam.name}]`, async () => {
    const srv = create_server([fam.host, 0], { family: fam.family });
    using _srv = srv;
    using c = socket(fam.family);
    c.bind([fam.host, 0]);
    const bound = c.getsockname();
    await c.connect(srv.getsockname() as AddressInput);
    const [conn, peer] = await srv.accept();
    using _conn = conn;
    assert.deepEqual(peer, bound);
    assert.deepEqual(c.getsockname(), bound);
  });

  test(`Socket on a bound-then-connected socket: send, recv, half-close and EOF [${fam.name}]`, async () => {
    await using t = await bound_trio(fam);
    await t.cli.sendall(b("hello"));
    assert.equal(str(await recv_exactly(t.conn, 5)), "hello");
    await t.conn.sendall(b("back"));
    assert.equal(str(await recv_exactly(t.cli, 4)), "back");
    await t.cli.shutdown(SHUT_WR);
    assert.equal((await t.conn.recv(10)).length, 0, "the peer reads EOF after SHUT_WR");
    await t.conn.sendall(b("still open"));
    assert.equal(str(await recv_exactly(t.cli, 10)), "still open", "the other direction keeps working");
    t.conn.close();
    assert.equal((await t.cli.recv(10)).length, 0);
  });

  test(`Socket.recv() timeout loses nothing on a bound-then-connected socket [${fam.name}]`, async () => {
    await using t = await bound_trio(fam);
    t.cli.settimeout(0.05);
    await assert.rejects(t.cli.recv(10), TimeoutError);
    await t.conn.sendall(b("late"));
    t.cli.settimeout(5);
    assert.equal(str(await recv_exactly(t.cli, 4)), "late", "bytes arriving after the timeout go to the next recv");
    t.cli.setblocking(false);
    await assert.rejects(t.cli.recv(10), (e: unknown) => e instanceof BlockingIOError && e.errno === errno.EAGAIN);
  });

  test(`Socket.sendall() of 8 MiB each way over a bound-then-connected socket is intact [${fam.name}]`, async () => {
    await using t = await bound_trio(fam);
    const data = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) crypto.getRandomValues(data.subarray(i, i + 4096));
    const want = await sha256(data);
    const [, got] = await Promise.all([t.cli.sendall(data), recv_exactly(t.conn, data.length)]);
    assert.equal(await sha256(new Uint8Array(got)), want, "client to server");
    const [, back] = await Promise.all([t.conn.sendall(data), recv_exactly(t.cli, data.length)]);
    assert.equal(await sha256(new Uint8Array(back)), want, "server to client (the 256 KiB read-ahead pauses node:net)");
  });

  test(`Socket.makefile() reads lines and writes over a bound-then-connected socket [${fam.name}]`, async () => {
    await using t = await bound_trio(fam);
    await t.conn.sendall(b("one\ntwo\nthree"));
    await t.conn.shutdown(SHUT_WR);
    const f = t.cli.makefile("rwb");
    try {
      assert.equal(str(await f.readline() as Uint8Array), "one\n");
      const lines: string[] = [];
      for await (const line of f) lines.push(str(line as Uint8Array));
      assert.deepEqual(lines, ["two\n", "three"]);
      await f.write(b("reply\n"));
      await f.flush();
    } finally {
      f.close();
    }
    assert.equal(str(await recv_exactly(t.conn, 6)), "reply\n");
  });
}

test("Socket.connect() after bind() sets TCP_NODELAY and SO_KEEPALIVE on the node:net connection", async () => {
  const fam = IP_FAMILIES[0]!;
  using srv = create_server([fam.host, 0]);
  using c = socket(AF_INET);
  c.setsockopt(6, 1, 1); // IPPROTO_TCP, TCP_NODELAY
  c.setsockopt(SOL_SOCKET, 9, 1); // SO_KEEPALIVE
  c.bind([fam.host, 0]);
  await c.connect(srv.getsockname() as AddressInput);
  const [conn] = await srv.accept();
  using _conn = conn;
  assert.equal(c.getsockopt(6, 1), 1);
  assert.equal(c.getsockopt(SOL_SOCKET, 9), 1);
  await c.sendall(b("x"));
  assert.equal(str(await conn.recv(1)), "x");
});

test("Socket.bind() to a port in use raises EADDRINUSE, and connect() from a port whose pair is taken EADDRNOTAVAIL", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  using busy = create_server(["127.0.0.1", 0]);
  using c = socket(AF_INET);
  assert.throws(
    () => c.bind(busy.getsockname() as AddressInput),
    (e: unknown) => e instanceof OSError && e.errno === errno.EADDRINUSE,
  );
  // A port held by a connection (not a listener): Deno's listeners set
  // SO_REUSEADDR, so bind() succeeds (Linux without it: EADDRINUSE), and a
  // connect to the same peer is the same 4-tuple: EADDRNOTAVAIL, as connect(2).
  await using t = await bound_trio(IP_FAMILIES[0]!);
  using d = socket(AF_INET);
  d.bind(t.cli.getsockname() as AddressInput);
  await assert.rejects(
    d.connect(t.srv.getsockname() as AddressInput),
    (e: unknown) => e instanceof OSError && e.errno === errno.EADDRNOTAVAIL && /connect to/.test(e.operation ?? ""),
  );
  // Connecting from it to another peer works.
  await d.connect(srv.getsockname() as AddressInput);
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, t.cli.getsockname());
});

test("Socket.connect() after bind() waits for an accept select() left in flight before reusing the port", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const bound = c.getsockname();
  // As CPython: a bound, unconnected stream socket is readable (Linux's
  // POLLHUP), so select() returns it at once and starts no accept on it.
  const [r] = await select([c], [], [], 0.01);
  assert.deepEqual(r, [c]);
  await c.connect(srv.getsockname() as AddressInput);
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, bound);
});

test("Socket.connect() after bind() to a refused port raises ECONNREFUSED, stays bound, and can connect again", async () => {
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const bound = c.getsockname();
  const dead = closed_port(LONE);
  await assert.rejects(
    c.connect([LONE, dead]),
    (e: unknown) => e instanceof ConnectionRefusedError && e.errno === errno.ECONNREFUSED,
  );
  assert.deepEqual(c.getsockname(), bound, "still bound, as on Linux");
  using srv = create_server(["127.0.0.1", 0]);
  await c.connect(srv.getsockname() as AddressInput);
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, bound);
});

test("Socket.connect() after bind() times out, stays in flight, reports the bound address, and completes later", async () => {
  using st = await stalled_listener();
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const bound = c.getsockname();
  c.settimeout(0.1);
  await assert.rejects(c.connect(["127.0.0.1", st.port]), TimeoutError);
  assert.deepEqual(c.getsockname(), bound, "getsockname() during the connect");
  await assert.rejects(
    c.connect(["127.0.0.1", st.port === 65535 ? 1 : st.port + 1]),
    (e: unknown) => e instanceof BlockingIOError && e.errno === errno.EALREADY,
  );
  assert.throws(() => c.bind(["127.0.0.1", 0]), (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL);
  // Free the backlog: the kernel's SYN retransmission then completes the connect.
  const first = await st.l.accept();
  first.close();
  // Until the kernel completes it, EALREADY at once (as CPython); then 0.
  let r = errno.EALREADY;
  for (let i = 0; i < 300 && r === errno.EALREADY; i++) {
    r = await c.connect_ex(["127.0.0.1", st.port]);
    if (r === errno.EALREADY) await sleep(50);
  }
  assert.equal(r, 0);
  const conn = await st.l.accept();
  try {
    assert.equal((conn.remoteAddr as Deno.NetAddr).port, (bound as [string, number])[1]);
  } finally {
    conn.close();
  }
  await assert.rejects(
    c.connect(["127.0.0.1", st.port]),
    (e: unknown) => e instanceof OSError && e.errno === errno.EISCONN,
  );
});

test("Socket.connect() after bind() non-blocking: EINPROGRESS, then EALREADY or EISCONN, SO_ERROR 0", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const bound = c.getsockname();
  c.setblocking(false);
  await assert.rejects(
    c.connect(srv.getsockname() as AddressInput),
    (e: unknown) => e instanceof BlockingIOError && e.errno === errno.EINPROGRESS,
  );
  let connected = false;
  for (let i = 0; i < 200 && !connected; i++) {
    const r = await c.connect_ex(srv.getsockname() as AddressInput);
    if (r === 0 || r === errno.EISCONN) connected = true;
    else {
      assert.equal(r, errno.EALREADY);
      await sleep(5);
    }
  }
  assert.ok(connected);
  assert.equal(c.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  assert.equal(await c.connect_ex(srv.getsockname() as AddressInput), errno.EISCONN);
  srv.settimeout(5);
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, bound);
});

test("Socket.getsockopt(SO_ERROR) reports a refused non-blocking connect after bind()", async () => {
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  c.setblocking(false);
  const dead = closed_port(LONE);
  await assert.rejects(c.connect([LONE, dead]), BlockingIOError);
  let so_error = 0;
  for (let i = 0; i < 200 && so_error === 0; i++) {
    await sleep(5);
    so_error = c.getsockopt(SOL_SOCKET, SO_ERROR) as number;
  }
  assert.equal(so_error, errno.ECONNREFUSED);
});

test("Socket.close() during a connect() after bind() rejects it with EBADF and aborts the attempt", async () => {
  using st = await stalled_listener();
  const c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const p = c.connect(["127.0.0.1", st.port]);
  await sleep(30);
  c.close();
  await assert.rejects(
    within(p, 5000, "connect after close"),
    (e: unknown) => e instanceof OSError && e.errno === errno.EBADF,
  );
  await sleep(10); // let node:net finish destroying the attempt (sanitizers)
});

test("Socket.connect() with a signal after bind(): the abort rejects with its reason, the connect goes on", async () => {
  using st = await stalled_listener();
  using c = socket(AF_INET);
  c.bind(["127.0.0.1", 0]);
  const ac = new AbortController();
  const p = c.connect(["127.0.0.1", st.port], { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("stop")), 30);
  await assert.rejects(p, /stop/);
  await assert.rejects(
    c.connect(["127.0.0.1", 1]),
    (e: unknown) => e instanceof BlockingIOError && e.errno === errno.EALREADY,
  );
});

test("Socket.connect() on a listening socket raises EISCONN (AF_INET) and EINVAL (AF_UNIX), as Linux", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  using l = socket(AF_INET);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  await assert.rejects(
    l.connect(srv.getsockname() as AddressInput),
    (e: unknown) => e instanceof OSError && e.errno === errno.EISCONN,
  );
  using dir = new TempDir();
  using u = socket(AF_UNIX);
  u.bind(dir.sock("a"));
  u.listen();
  await assert.rejects(u.connect(dir.sock("a")), (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL);
});

test("Socket.connect() after bind() on AF_UNIX raises EOPNOTSUPP saying why", async () => {
  using dir = new TempDir();
  using srv = socket(AF_UNIX);
  srv.bind(dir.sock("srv"));
  srv.listen();
  using c = socket(AF_UNIX);
  c.bind(dir.sock("cli"));
  await assert.rejects(
    c.connect(dir.sock("srv")),
    (e: unknown) => e instanceof OSError && e.errno === errno.EOPNOTSUPP && /node:net/.test(e.message),
  );
  assert.equal(c.getsockname(), dir.sock("cli"), "still bound");
});

// ---- create_connection(source_address) -----------------------------------

/** python3 as server: print its port, accept one client, print the client's address, echo a line. */
const PY_SERVER = `
import json, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(10)
s.bind((sys.argv[2], 0))
s.listen()
print(s.getsockname()[1], flush=True)
conn, peer = s.accept()
conn.settimeout(10)
line = conn.makefile("rb").readline()
conn.sendall(b"echo " + line)
conn.close()
s.close()
print(json.dumps(list(peer[:2])), flush=True)
`;

for (const fam of IP_FAMILIES) {
  test(`create_connection() with source_address: a python3 server sees that address [${fam.name}]`, async () => {
    const child = new Deno.Command("python3", {
      args: ["-c", PY_SERVER, fam.family === AF_INET6 ? "6" : "4", fam.host],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    /** Read stdout until it holds `n` lines (bounded). */
    const lines = async (n: number) => {
      for (let i = 0; i < 100 && text.split("\n").length <= n; i++) {
        const r = await within(reader.read(), 10_000, "python3 server output");
        if (r.done) break;
        text += r.value;
      }
      return text.split("\n");
    };
    using held = await held_closed_port(fam.host);
    const source_port = held.port;
    try {
      const port = Number((await lines(1))[0]);
      using c = await create_connection([fam.host, port], 10, [fam.host, source_port]);
      assert.deepEqual((c.getsockname() as [string, number]).slice(0, 2), [fam.host, source_port]);
      await c.sendall(b("hi\n"));
      assert.equal(str(await recv_exactly(c, 8)), "echo hi\n");
      assert.deepEqual(JSON.parse((await lines(2))[1]!), [fam.host, source_port], "the peer python3 saw");
    } finally {
      await reader.cancel();
      const st = await within(child.status, 20_000, "python3 server exit");
      assert.equal(st.code, 0, await stderr);
    }
  });
}

test("create_connection() with source_address: keywords, port 0, and a taken port raises EADDRINUSE", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  using c = await create_connection(addr, { timeout: 5, source_address: ["127.0.0.1", 0] });
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, c.getsockname());
  await assert.rejects(
    create_connection(addr, 5, srv.getsockname() as [string, number]),
    (e: unknown) => e instanceof OSError && e.errno === errno.EADDRINUSE,
  );
});

test("create_connection() with a source_address of the other family fails that attempt with gaierror", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  await assert.rejects(
    create_connection(srv.getsockname() as [string, number], 5, ["::1", 0]),
    (e: unknown) => e instanceof gaierror,
  );
  await assert.rejects(
    create_connection(srv.getsockname() as [string, number], { source_address: ["::1", 0], all_errors: true }),
    (e: unknown) => e instanceof AggregateError && e.errors.length === 1 && e.errors[0] instanceof gaierror,
  );
});

test("staggered_race() with a source address: the other family's attempts fail at bind, the matching one connects from it", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  using held = await held_closed_port("127.0.0.1");
  const source_port = held.port;
  const r = await staggered_race(
    [
      { family: AF_INET6, sockaddr: ["::1", port, 0, 0] },
      { family: AF_INET, sockaddr: ["127.0.0.1", port] },
    ],
    0.25,
    5,
    undefined,
    ["127.0.0.1", source_port],
  );
  assert.ok("socket" in r);
  using c = r.socket;
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, ["127.0.0.1", source_port]);
  assert.deepEqual(c.getsockname(), ["127.0.0.1", source_port]);
});

test("staggered_race() with a source address reports every attempt's error when none connects", async () => {
  const dead = closed_port(LONE);
  const r = await staggered_race(
    [
      { family: AF_INET6, sockaddr: ["::1", dead, 0, 0] },
      { family: AF_INET, sockaddr: [LONE, dead] },
    ],
    0.25,
    5,
    undefined,
    ["127.0.0.1", 0],
  );
  assert.ok("errors" in r);
  assert.equal(r.errors.length, 2);
  assert.ok(r.errors[0] instanceof gaierror, String(r.errors[0]));
  assert.ok(r.errors[1] instanceof ConnectionRefusedError, String(r.errors[1]));
});
