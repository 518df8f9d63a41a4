// StreamReader's memory (issues 13 and 17): small results never expose another
// connection's bytes through `.buffer`, the read-ahead buffer shrinks back when
// a connection goes idle after a burst, a 128 MiB line goes through, and no
// byte is lost while the buffer shrinks and grows under random timeouts.
// Plain TCP and TLS beside each other: both read through the same StreamReader.

import assert from "node:assert/strict";
import { create_connection, create_server, MSG_WAITALL, type Socket, TimeoutError } from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { type Certs, make_certs } from "../bench/_certs.ts";
import { sleep, test_needing, within } from "./_socket_fixtures.ts";
import { read_pool_bytes } from "../_stream.ts";

const test = test_needing("openssl");

const enc = new TextEncoder();
const MiB = 1024 * 1024;

let certs: Certs | null = null;
async function tls_certs(): Promise<Certs> {
  if (!certs) {
    certs = await make_certs();
    globalThis.addEventListener("unload", () => certs?.cleanup());
  }
  return certs;
}

/** A connected pair (client, accepted server end), plain or TLS, both pysocket. */
async function pair(tls: boolean): Promise<[Socket, Socket]> {
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  if (!tls) {
    const c = await create_connection(addr);
    const [a] = await srv.accept();
    return [c, a];
  }
  const k = await tls_certs();
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(k.cert, k.key);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  cctx.load_verify_locations(k.ca);
  const [c, a] = await Promise.all([
    create_connection(addr).then((s) => cctx.wrap_socket(s, { server_hostname: "localhost" })),
    srv.accept().then(([s]) => sctx.wrap_socket(s, { server_side: true })),
  ]);
  return [c, a];
}

