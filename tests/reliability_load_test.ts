// Load (issue 9): many concurrent clients through an echo server, checksummed;
// a thousand sequential connect/close cycles that leave no file descriptor
// behind; thousands of connections open at once, then all closed.

import assert from "node:assert/strict";
import { create_connection, create_server, MSG_WAITALL, type Socket } from "../mod.ts";
import { type Rng, seeded, sleep, within } from "./fixtures/_rng.ts";

/** Open file descriptors of this process. */
function open_fds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n;
}

/** Wait (bounded) until the fd count is at most `want`; returns the last count. */
async function settle_fds(want: number, ms = 3000): Promise<number> {
  const end = performance.now() + ms;
  let n = open_fds();
  while (n > want && performance.now() < end) {
    await sleep(20);
    n = open_fds();
  }
  return n;
}

/** The soft RLIMIT_NOFILE of this process. */
function fd_limit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(Deno.readTextFileSync("/proc/self/limits"));
  return !m || m[1] === "unlimited" ? Infinity : Number(m[1]);
}

/** FNV-1a over bytes, continuing from h. */
function fnv(h: number, b: Uint8Array): number {
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

/** Echo every byte back until EOF. */
async function echo(conn: Socket): Promise<void> {
  try {
    for (;;) {
      const b = await conn.recv(65536);
      if (b.length === 0) return;
      await conn.sendall(b);
    }
  } finally {
    conn.close();
  }
}

function message(rng: Rng, client: number, i: number): Uint8Array {
  const m = new Uint8Array(rng.int(1, 2000));
  for (let k = 0; k < m.length; k++) m[k] = (client * 31 + i * 7 + k) & 0xff;
  return m;
}

Deno.test("Socket echo server serves 200 concurrent clients x 100 messages, checksummed", async () => {
  const rng = seeded("echo load");
  const CLIENTS = 200, MESSAGES = 100;
  using srv = create_server(["127.0.0.1", 0], { backlog: CLIENTS });
  const addr = srv.getsockname() as [string, number];
  const handlers: Promise<void>[] = [];
  const serve = (async () => {
    for (let i = 0; i < CLIENTS; i++) {
      const [conn] = await srv.accept();
      handlers.push(echo(conn));
    }
  })();
  // Sizes are drawn up front so the seed alone decides every message.
  const plans = Array.from(
    { length: CLIENTS },
    (_, c) => Array.from({ length: MESSAGES }, (_, i) => message(rng, c, i)),
  );
  let sent_sum = 0, got_sum = 0, bytes = 0;
  const t0 = performance.now();
  const clients = plans.map(async (msgs, c) => {
    using s = await create_connection(addr, 10);
    let hs = 2166136261, hr = 2166136261;
    for (const m of msgs) {
      await s.sendall(m);
      hs = fnv(hs, m);
      const back = await s.recv(m.length, MSG_WAITALL);
      assert.equal(back.length, m.length, `client ${c}: short echo`);
      hr = fnv(hr, back);
      bytes += m.length;
    }
    assert.equal(hr, hs, `client ${c}: checksum of the echo`);
    sent_sum = (sent_sum + hs) >>> 0;
    got_sum = (got_sum + hr) >>> 0;
  });
  await within(Promise.all([serve, ...clients]), 60_000, "echo load");
  await within(Promise.all(handlers), 10_000, "echo handlers");
  const ms = performance.now() - t0;
  assert.equal(got_sum, sent_sum);
  console.log(
    `  ${CLIENTS} clients x ${MESSAGES} messages, ${bytes} bytes each way in ${Math.round(ms)} ms ` +
      `(${Math.round(CLIENTS * MESSAGES / (ms / 1000))} round trips/s), checksum ${got_sum.toString(16)}`,
  );
});

Deno.test("Socket connect/close 1,000 times in a row leaves the open fd count unchanged", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  // warm up once so lazily opened runtime fds do not count
  {
    using _c = await create_connection(addr);
    const [conn] = await srv.accept();
    conn.close();
  }
  const before = await settle_fds(0, 200);
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    const c = await create_connection(addr, 5);
    const [conn] = await srv.accept();
    if (i % 2 === 0) {
      await c.sendall(new Uint8Array([i & 0xff]));
      assert.deepEqual(await conn.recv(1), new Uint8Array([i & 0xff]));
    }
    if (i % 3 === 0) {
      conn.close();
      c.close();
    } else {
      c.close();
      conn.close();
    }
  }
  const ms = performance.now() - t0;
  const after = await settle_fds(before);
  console.log(`  1000 cycles in ${Math.round(ms)} ms; open fds before ${before}, after ${after}`);
  assert.equal(after, before, "no fd leaked");
});

Deno.test("Socket 5,000 connections open at once, then all closed, leave no fd behind", async () => {
  const limit = fd_limit();
  const before = open_fds();
  let n = 5000;
  // each connection costs two fds here (client and accepted side), plus headroom
  const room = Math.floor((limit - before - 200) / 2);
  if (room < n) {
    console.log(`  fd limit ${limit} (ulimit -n) allows only ${room} connections here; scaling 5000 down to ${room}`);
    n = room;
  }
  using srv = create_server(["127.0.0.1", 0], { backlog: 1024 });
  const addr = srv.getsockname() as [string, number];
  const clients: Socket[] = [];
  const accepted: Socket[] = [];
  const t0 = performance.now();
  const acceptor = (async () => {
    while (accepted.length < n) accepted.push((await srv.accept())[0]);
  })();
  // connect in waves so the listen backlog never overflows (a dropped SYN costs a 1 s retry)
  const WAVE = 500;
  await within(
    (async () => {
      for (let i = 0; i < n; i += WAVE) {
        const wave = await Promise.all(
          Array.from({ length: Math.min(WAVE, n - i) }, () => create_connection(addr, 10)),
        );
        clients.push(...wave);
      }
      await acceptor;
    })(),
    60_000,
    `${n} connections`,
  );
  const peak = open_fds();
  const opened = performance.now() - t0;
  assert.equal(clients.length, n);
  assert.equal(accepted.length, n);
  // every connection is live: a byte each way on a sample
  for (let i = 0; i < n; i += Math.ceil(n / 50)) {
    await clients[i]!.sendall(new Uint8Array([7]));
    assert.deepEqual(await accepted[i]!.recv(1), new Uint8Array([7]));
  }
  for (const s of clients) s.close();
  for (const s of accepted) s.close();
  const after = await settle_fds(before + 1, 5000); // +1: the listener is still open
  console.log(
    `  ${n} connections opened in ${
      Math.round(opened)
    } ms; fds before ${before}, at peak ${peak}, after close ${after}`,
  );
  assert.ok(peak >= before + 2 * n, `peak fds ${peak} should include ${2 * n} sockets`);
  assert.ok(after <= before + 1, `fds after closing: ${after}, before: ${before}`); // +1: the listener
});
