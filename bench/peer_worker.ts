// The far end of every Deno bench row, written with raw Deno APIs and run on
// its own thread (a Worker), so that both variants of a row (pysocket and raw
// Deno) talk to exactly the same peer code and the row measures only the
// variant's side. CPython's peer is a thread too (bench/peer.py).

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
  | { op: "quit" };

/** The peer's reply. */
export interface PeerDone {
  ok: boolean;
  bytes: number;
  error?: string;
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
    case "quit":
      scope.close();
      return 0;
  }
}

scope.onmessage = async (e: MessageEvent<PeerJob>) => {
  try {
    const bytes = await run(e.data);
    scope.postMessage({ ok: true, bytes } satisfies PeerDone);
  } catch (err) {
    scope.postMessage({ ok: false, bytes: 0, error: String(err) } satisfies PeerDone);
  }
};
