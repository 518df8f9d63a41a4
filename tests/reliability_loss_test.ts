// Randomised loss hunt (issue 9): whatever mix of recv, recv_into, MSG_PEEK,
// MSG_WAITALL and makefile().readline() a receiver uses, under whatever
// timeouts and aborts, the bytes it ends up with are the bytes sent, in order;
// every connection is accepted exactly once; no datagram is delivered twice or
// lost while the receiver keeps up. Seeds are printed; replay with
// PYSOCKET_SEED=<seed>.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  create_connection,
  create_server,
  MSG_PEEK,
  MSG_WAITALL,
  SOCK_DGRAM,
  type Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { pattern, type Rng, seeded, sleep, within } from "./fixtures/_rng.ts";
import { stream_pair } from "./_pairs.ts";

const TIMEOUTS: readonly (number | null)[] = [null, 0, 0.001, 0.001, 0.002, 0.005, 0.02];
const RUN_LIMIT_MS = 20_000;

/** An AbortSignal that aborts at a random moment (or already has), or none. */
function random_signal(rng: Rng): { signal?: AbortSignal; stop: () => void } {
  const r = rng.next();
  if (r < 0.6) return { stop: () => {} };
  const ac = new AbortController();
  if (r < 0.65) {
    ac.abort(new Error("hunt-abort"));
    return { signal: ac.signal, stop: () => {} };
  }
  const t = setTimeout(() => ac.abort(new Error("hunt-abort")), rng.int(0, 4));
  return { signal: ac.signal, stop: () => clearTimeout(t) };
}

/** True for the outcomes a retrying caller expects: timeout, would-block, our abort. */
function retryable(e: unknown): boolean {
  return e instanceof TimeoutError || e instanceof BlockingIOError ||
    (e instanceof Error && e.message === "hunt-abort");
}

/** Send `total` pattern bytes in random pieces, with random pauses, timeouts and aborts; then close. */
async function send_pattern(sock: Socket, total: number, rng: Rng, stats: Record<string, number>): Promise<void> {
  let off = 0;
  const end = performance.now() + RUN_LIMIT_MS;
  while (off < total) {
    assert.ok(performance.now() < end, `sender stuck at ${off}/${total}`);
    const piece = pattern(off, Math.min(total - off, rng.int(1, rng.chance(0.2) ? 200_000 : 16_384)));
    let k = 0;
    while (k < piece.length) {
      assert.ok(performance.now() < end, `sender stuck at ${off + k}/${total}`);
      sock.settimeout(rng.pick(TIMEOUTS));
      const sig = random_signal(rng);
      try {
        if (rng.chance(0.5) && sock.gettimeout() === null && sig.signal === undefined) {
          await sock.sendall(piece.subarray(k));
          k = piece.length;
        } else {
          const n = await sock.send(piece.subarray(k), sig.signal ? { signal: sig.signal } : {});
          assert.ok(n > 0 && n <= piece.length - k, `send() returned ${n}`);
          k += n;
        }
      } catch (e) {
        if (!retryable(e)) throw e;
        stats.send_retries = (stats.send_retries ?? 0) + 1;
        await sleep(rng.int(0, 1));
      } finally {
        sig.stop();
      }
    }
    off += piece.length;
    if (rng.chance(0.15)) await sleep(rng.int(0, 4));
  }
  sock.settimeout(null);
  sock.close();
}

