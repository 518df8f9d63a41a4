// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: NetworkConnectionNoServer,
// NetworkConnectionAttributesTest, NetworkConnectionBehaviourTest (create_connection), CreateServerTest and
// CreateServerFunctionalTest (create_server). Servers bind loopback only: CPython's create_server(("", port)) binds
// every interface, here "127.0.0.1" / "::1" (the dual-stack tests, which need "::", are left out).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  create_connection,
  create_server,
  errno,
  getaddrinfo,
  getdefaulttimeout,
  has_dualstack_ipv6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  setdefaulttimeout,
  SO_REUSEPORT,
  SOCK_STREAM,
  type Socket,
  socket,
  SOL_SOCKET,
  TimeoutError,
} from "../mod.ts";
import { stalled } from "./_twin.ts";
import { enc, HOST, not_applicable, tcp_serv, threaded } from "./_cpy_socket.ts";
import { HAS_IPV6 } from "./_socket_fixtures.ts";

/** socket_helper.find_unused_port(): a loopback port that was free a moment ago. */
function find_unused_port(host = HOST, family = AF_INET): number {
  using s = socket(family);
  s.bind([host, 0]);
  return s.getsockname()[1] as number;
}

// ---------------------------------------------------------------- NetworkConnectionNoServer

const NC = "test_socket NetworkConnectionNoServer";

Deno.test(`${NC}.test_connect`, async () => {
  const port = find_unused_port();
  using cli = socket(AF_INET, SOCK_STREAM);
  await assert.rejects(cli.connect([HOST, port]), (e: Error) => e instanceof OSError && e.errno === errno.ECONNREFUSED);
});

Deno.test(`${NC}.test_create_connection`, async () => {
  const port = find_unused_port();
  await assert.rejects(
    create_connection([HOST, port]),
    (e: Error) => e instanceof OSError && [errno.ECONNREFUSED, errno.ENETUNREACH].includes(e.errno!),
  );
});

Deno.test(`${NC}.test_create_connection_all_errors`, async () => {
  const port = find_unused_port();
  let eg: AggregateError | null = null;
  try {
    (await create_connection([HOST, port], { all_errors: true })).close();
  } catch (e) {
    eg = e as AggregateError;
  }
  assert.ok(eg !== null, "expected connection to fail");
  assert.ok(eg instanceof AggregateError); // ExceptionGroup
  for (const e of eg.errors) assert.ok(e instanceof OSError);
  // CPython compares with getaddrinfo('localhost', ...) after connecting to HOST ('127.0.0.1'): one address each.
  const addresses = await getaddrinfo(HOST, port, 0, SOCK_STREAM);
  assert.equal(eg.errors.length, addresses.length);
});

Deno.test(`${NC}.test_create_connection_timeout (a stalled connect, not a mocked socket class)`, async () => {
  // CPython swaps socket.socket for a class whose connect() raises TimeoutError; an ES module's export cannot be
  // swapped, so the connect is made to time out for real: a listener whose backlog is full. Issue #9792: the
  // TimeoutError must not be recast as a generic OSError.
  using l = await stalled();
  await assert.rejects(create_connection([HOST, l.port], 0.5), TimeoutError);
});

// ---------------------------------------------------------------- NetworkConnectionAttributesTest

const NA = "test_socket NetworkConnectionAttributesTest";

async function attributes(client: (port: number) => Promise<Socket>): Promise<void> {
  using t = tcp_serv();
  let cli: Socket | null = null;
  try {
    await threaded(async () => {
      const [conn] = await t.serv.accept(); // _justAccept
      conn.close();
    }, async () => {
      cli = await client(t.port);
    });
  } finally {
    (cli as Socket | null)?.close();
  }
}

Deno.test(`${NA}.testFamily`, () =>
  attributes(async (port) => {
    const cli = await create_connection([HOST, port], { timeout: 10 });
    assert.equal(cli.family, 2);
    return cli;
  }));

Deno.test(`${NA}.testSourceAddress (source host 127.0.0.1, not '')`, () =>
  attributes(async (port) => {
    const source_port = find_unused_port();
    // CPython binds ('', source_port), every interface: loopback only here.
    const cli = await create_connection([HOST, port], { timeout: 10, source_address: [HOST, source_port] });
    assert.equal(cli.getsockname()[1], source_port);
    return cli;
  }));

Deno.test(`${NA}.testTimeoutDefault`, () =>
  attributes(async (port) => {
    assert.equal(getdefaulttimeout(), null);
    setdefaulttimeout(42);
    let cli: Socket;
    try {
      cli = await create_connection([HOST, port]);
    } finally {
      setdefaulttimeout(null);
    }
    assert.equal(cli.gettimeout(), 42);
    return cli;
  }));

Deno.test(`${NA}.testTimeoutNone`, () =>
  attributes(async (port) => {
    assert.equal(getdefaulttimeout(), null);
    setdefaulttimeout(30);
    let cli: Socket;
    try {
      cli = await create_connection([HOST, port], { timeout: null });
    } finally {
      setdefaulttimeout(null);
    }
    assert.equal(cli.gettimeout(), null);
    return cli;
  }));

Deno.test(`${NA}.testTimeoutValueNamed`, () =>
  attributes(async (port) => {
    const cli = await create_connection([HOST, port], { timeout: 30 });
    assert.equal(cli.gettimeout(), 30);
    return cli;
  }));