function reader_capacity(s: Socket): number {
  return s._stream_parts().reader.capacity;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

for (const tls of [false, true]) {
  const kind = tls ? "TLS" : "TCP";

  test(`${kind}: small recv()/readline() results never expose another connection's bytes via .buffer`, async () => {
    const [ca, a] = await pair(tls);
    const [cb, b] = await pair(tls);
    try {
      const secret = enc.encode("SECRET-OF-A");
      const fa = a.makefile("rb"), fb = b.makefile("rb");
      const from_b: Uint8Array[] = [];
      for (let i = 0; i < 20; i++) {
        // Several lines per read (a slab's use), then a lone message each.
        await ca.sendall(enc.encode(`SECRET-OF-A ${i}\nSECRET-OF-A again\n`));
        await cb.sendall(enc.encode(`public b ${i}\nmore b\n`));
        assert.match(new TextDecoder().decode((await fa.readline()) as Uint8Array), /^SECRET-OF-A \d+\n$/);
        from_b.push((await fb.readline()) as Uint8Array);
        assert.equal(new TextDecoder().decode((await fa.readline()) as Uint8Array), "SECRET-OF-A again\n");
        from_b.push((await fb.readline()) as Uint8Array);
        await ca.sendall(secret);
        await cb.sendall(enc.encode("b msg"));
        assert.equal((await within(a.recv(100), 10_000, "recv a")).length, secret.length);
        from_b.push(await within(b.recv(100), 10_000, "recv b"));
      }
      for (const r of from_b) {
        assert.ok(r.length > 0);
        assert.ok(!contains(new Uint8Array(r.buffer), secret), "a result of b shows a's bytes through .buffer");
      }
      await fa.close();
      await fb.close();
    } finally {
      for (const s of [ca, a, cb, b]) s.close();
    }
  });

  test(`${kind}: the read buffer starts at 4 KiB and shrinks back when a connection goes idle after a burst`, async () => {
    const [c, a] = await pair(tls);
    try {
      // Fresh: the pending read waits in 4 KiB.
      const first = a.recv(100);
      await sleep(50);
      assert.ok(reader_capacity(a) <= 4096, `fresh: ${reader_capacity(a)} bytes`);
      await c.sendall(enc.encode("x"));
      assert.equal((await within(first, 10_000, "first recv")).length, 1);

      const BURST = 8 * MiB;
      const sent = c.sendall(new Uint8Array(BURST).fill(0x62));
      let got = 0, peak = 0, most = 0;
      while (got < BURST) {
        const n = (await within(a.recv(65536), 20_000, "burst recv")).length;
        got += n;
        most = Math.max(most, n);
        peak = Math.max(peak, reader_capacity(a));
      }
      await sent;
      assert.equal(got, BURST);
      if (tls) {
        // A TLS read returns one record's plaintext at most, as OpenSSL's SSL_read: the buffer need not grow.
        assert.ok(most <= 16384, `a TLS recv returned ${most} bytes, more than a record`);
        assert.ok(peak <= 64 * 1024, `the buffer grew to ${peak} bytes for one record a read`);
      } else assert.ok(peak >= 128 * 1024, `the buffer never grew during the burst (peak ${peak})`);

      // Idle again, waiting in recv: the reader waits in 4 KiB at once, and the
      // pool of spare read buffers it gave its big one to empties within a few sweeps.
      const waiting = a.recv(100);
      await sleep(20);
      // (4 KiB to read into, plus at most a 256-byte slab that its small results are carved from.)
      const cap = reader_capacity(a);
      assert.ok(cap <= 4096 + 256, `after the burst an idle reader holds ${cap} bytes`);
      let pooled = read_pool_bytes();
      for (let i = 0; i < 100 && pooled > 0; i++) {
        await sleep(50);
        pooled = read_pool_bytes();
      }
      assert.equal(pooled, 0, "the spare read buffers are still held after idling");

      // And it still reads: nothing lost across the shrink.
      await c.sendall(enc.encode("after"));
      assert.equal(new TextDecoder().decode(await within(waiting, 10_000, "recv after idle")), "after");
    } finally {
      c.close();
      a.close();
    }
  });
}

test("a 128 MiB line goes through makefile('rb').readline() and recv(n, MSG_WAITALL)", async () => {
  const N = 128 * MiB;
  const [c, a] = await pair(false);
  try {
    const chunk = new Uint8Array(MiB).fill(0x78);
    const send_line = async () => {
      for (let i = 0; i < N / MiB; i++) await c.sendall(chunk);
      await c.sendall(enc.encode("\n"));
    };
    const f = a.makefile("rb");
    let t0 = performance.now();
    const [, line] = await within(Promise.all([send_line(), f.readline()]), 120_000, "128 MiB readline");
    const t_line = performance.now() - t0;
    assert.equal(line.length, N + 1);
    assert.equal(line[0], 0x78);
    assert.equal(line[N], 0x0a);
    await f.close();

    t0 = performance.now();
    const [, all] = await within(Promise.all([send_line(), a.recv(N + 1, MSG_WAITALL)]), 120_000, "128 MiB WAITALL");
    const t_all = performance.now() - t0;
    assert.equal(all.length, N + 1);
    assert.equal(all[N], 0x0a);
    console.log(`128 MiB: readline ${t_line.toFixed(0)} ms, recv(MSG_WAITALL) ${t_all.toFixed(0)} ms (not asserted)`);
  } finally {
    c.close();
    a.close();
  }
});

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const tls of [false, true]) {
  test(`${tls ? "TLS" : "TCP"}: nothing is lost while the buffer shrinks and grows under random timeouts`, async () => {
    const seed = Number(Deno.env.get("READER_SEED") ?? Date.now() % 1_000_000);
    console.log(`seed ${seed} (READER_SEED=${seed} replays it)`);
    const rnd = prng(seed);
    const [c, a] = await pair(tls);
    try {
      const TOTAL = 6 * MiB;
      const data = new Uint8Array(TOTAL);
      for (let i = 0; i < TOTAL; i++) data[i] = (i * 7 + (i >>> 11)) & 0xff;
      // Bursts of random sizes with pauses; some pauses outlast the shrink (a sweep is 250-500 ms).
      const sizes: number[] = [], pauses: number[] = [];
      for (let off = 0; off < TOTAL;) {
        const k = Math.min(TOTAL - off, rnd() < 0.5 ? 1 + Math.floor(rnd() * 200) : 1 + Math.floor(rnd() * MiB / 2));
        sizes.push(k);
        // Every 12th burst is followed by a pause long enough for the shrink.
        pauses.push(sizes.length % 12 === 0 ? 600 : rnd() < 0.5 ? Math.floor(rnd() * 20) : 0);
        off += k;
      }
      const sender = (async () => {
        let off = 0;
        for (let i = 0; i < sizes.length; i++) {
          await c.sendall(data.subarray(off, off + sizes[i]!));
          off += sizes[i]!;
          if (pauses[i]) await sleep(pauses[i]!);
        }
      })();
      sender.catch(() => {});
      const got = new Uint8Array(TOTAL);
      let n = 0, timeouts = 0;
      const t_end = performance.now() + 90_000;
      while (n < TOTAL && performance.now() < t_end) {
        a.settimeout(0.001 + rnd() * 0.03);
        const r = rnd();
        try {
          if (r < 0.4) {
            const b = await a.recv(1 + Math.floor(rnd() * 100_000));
            if (b.length === 0) break;
            got.set(b, n);
            n += b.length;
          } else if (r < 0.7 && !tls) { // SSLSocket.recv() takes no flags (CPython: ValueError)
            const want = Math.min(TOTAL - n, 1 + Math.floor(rnd() * 300_000));
            const b = await a.recv(want, MSG_WAITALL);
            if (b.length === 0) break;
            got.set(b, n);
            n += b.length;
          } else {
            const view = got.subarray(n, Math.min(TOTAL, n + 1 + Math.floor(rnd() * 70_000)));
            const k = await a.recv_into(view);
            if (k === 0) break;
            n += k;
          }
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          timeouts++;
        }
      }
      await within(sender, 30_000, "sender");
      assert.equal(n, TOTAL, `received ${n} of ${TOTAL} (seed ${seed})`);
      for (let i = 0; i < TOTAL; i++) {
        if (got[i] !== data[i]) assert.fail(`byte ${i} differs (seed ${seed})`);
      }
      assert.ok(timeouts > 0, "no timeout was exercised");
      assert.ok(pauses.filter((p) => p >= 600).length >= 2, "fewer than two idle pauses");
    } finally {
      c.close();
      a.close();
    }
  });
}
