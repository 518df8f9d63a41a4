// Faults (issue 9): a peer that closes with data in flight, mid-sendall,
// with unread data (reset), or while a recv/accept/connect waits; the local
// side closing a socket under a waiting task. Each gives the Python outcome
// (EOF, ConnectionResetError, BrokenPipeError, OSError EBADF), never a hang
// and never an unhandled rejection (sanitizers stay on).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  create_connection,
  create_server,
  errno,
  OSError,
  SHUT_WR,
  type Socket,
  socket,
  socketpair,
  TimeoutError,
} from "../mod.ts";
import { pattern, sleep, within } from "./fixtures/_rng.ts";
import { lone_v4, run_gc_child, test_needing } from "./_socket_fixtures.ts";
import { stream_pair } from "./_pairs.ts";

const test = test_needing("python3");

const FAMILIES = [["AF_INET", AF_INET], ["AF_INET6", AF_INET6], ["AF_UNIX", AF_UNIX]] as const;
const LIMIT = 10_000;

/** Read until EOF; returns the byte count (asserting the pattern). */
async function drain_pattern(s: Socket): Promise<number> {
  let off = 0;
  for (;;) {
    const b = await s.recv(1 << 20);
    if (b.length === 0) return off;
    assert.deepEqual(b, pattern(off, b.length), `bytes at ${off}`);
    off += b.length;
  }
}

/**
 * After a reset, sends fail: a timed socket's send queue may take one more
 * sendall (as a kernel buffer would) but reports the failure by the next,
 * and every send after that fails too (the connection stays broken).
 */
async function sends_fail(s: Socket): Promise<void> {
  const broken = (e: unknown) => e instanceof BrokenPipeError || e instanceof ConnectionResetError;
  const first = await s.sendall(new Uint8Array(10)).then(() => null, (e: unknown) => e);
  if (first === null) await sleep(20);
  else assert.ok(broken(first), `sendall after reset: ${first}`);
  for (let i = 0; i < (first === null ? 3 : 2); i++) {
    await assert.rejects(s.sendall(new Uint8Array(10)), broken, `send ${i} after reset`);
  }
}

/** Assert `p` rejects with OSError EBADF. */
async function rejects_ebadf(p: Promise<unknown>, what: string): Promise<void> {
  await within(
    assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof OSError, `${what}: ${e}`);
      assert.equal(e.errno, errno.EBADF, `${what}: ${e}`);
      return true;
    }),
    LIMIT,
    what,
  );
}

for (const [name, family] of FAMILIES) {
  test(`Socket.recv() family ${name} gets every byte, then EOF, when the peer closes with data in flight`, async () => {
    const [a, b] = await stream_pair(family);
    using _b = b;
    const total = 4 * 1024 * 1024 + 17;
    const sender = (async () => {
      a.settimeout(5); // timed sends go through the send queue, still in flight at close()
      for (let off = 0; off < total;) off += await a.send(pattern(off, Math.min(100_000, total - off)));
      a.close();
    })();
    assert.equal(await within(drain_pattern(b), LIMIT, "drain"), total);
    await sender;
  });

  test(`Socket.sendall() family ${name} raises ConnectionResetError or BrokenPipeError when the peer closes mid-sendall`, async () => {
    const [a, b] = await stream_pair(family);
    using _a = a;
    const big = new Uint8Array(64 * 1024 * 1024);
    const p = a.sendall(big);
    await b.recv(1000); // the peer reads a little, then leaves with unread data
    b.close();
    await within(
      assert.rejects(p, (e: unknown) => e instanceof ConnectionResetError || e instanceof BrokenPipeError),
      LIMIT,
      "sendall",
    );
    // the socket stays a socket: further sends fail the same way, never hang
    await within(
      assert.rejects(
        a.sendall(new Uint8Array(10)),
        (e: unknown) => e instanceof ConnectionResetError || e instanceof BrokenPipeError,
      ),
      LIMIT,
      "second sendall",
    );
  });

  test(`Socket.recv() family ${name} waiting returns EOF when the peer closes`, async () => {
    const [a, b] = await stream_pair(family);
    using _a = a;
    const p = a.recv(10);
    await sleep(20);
    b.close();
    assert.equal((await within(p, LIMIT, "recv")).length, 0);
  });

  test(`Socket.close() family ${name} under a waiting recv, readline or sendall makes them raise OSError EBADF`, async () => {
    const [a, b] = await stream_pair(family);
    using _b = b;
    const r = a.recv(10);
    const f = a.makefile("rb");
    const l = f.readline();
    const ri = a.recv_into(new Uint8Array(5));
    await sleep(20);
    a.close();
    await rejects_ebadf(r, "recv");
    await rejects_ebadf(l, "readline");
    await rejects_ebadf(ri, "recv_into");
    await rejects_ebadf(a.recv(1), "recv after close");
    await rejects_ebadf(a.send(new Uint8Array(1)), "send after close");
    // a blocked sendall (the peer does not read)
    const [c, d] = await stream_pair(family);
    using _d = d;
    const s = c.sendall(new Uint8Array(64 * 1024 * 1024));
    await sleep(50);
    c.close();
    await rejects_ebadf(s, "sendall");
  });
}