/** Receive `total` bytes with a random mix of read methods under random timeouts and aborts. */
async function receive_pattern(sock: Socket, total: number, rng: Rng, stats: Record<string, number>): Promise<void> {
  let f = sock.makefile("rb");
  const expect = pattern(0, total);
  let off = 0;
  const end = performance.now() + RUN_LIMIT_MS;
  const take = (b: Uint8Array, op: string) => {
    assert.ok(off + b.length <= total, `${op}: ${b.length} bytes at ${off} run past the ${total} sent`);
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== expect[off + i]) {
        assert.fail(`${op}: byte ${off + i} is ${b[i]}, expected ${expect[off + i]} (loss, repeat or reorder)`);
      }
    }
    off += b.length;
  };
  while (off < total) {
    assert.ok(performance.now() < end, `receiver stuck at ${off}/${total}`);
    sock.settimeout(rng.pick(TIMEOUTS));
    const sig = random_signal(rng);
    const opts = sig.signal ? { signal: sig.signal } : {};
    const op = rng.pick(["recv", "recv", "recv_into", "peek", "waitall", "readline", "readline"] as const);
    try {
      if (op === "recv") {
        const n = rng.int(1, rng.chance(0.5) ? 64 : 100_000);
        const b = await sock.recv(n, opts);
        assert.ok(b.length > 0 && b.length <= n, `recv(${n}) gave ${b.length} before EOF`);
        take(b, op);
      } else if (op === "recv_into") {
        const buf = new Uint8Array(rng.int(1, 70_000));
        const nbytes = rng.chance(0.5) ? 0 : rng.int(1, buf.length);
        const n = await sock.recv_into(buf, nbytes, opts);
        assert.ok(n > 0 && n <= (nbytes || buf.length), `recv_into(${nbytes}) gave ${n}`);
        take(buf.subarray(0, n), op);
      } else if (op === "peek") {
        const n = rng.int(1, 5000);
        const b = await sock.recv(n, MSG_PEEK, opts);
        assert.ok(b.length > 0 && b.length <= n);
        const before = off;
        take(b, op);
        off = before; // a peek consumes nothing
      } else if (op === "waitall") {
        const n = rng.int(1, Math.min(total - off, 50_000));
        const b = await sock.recv(n, MSG_WAITALL, opts);
        // As CPython: all n only on a blocking socket; with a timeout (a
        // non-blocking descriptor there) what is there once something is.
        if (sock.gettimeout() === null) assert.equal(b.length, n, `recv(${n}, MSG_WAITALL) gave ${b.length}`);
        else assert.ok(b.length > 0 && b.length <= n, `recv(${n}, MSG_WAITALL) with a timeout gave ${b.length}`);
        take(b, op);
      } else {
        const limit = rng.chance(0.5) ? -1 : rng.int(1, 400);
        const line = await f.readline(limit, opts) as Uint8Array;
        assert.ok(line.length > 0, "readline() gave EOF early");
        const complete = line[line.length - 1] === 10 || line.length === limit || off + line.length === total;
        assert.ok(complete, `readline(${limit}) returned a partial line of ${line.length}`);
        take(line, op);
      }
      stats[op] = (stats[op] ?? 0) + 1;
    } catch (e) {
      if (!retryable(e)) throw e;
      stats.retries = (stats.retries ?? 0) + 1;
      // As CPython's SocketIO, a file whose read timed out refuses every later read: a program makes a new one (a
      // binary file's partial line stayed in the socket, so nothing is lost).
      if (op === "readline" && e instanceof TimeoutError) f = sock.makefile("rb");
      if (e instanceof BlockingIOError) await sleep(rng.int(0, 1));
    } finally {
      sig.stop();
    }
  }
  sock.settimeout(2);
  assert.equal((await sock.recv(10)).length, 0, "EOF expected after everything sent");
  await f.close();
}

for (const [name, family] of [["AF_INET", AF_INET], ["AF_INET6", AF_INET6], ["AF_UNIX", AF_UNIX]] as const) {
  Deno.test(`Socket.recv() family ${name} loses no byte under random timeouts, aborts and read methods`, async () => {
    const rng = seeded(`loss ${name}`);
    const runs = 6;
    for (let run = 0; run < runs; run++) {
      const total = rng.int(1, 3) * 1024 * 1024 + rng.int(0, 5000);
      const [a, b] = await stream_pair(family);
      const stats: Record<string, number> = {};
      try {
        await within(
          Promise.all([send_pattern(a, total, rng, stats), receive_pattern(b, total, rng, stats)]),
          RUN_LIMIT_MS + 5000,
          `loss run ${run}`,
        );
      } finally {
        a.close();
        b.close();
      }
      console.log(`  run ${run}: ${total} bytes ok`, JSON.stringify(stats));
    }
  });
}