Deno.test(`${NA}.testTimeoutValueNonamed`, () =>
  attributes(async (port) => {
    const cli = await create_connection([HOST, port], 30);
    assert.equal(cli.gettimeout(), 30);
    return cli;
  }));

// ---------------------------------------------------------------- NetworkConnectionBehaviourTest

const NB = "test_socket NetworkConnectionBehaviourTest";

async function inside_timeout(client: (port: number) => Promise<Socket>): Promise<void> {
  using t = tcp_serv();
  let cli: Socket | null = null;
  try {
    await threaded(async () => {
      const [conn] = await t.serv.accept();
      using _c = conn;
      await new Promise((r) => setTimeout(r, 3000));
      await conn.send(enc("done!")).catch(() => 0); // (the outside-timeout client may be gone)
    }, async () => {
      cli = await client(t.port);
    });
  } finally {
    (cli as Socket | null)?.close();
  }
}

Deno.test(`${NB}.testInsideTimeout`, () =>
  inside_timeout(async (port) => {
    const sock = await create_connection([HOST, port]);
    assert.deepEqual(await sock.recv(5), enc("done!"));
    return sock;
  }));

Deno.test(`${NB}.testOutsideTimeout`, () =>
  inside_timeout(async (port) => {
    const sock = await create_connection([HOST, port], { timeout: 1 });
    await assert.rejects(sock.recv(5), TimeoutError);
    return sock;
  }));

// ---------------------------------------------------------------- CreateServerTest

const CS = "test_socket CreateServerTest";

Deno.test(`${CS}.test_address`, () => {
  const port = find_unused_port();
  {
    using sock = create_server(["127.0.0.1", port]);
    assert.equal(sock.getsockname()[0], "127.0.0.1");
    assert.equal(sock.getsockname()[1], port);
  }
  if (HAS_IPV6) {
    using sock = create_server(["::1", port], { family: AF_INET6 });
    assert.equal(sock.getsockname()[0], "::1");
    assert.equal(sock.getsockname()[1], port);
  }
});

Deno.test(`${CS}.test_family_and_type`, () => {
  {
    using sock = create_server(["127.0.0.1", 0]);
    assert.equal(sock.family, AF_INET);
    assert.equal(sock.type, SOCK_STREAM);
  }
  if (HAS_IPV6) {
    using s = create_server(["::1", 0], { family: AF_INET6 });
    assert.equal(s.family, AF_INET6);
    assert.equal(s.type, SOCK_STREAM);
  }
});

Deno.test(`${CS}.test_reuse_port`, () => {
  {
    using sock = create_server(["localhost", 0]);
    assert.equal(sock.getsockopt(SOL_SOCKET, SO_REUSEPORT), 0);
  }
  {
    using sock = create_server(["localhost", 0], { reuse_port: true });
    assert.notEqual(sock.getsockopt(SOL_SOCKET, SO_REUSEPORT), 0);
  }
});

Deno.test({
  name: `${CS}.test_ipv6_only_default`,
  ignore: !HAS_IPV6,
  fn() {
    // A bind to ::1 sets IPV6_V6ONLY, as Linux's __inet6_bind (P15-2).
    using sock = create_server(["::1", 0], { family: AF_INET6 });
    assert.ok(sock.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY));
  },
});

Deno.test({
  name: `${CS}.test_dualstack_ipv6_family`,
  ignore: !HAS_IPV6 || !has_dualstack_ipv6(),
  fn() {
    using sock = create_server(["::1", 0], { family: AF_INET6, dualstack_ipv6: true });
    assert.equal(sock.family, AF_INET6);
  },
});

// ---------------------------------------------------------------- CreateServerFunctionalTest

const CF = "test_socket CreateServerFunctionalTest";
const TIMEOUT = 10; // support.LOOPBACK_TIMEOUT

async function echo(sock: Socket, addr: [string, number], family: number): Promise<void> {
  sock.settimeout(TIMEOUT);
  await threaded(async () => {
    using _s = sock;
    const [conn] = await sock.accept();
    using _c = conn;
    const msg = await conn.recv(1024);
    if (!msg.length) return;
    await conn.sendall(msg);
  }, async () => {
    using c = socket({ family });
    c.settimeout(TIMEOUT);
    await c.connect(addr);
    await c.sendall(enc("foo"));
    assert.deepEqual(await c.recv(1024), enc("foo"));
  });
}

Deno.test(`${CF}.test_tcp4 (bound to 127.0.0.1, not '')`, async () => {
  const port = find_unused_port();
  using sock = create_server(["127.0.0.1", port]);
  await echo(sock, ["127.0.0.1", port], AF_INET);
});

Deno.test({
  name: `${CF}.test_tcp6 (bound to ::1, not '')`,
  ignore: !HAS_IPV6,
  async fn() {
    const port = find_unused_port("::1", AF_INET6);
    using sock = create_server(["::1", port], { family: AF_INET6 });
    await echo(sock, ["::1", port], AF_INET6);
  },
});

not_applicable(
  `${CF}.test_dual_stack_client_v4`,
  "a dual-stack server must bind '::' (every interface); loopback only here",
);
not_applicable(
  `${CF}.test_dual_stack_client_v6`,
  "a dual-stack server must bind '::' (every interface); loopback only here",
);