test("Socket.accept() waiting raises OSError EBADF when the listener is closed", async () => {
  const srv = create_server(["127.0.0.1", 0]);
  const p = srv.accept();
  await sleep(20);
  srv.close();
  await rejects_ebadf(p, "accept");
  await rejects_ebadf(srv.accept(), "accept after close");
});

test("Socket.accept() returns a connection whose peer vanished before it was accepted", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  srv.settimeout(5);
  const p = srv.accept();
  const c = await create_connection(srv.getsockname() as [string, number]);
  await c.sendall(new Uint8Array([9]));
  c.close();
  const [conn] = await within(p, LIMIT, "accept");
  using _conn = conn;
  conn.settimeout(5);
  assert.deepEqual(await conn.recv(10), new Uint8Array([9]));
  assert.equal((await conn.recv(10)).length, 0);
});

/** A listener whose backlog is full, so a further connect stalls (SYNs dropped). */
async function stalled_listener(host = "127.0.0.1"): Promise<{ port: number; close: () => void }> {
  const l = Deno.listen({ hostname: host, port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
  const port = (l.addr as Deno.NetAddr).port;
  const fillers: Socket[] = [];
  // one unaccepted connection fills a backlog of 0; make sure with a few, each bounded
  for (let i = 0; i < 3; i++) {
    const s = socket();
    s.settimeout(0.2);
    try {
      await s.connect([host, port]);
      fillers.push(s);
    } catch {
      s.close();
      break;
    }
  }
  return {
    port,
    close: () => {
      l.close();
      for (const f of fillers) f.close();
    },
  };
}

test("Socket.connect() waiting raises OSError EBADF when the socket is closed", async () => {
  const st = await stalled_listener();
  try {
    const s = socket();
    const p = s.connect(["127.0.0.1", st.port]);
    await sleep(50);
    s.close();
    await rejects_ebadf(p, "connect");
  } finally {
    st.close();
  }
});

test("Socket.connect() to a listener that vanishes while connect waits fails without hanging", async () => {
  // On a loopback address of its own: the port freed under the waiting connect cannot be given meanwhile to another
  // test file's 127.0.0.1 listener (the files run in parallel), which the retried SYN would then reach.
  const host = lone_v4();
  const st = await stalled_listener(host);
  const s = socket();
  try {
    s.settimeout(4);
    const p = s.connect([host, st.port]).then(() => null, (e: unknown) => e);
    await sleep(50);
    st.close();
    const t0 = performance.now();
    const e = await within(p, LIMIT, "connect");
    // The dropped SYN is retried after ~1 s and meets a closed port: refused (or our timeout)
    assert.ok(
      e instanceof ConnectionRefusedError || e instanceof TimeoutError,
      `expected ConnectionRefusedError or TimeoutError, got ${e}`,
    );
    console.log(`connect failed with ${(e as Error).constructor.name} after ${Math.round(performance.now() - t0)} ms`);
  } finally {
    s.close();
  }
});

test("Socket.connect() with a timeout to a stalled listener raises TimeoutError, then a retry is EALREADY at once (as CPython)", async () => {
  const st = await stalled_listener();
  const s = socket();
  try {
    s.settimeout(0.05);
    await assert.rejects(s.connect(["127.0.0.1", st.port]), TimeoutError);
    await assert.rejects(
      s.connect(["127.0.0.1", st.port]),
      (e: unknown) => e instanceof OSError && e.errno === errno.EALREADY,
    );
    // another address while the first is in flight: EALREADY
    await assert.rejects(
      s.connect(["127.0.0.1", 9]),
      (e: unknown) => e instanceof OSError && e.errno === errno.EALREADY,
    );
  } finally {
    s.close();
    st.close();
  }
});

/** Start tests/fixtures/reset_peer.py; returns its port and process. */
async function reset_peer(v: 4 | 6, send: string, delay_ms: number) {
  const child = new Deno.Command("python3", {
    args: [new URL("./fixtures/reset_peer.py", import.meta.url).pathname, String(v), send, String(delay_ms)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await within(reader.read(), LIMIT, "reset_peer port");
    if (done) throw new Error("reset_peer.py ended early");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    port: Number(text.trim()),
    async done() {
      await within(child.status, LIMIT, "reset_peer exit");
      await child.stdout.cancel();
    },
  };
}

// A Deno peer cannot reset a TCP connection: closing a Deno.Conn with unread
// data sends FIN, not RST (measured), so the resetting TCP peer is python3
// with SO_LINGER 0. On AF_UNIX a pysocket peer that closes with unread data
// does reset, as in Python.
for (const v of [4, 6] as const) {
  test(`Socket.recv() AF_INET${v === 6 ? "6" : ""} returns buffered bytes, then ConnectionResetError, then EOF after a reset`, async () => {
    const peer = await reset_peer(v, "abc", 50);
    const s = await create_connection([v === 6 ? "::1" : "127.0.0.1", peer.port], 5);
    try {
      await sleep(300); // the RST has arrived
      assert.deepEqual(await s.recv(10), new TextEncoder().encode("abc"));
      await assert.rejects(s.recv(10), ConnectionResetError);
      assert.equal((await s.recv(10)).length, 0);
      await sends_fail(s);
    } finally {
      s.close();
      await peer.done();
    }
  });

  test(`Socket.recv() AF_INET${v === 6 ? "6" : ""} waiting raises ConnectionResetError when the peer resets`, async () => {
    const peer = await reset_peer(v, "", 100);
    const s = await create_connection([v === 6 ? "::1" : "127.0.0.1", peer.port], 5);
    try {
      await within(assert.rejects(s.recv(10), ConnectionResetError), LIMIT, "recv");
    } finally {
      s.close();
      await peer.done();
    }
  });
}

// The AF_UNIX reset rows run in a process of their own (R22-1, tests/fix22_reset_test.ts): Deno's close() is
// shutdown(SHUT_WR) then close(2), and while a child that another thread of the process is spawning (another test
// file's worker under `deno test --parallel`) holds a copy of the descriptor, only the shutdown takes effect: the peer
// reads EOF before the reset comes (a loaded CI run's flake; CPython's close has no shutdown). Nothing spawns there.
const UNIX_RESET_ROWS: Record<string, () => Promise<void>> = {
  async buffered() {
    const [a, b] = await socketpair(AF_UNIX);
    using _a = a;
    await b.sendall(new Uint8Array([1, 2, 3])); // a does not read yet...
    await a.sendall(new Uint8Array(100)); // ...and b never reads this
    await sleep(20);
    b.close();
    a.settimeout(5);
    assert.deepEqual(await a.recv(10), new Uint8Array([1, 2, 3]));
    await assert.rejects(a.recv(10), ConnectionResetError);
    assert.equal((await a.recv(10)).length, 0);
    await sends_fail(a);
  },
  async waiting() {
    const [a, b] = await socketpair(AF_UNIX);
    using _a = a;
    await a.sendall(new Uint8Array(10)); // b leaves this unread
    const p = a.recv(10);
    await sleep(20);
    b.close();
    await within(assert.rejects(p, ConnectionResetError), LIMIT, "recv under reset");
  },
};

/** Run UNIX_RESET_ROWS[row] in a deno process of its own (this file run with `--unix-reset`); it must exit 0. */
async function own_process(row: string): Promise<void> {
  const out = await run_gc_child(new URL(import.meta.url).pathname, ["--unix-reset", row], 60_000);
  assert.equal(out.split("\n").at(-1), `${row}: passed`);
}

if (import.meta.main && Deno.args[0] === "--unix-reset") {
  await UNIX_RESET_ROWS[Deno.args[1]!]!();
  console.log(`${Deno.args[1]}: passed`);
}

test("Socket.recv() AF_UNIX returns buffered bytes, then ConnectionResetError when the peer closes with unread data", async () => {
  await own_process("buffered");
});

test("Socket.recv() AF_UNIX waiting raises ConnectionResetError when the peer closes with unread data", async () => {
  await own_process("waiting");
});

test("Socket.send() after shutdown(SHUT_WR) raises BrokenPipeError, as Python", async () => {
  const [a, b] = await socketpair();
  using _a = a;
  using _b = b;
  await a.shutdown(SHUT_WR);
  await assert.rejects(a.send(new Uint8Array(1)), BrokenPipeError);
  a.settimeout(1);
  await assert.rejects(a.sendall(new Uint8Array(1)), BrokenPipeError);
  assert.equal((await b.recv(1)).length, 0);
});
