// Load (issue 9): many concurrent clients through an echo server, checksummed;
// a thousand sequential connect/close cycles that leave no file descriptor
// behind; thousands of connections open at once, then all closed.

import assert from "node:assert/strict";
import { create_connection, create_server, MSG_WAITALL, type Socket } from "../mod.ts";
import { type Rng, seeded, within } from "./fixtures/_rng.ts";

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

/** Run tests/fixtures/fd_probe.ts in its own process (fd counts are per process). */
async function fd_probe(mode: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", new URL("./fixtures/fd_probe.ts", import.meta.url).pathname, mode],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  console.log(text.trimEnd());
  assert.equal(out.code, 0, `fd_probe ${mode} failed:\n${text}`);
}

Deno.test("Socket connect/close 1,000 times in a row leaves the open fd count unchanged", async () => {
  await fd_probe("cycles");
});

Deno.test("Socket 5,000 connections open at once, then all closed, leave no fd behind", async () => {
  await fd_probe("burst");
});
