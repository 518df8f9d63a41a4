// The far end of every Deno bench row, written with raw Deno APIs and run on
// its own thread (a Worker), so that both variants of a row (pysocket and raw
// Deno) talk to exactly the same peer code and the row measures only the
// variant's side. CPython's peer is a thread too (bench/peer.py).

import tls from "node:tls";

/** Where the peer connects (the bench's main thread listens). */
export type PeerAddr =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string };

/** A job for the peer. */
export type PeerJob =
  /** Connect, write `total` bytes in `chunk`-sized writes, close. */
  | { op: "send"; addr: PeerAddr; total: number; chunk: number }
  /** Connect, read until EOF (into one reused buffer), close. */
  | { op: "sink"; addr: PeerAddr }
  /** Connect, echo every byte back until EOF (TCP_NODELAY). */
  | { op: "echo"; addr: PeerAddr }
  /** Keep `data` for later "blob" jobs. */
  | { op: "store"; data: Uint8Array }
  /** Connect, write the stored data (in 64 KiB writes), close. */
  | { op: "blob"; addr: PeerAddr }
  /** Send `count` datagrams of `size` bytes to `port`, keeping at most `window` ahead of `acked`. */
  | { op: "udp"; port: number; count: number; size: number; window: number; acked: Int32Array }
  /**
   * TLS server on 127.0.0.1 (port reported first with `ready`): "send" writes `total` bytes to one
   * client; "sink" reads one client until EOF (both Deno.listenTls); "hs" serves `count` clients, each:
   * handshake, end (Deno's node:tls server with noDelay, see tls_serve_hs).
   */
  | { op: "tls-serve"; mode: "send" | "sink" | "hs"; cert: string; key: string; total: number; count: number }
  /** TLS client: `count` times Deno.connect + setNoDelay + startTls, handshake, read until EOF, close. */
  | { op: "tls-connect"; port: number; ca: string; count: number }
  /**
   * Open `conns` connections to `port`, then `active` of them do `total` 16-byte echo round trips between
   * them; closes all. Reports the echoes and the seconds of the echo phase.
   */
  | { op: "echo-many"; port: number; conns: number; active: number; total: number }
  | { op: "quit" };

/** The peer's reply. */
export interface PeerDone {
  ok: boolean;
  bytes: number;
  error?: string;
  /** Set on the "ready" message a listening job sends before its result. */
  ready?: boolean;
  port?: number;
  /** Seconds the job timed itself (echo-many, tls-connect). */
  seconds?: number;
}

/** The worker's own global scope (typed here so the bench type-checks as one program). */
const scope = self as unknown as {
  postMessage(m: PeerDone): void;
  close(): void;
  onmessage: ((e: MessageEvent<PeerJob>) => void) | null;
};

let stored: Uint8Array = new Uint8Array(0);

async function connect(addr: PeerAddr): Promise<Deno.Conn> {
  return addr.transport === "unix" ? await Deno.connect(addr) : await Deno.connect(addr);
}

async function write_all(c: Deno.Conn, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.length) off += await c.write(off === 0 ? b : b.subarray(off));
}

let seconds: number | undefined;

async function read_to_end(c: Deno.Conn, buf: Uint8Array): Promise<number> {
  let total = 0;
  try {
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      total += n;
    }
  } catch { /* a reset ends it too */ }
  return total;
}

/**
 * The handshake server: Deno's built-in node:tls server with noDelay. Deno.listenTls connections have no
 * setNoDelay, and its server flights then wait for delayed ACKs: 10-20% of handshakes stalled 40 ms
 * (measured), which would make the handshake rows measure the stalls.
 */
async function tls_serve_hs(job: Extract<PeerJob, { op: "tls-serve" }>): Promise<number> {
  const srv = tls.createServer({
    cert: Deno.readTextFileSync(job.cert),
    key: Deno.readTextFileSync(job.key),
    noDelay: true,
  });
  let n = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => finish = r);
  srv.on("secureConnection", (s: tls.TLSSocket) => {
    s.on("error", () => {});
    s.end();
    if (++n === job.count) finish();
  });
  srv.on("tlsClientError", () => {});
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  try {
    scope.postMessage({ ok: true, bytes: 0, ready: true, port: (srv.address() as { port: number }).port });
    await all;
    return n;
  } finally {
    srv.close();
  }
}

async function tls_serve(job: Extract<PeerJob, { op: "tls-serve" }>): Promise<number> {
  if (job.mode === "hs") return await tls_serve_hs(job);
  const l = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: Deno.readTextFileSync(job.cert),
    key: Deno.readTextFileSync(job.key),
  });
  try {
    scope.postMessage({ ok: true, bytes: 0, ready: true, port: (l.addr as Deno.NetAddr).port });
    using c = await l.accept();
    await c.handshake();
    if (job.mode === "sink") return await read_to_end(c, new Uint8Array(1024 * 1024));
    const buf = new Uint8Array(65536).fill(0x61);
    for (let left = job.total; left > 0; left -= buf.length) {
      await write_all(c, left >= buf.length ? buf : buf.subarray(0, left));
    }
    await c.closeWrite();
    await read_to_end(c, new Uint8Array(16));
    return job.total;
  } finally {
    l.close();
  }
}