Deno.test("Socket.send() from concurrent tasks (blocking sendall and timed or aborted send) loses no byte", async () => {
  const rng = seeded("concurrent senders");
  for (let run = 0; run < 4; run++) {
    const [a, b] = await stream_pair(rng.pick([AF_INET, AF_UNIX]));
    try {
      let sent = 0, sent_sum = 0;
      const note = (d: Uint8Array) => {
        sent += d.length;
        for (const x of d) sent_sum = (sent_sum + x) >>> 0;
      };
      // Task 1 uses the blocking path (timeout null, no signal) via sendall with an explicit
      // signal-free call; task 2 uses per-call signals (the queued path); the socket's timeout stays null.
      const blocking = async () => {
        for (let i = 0; i < 40; i++) {
          const d = pattern(i, rng.int(1, 300_000));
          await a.sendall(d);
          note(d);
          if (rng.chance(0.3)) await sleep(rng.int(0, 2));
        }
      };
      const timed = async () => {
        for (let i = 0; i < 200; i++) {
          const d = pattern(i * 7, rng.int(1, 5000));
          let k = 0;
          while (k < d.length) {
            const ac = new AbortController();
            const t = setTimeout(() => ac.abort(new Error("hunt-abort")), rng.int(0, 3));
            try {
              const n = await a.send(d.subarray(k), { signal: ac.signal });
              note(d.subarray(k, k + n));
              k += n;
            } catch (e) {
              if (!retryable(e)) throw e;
            } finally {
              clearTimeout(t);
            }
          }
          if (rng.chance(0.3)) await sleep(rng.int(0, 2));
        }
      };
      let got = 0, got_sum = 0;
      const receive = async () => {
        b.settimeout(5);
        for (;;) {
          const d = await b.recv(1 << 20);
          if (d.length === 0) return;
          got += d.length;
          for (const x of d) got_sum = (got_sum + x) >>> 0;
        }
      };
      const r = receive();
      await within(Promise.all([blocking(), timed()]), RUN_LIMIT_MS, `concurrent run ${run}`);
      // The last word: a small signal send lands while a big blocking sendall is still writing.
      const big = pattern(run, 8 * 1024 * 1024);
      const last = a.sendall(big).then(() => note(big));
      await sleep(0);
      const tail = pattern(3, 3);
      note(tail.subarray(0, await a.send(tail, { signal: new AbortController().signal })));
      await within(last, RUN_LIMIT_MS, "last sendall");
      await a.shutdown(1);
      await within(r, RUN_LIMIT_MS, `concurrent receive ${run}`);
      assert.equal(got, sent, "every byte sent arrives (none stuck in the send queue)");
      assert.equal(got_sum, sent_sum, "byte checksum");
      console.log(`  run ${run}: ${sent} bytes from two concurrent senders ok`);
    } finally {
      a.close();
      b.close();
    }
  }
});

Deno.test("Socket.accept() accepts every connection exactly once under random timeouts and aborts", async () => {
  const rng = seeded("accept hunt");
  for (let run = 0; run < 3; run++) {
    using srv = create_server(["127.0.0.1", 0]);
    const addr = srv.getsockname() as [string, number];
    const n = rng.int(20, 60);
    const delays = Array.from({ length: n }, () => rng.int(0, 300));
    const clients = delays.map(async (d, id) => {
      await sleep(d);
      using c = await create_connection(addr, 5);
      await c.sendall(new TextEncoder().encode(`${id}\n`));
      const ack = await c.recv(16);
      assert.equal(new TextDecoder().decode(ack), `ok ${id}`);
    });
    const seen = new Map<number, number>();
    const stats: Record<string, number> = {};
    const serve = async () => {
      const end = performance.now() + RUN_LIMIT_MS;
      while (seen.size < n) {
        assert.ok(performance.now() < end, `accepted ${seen.size}/${n}`);
        srv.settimeout(rng.pick(TIMEOUTS));
        const sig = random_signal(rng);
        try {
          const [conn] = await srv.accept(sig.signal ? { signal: sig.signal } : {});
          conn.settimeout(5);
          const f = conn.makefile("rb");
          const line = new TextDecoder().decode(await f.readline() as Uint8Array);
          const id = Number(line.trim());
          seen.set(id, (seen.get(id) ?? 0) + 1);
          await conn.sendall(new TextEncoder().encode(`ok ${id}`));
          conn.close();
          stats.accepted = (stats.accepted ?? 0) + 1;
        } catch (e) {
          if (!retryable(e)) throw e;
          stats.retries = (stats.retries ?? 0) + 1;
          if (e instanceof BlockingIOError) await sleep(rng.int(0, 2));
        } finally {
          sig.stop();
        }
      }
    };
    await within(Promise.all([serve(), ...clients]), RUN_LIMIT_MS + 5000, `accept run ${run}`);
    for (let id = 0; id < n; id++) {
      assert.equal(seen.get(id), 1, `connection ${id} accepted ${seen.get(id) ?? 0} times`);
    }
    srv.settimeout(0);
    await assert.rejects(srv.accept(), BlockingIOError, "no connection beyond the ones made");
    console.log(`  run ${run}: ${n} connections, each accepted once`, JSON.stringify(stats));
  }
});