async function tls_connect(job: Extract<PeerJob, { op: "tls-connect" }>): Promise<number> {
  const caCerts = [Deno.readTextFileSync(job.ca)];
  const buf = new Uint8Array(1024);
  const t0 = performance.now();
  for (let i = 0; i < job.count; i++) {
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port: job.port });
    tcp.setNoDelay(true);
    const c = await Deno.startTls(tcp, { hostname: "localhost", caCerts });
    await c.handshake();
    await read_to_end(c, buf);
    c.close();
  }
  seconds = (performance.now() - t0) / 1000;
  return job.count;
}

async function echo_many(job: Extract<PeerJob, { op: "echo-many" }>): Promise<number> {
  const conns: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < job.conns; i++) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: job.port });
      c.setNoDelay(true);
      conns.push(c);
    }
    // The active ones are spread over the whole set, not the first few.
    const step = Math.floor(job.conns / job.active);
    const per = Math.ceil(job.total / job.active);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: job.active }, async (_, k) => {
      const c = conns[k * step]!;
      const msg = new Uint8Array(16).fill(0x65);
      const got = new Uint8Array(16);
      for (let i = 0; i < per; i++) {
        await write_all(c, msg);
        let n = 0;
        while (n < 16) {
          const r = await c.read(got.subarray(n));
          if (r === null) throw new Error("echo server closed");
          n += r;
        }
      }
    }));
    seconds = (performance.now() - t0) / 1000;
    return per * job.active;
  } finally {
    for (const c of conns) c.close();
  }
}

async function run(job: PeerJob): Promise<number> {
  switch (job.op) {
    case "send": {
      using c = await connect(job.addr);
      const buf = new Uint8Array(job.chunk).fill(0x61);
      let left = job.total;
      while (left > 0) {
        const k = Math.min(left, buf.length);
        await write_all(c, k === buf.length ? buf : buf.subarray(0, k));
        left -= k;
      }
      await c.closeWrite();
      // Wait for the receiver to close, so the sender never resets it.
      const tail = new Uint8Array(16);
      while ((await c.read(tail)) !== null) { /* drain */ }
      return job.total;
    }
    case "sink": {
      using c = await connect(job.addr);
      const buf = new Uint8Array(1024 * 1024);
      let total = 0;
      for (;;) {
        const n = await c.read(buf);
        if (n === null) break;
        total += n;
      }
      return total;
    }
    case "echo": {
      using c = await connect(job.addr);
      if (job.addr.transport === "tcp") (c as Deno.TcpConn).setNoDelay(true);
      const buf = new Uint8Array(65536);
      let total = 0;
      for (;;) {
        const n = await c.read(buf);
        if (n === null) break;
        await write_all(c, buf.subarray(0, n));
        total += n;
      }
      return total;
    }
    case "store":
      stored = job.data;
      return stored.length;
    case "blob": {
      using c = await connect(job.addr);
      for (let off = 0; off < stored.length; off += 65536) {
        await write_all(c, stored.subarray(off, Math.min(off + 65536, stored.length)));
      }
      await c.closeWrite();
      const tail = new Uint8Array(16);
      while ((await c.read(tail)) !== null) { /* drain */ }
      return stored.length;
    }
    case "udp": {
      const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      try {
        const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: job.port };
        const msg = new Uint8Array(job.size).fill(0x62);
        let free = false; // set once the receiver stalls (lost datagrams): stop pacing
        for (let i = 0; i < job.count; i++) {
          // Keep at most `window` datagrams in flight: the receiver keeps up.
          while (!free) {
            const cur = Atomics.load(job.acked, 0);
            if (i - cur < job.window) break;
            const w = Atomics.waitAsync(job.acked, 0, cur, 1000);
            if (w.async && (await w.value) === "timed-out") free = true;
          }
          await s.send(msg, to);
        }
      } finally {
        s.close();
      }
      return job.count;
    }
    case "tls-serve":
      return await tls_serve(job);
    case "tls-connect":
      return await tls_connect(job);
    case "echo-many":
      return await echo_many(job);
    case "quit":
      scope.close();
      return 0;
  }
}

scope.onmessage = async (e: MessageEvent<PeerJob>) => {
  try {
    seconds = undefined;
    const bytes = await run(e.data);
    scope.postMessage({ ok: true, bytes, ...(seconds === undefined ? {} : { seconds }) } satisfies PeerDone);
  } catch (err) {
    scope.postMessage({ ok: false, bytes: 0, error: String(err) } satisfies PeerDone);
  }
};