/** Why the datagram hunt cannot run yet, or null when SOCK_DGRAM sockets work. */
function dgram_skip_reason(): string | null {
  try {
    socket(AF_INET, SOCK_DGRAM).close();
    return null;
  } catch (e) {
    return `SOCK_DGRAM sockets unavailable (${(e as Error).message}): the datagram engine (_dgram.ts) has not landed`;
  }
}

const DGRAM_SKIP = dgram_skip_reason();
if (DGRAM_SKIP) console.log(`skip: datagram loss hunt: ${DGRAM_SKIP}`);

Deno.test({
  name: "Socket.recvfrom() delivers each datagram at most once and loses none under random timeouts and aborts",
  ignore: DGRAM_SKIP !== null,
  async fn() {
    const rng = seeded("datagram hunt");
    for (let run = 0; run < 3; run++) {
      using rx = socket(AF_INET, SOCK_DGRAM);
      rx.bind(["127.0.0.1", 0]);
      using tx = socket(AF_INET, SOCK_DGRAM);
      const to = rx.getsockname();
      const count = rng.int(200, 500);
      const seen = new Uint8Array(count);
      let received = 0;
      const stats: Record<string, number> = {};
      const body = (seq: number) => {
        const len = 4 + (seq * 37) % 1400;
        const b = pattern(seq, len);
        new DataView(b.buffer).setUint32(0, seq);
        return b;
      };
      const send = async () => {
        const end = performance.now() + RUN_LIMIT_MS;
        for (let seq = 0; seq < count; seq++) {
          // keep a window of 8 in flight so the receiver keeps up
          while (seq - received > 8) {
            assert.ok(performance.now() < end, `datagram sender stuck at ${seq}`);
            await sleep(1);
          }
          await tx.sendto(body(seq), to);
          if (rng.chance(0.1)) await sleep(rng.int(0, 3));
        }
      };
      const recv = async () => {
        const end = performance.now() + RUN_LIMIT_MS;
        while (received < count) {
          assert.ok(performance.now() < end, `received ${received}/${count} datagrams`);
          rx.settimeout(rng.pick(TIMEOUTS));
          const sig = random_signal(rng);
          const opts = sig.signal ? { signal: sig.signal } : {};
          try {
            let d: Uint8Array;
            const op = rng.pick(["recvfrom", "recv", "recv_into", "peek"] as const);
            if (op === "recvfrom") d = (await rx.recvfrom(2048, opts))[0];
            else if (op === "recv" || op === "peek") d = await rx.recv(2048, op === "peek" ? MSG_PEEK : 0, opts);
            else {
              const buf = new Uint8Array(2048);
              d = buf.subarray(0, await rx.recv_into(buf, 0, opts));
            }
            const seq = new DataView(d.buffer, d.byteOffset).getUint32(0);
            assert.ok(seq < count, `bad sequence number ${seq}`);
            assert.deepEqual(d, body(seq), `datagram ${seq} corrupted`);
            if (op === "peek") {
              rx.settimeout(2);
              const again = await rx.recv(2048);
              assert.deepEqual(again, d, "recv after MSG_PEEK returns the peeked datagram");
            }
            assert.equal(seen[seq], 0, `datagram ${seq} delivered twice`);
            seen[seq] = 1;
            received++;
            stats[op] = (stats[op] ?? 0) + 1;
          } catch (e) {
            if (!retryable(e)) throw e;
            stats.retries = (stats.retries ?? 0) + 1;
            if (e instanceof BlockingIOError) await sleep(rng.int(0, 1));
          } finally {
            sig.stop();
          }
        }
      };
      await within(Promise.all([send(), recv()]), RUN_LIMIT_MS + 5000, `datagram run ${run}`);
      assert.equal(seen.indexOf(0), -1, "every datagram delivered");
      console.log(`  run ${run}: ${count} datagrams, each once`, JSON.stringify(stats));
    }
  },
});
