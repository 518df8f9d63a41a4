// The Deno-side workloads: each pysocket variant next to raw Deno written the
// fastest obvious way. Every function returns the row's metric (higher is
// better: bytes/s or operations/s) plus extras.

import {
  AF_INET,
  AF_UNIX,
  create_connection,
  create_server,
  IPPROTO_TCP,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  TCP_NODELAY,
} from "../mod.ts";
import { select } from "../selectors.ts";
import type { Peer } from "./_peer.ts";
import { unix_path } from "./_peer.ts";
import type { PeerAddr } from "./peer_worker.ts";

/** One measurement. */
export interface Sample {
  value: number;
  extra?: Record<string, number>;
}

const CHUNK = 65536;
const SEND_CHUNK = Number(Deno.env.get("BENCH_SEND_CHUNK") ?? CHUNK);

// ---- listeners ---------------------------------------------------------

interface PyListener {
  sock: Socket;
  addr: PeerAddr;
  cleanup: () => void;
}

function py_listen(family: "tcp" | "unix"): PyListener {
  if (family === "unix") {
    const u = unix_path();
    const s = socket(AF_UNIX, SOCK_STREAM);
    s.bind(u.path);
    s.listen();
    return { sock: s, addr: { transport: "unix", path: u.path }, cleanup: u.cleanup };
  }
  const s = create_server(["127.0.0.1", 0]);
  const [hostname, port] = s.getsockname() as [string, number];
  return { sock: s, addr: { transport: "tcp", hostname, port }, cleanup: () => {} };
}

interface RawListener {
  l: Deno.Listener;
  addr: PeerAddr;
  cleanup: () => void;
}

function raw_listen(family: "tcp" | "unix"): RawListener {
  if (family === "unix") {
    const u = unix_path();
    const l = Deno.listen({ transport: "unix", path: u.path });
    return { l, addr: { transport: "unix", path: u.path }, cleanup: u.cleanup };
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const a = l.addr as Deno.NetAddr;
  return { l, addr: { transport: "tcp", hostname: a.hostname, port: a.port }, cleanup: () => {} };
}

// ---- bulk receive --------------------------------------------------------

/** pysocket receives `total` bytes sent by the raw peer: recv_into one reused buffer, or recv(65536). */
export async function py_bulk(
  peer: Peer,
  family: "tcp" | "unix",
  mode: "into" | "recv",
  total: number,
): Promise<Sample> {
  const L = py_listen(family);
  try {
    const t0 = performance.now();
    const done = peer.run({ op: "send", addr: L.addr, total, chunk: SEND_CHUNK });
    const [conn] = await L.sock.accept();
    let got = 0;
    if (mode === "into") {
      const buf = new Uint8Array(CHUNK);
      for (;;) {
        const n = await conn.recv_into(buf);
        if (n === 0) break;
        got += n;
      }
    } else {
      for (;;) {
        const b = await conn.recv(CHUNK);
        if (b.length === 0) break;
        got += b.length;
      }
    }
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    await done;
    if (got !== total) throw new Error(`bulk: got ${got} of ${total}`);
    return { value: got / dt };
  } finally {
    L.sock.close();
    L.cleanup();
  }
}

/** Raw Deno receives the same: conn.read into one reused buffer, or into a fresh buffer each time. */
export async function raw_bulk(
  peer: Peer,
  family: "tcp" | "unix",
  mode: "into" | "recv",
  total: number,
): Promise<Sample> {
  const L = raw_listen(family);
  try {
    const t0 = performance.now();
    const done = peer.run({ op: "send", addr: L.addr, total, chunk: SEND_CHUNK });
    const conn = await L.l.accept();
    let got = 0;
    if (mode === "into") {
      const buf = new Uint8Array(CHUNK);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        got += n;
      }
    } else {
      for (;;) {
        const buf = new Uint8Array(CHUNK);
        const n = await conn.read(buf);
        if (n === null) break;
        got += n;
      }
    }
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    await done;
    if (got !== total) throw new Error(`bulk: got ${got} of ${total}`);
    return { value: got / dt };
  } finally {
    L.l.close();
    L.cleanup();
  }
}

// ---- bulk send -----------------------------------------------------------

/**
 * The sink rows' frame: `send` writes `total` bytes on an accepted pysocket connection to the raw reader on the peer
 * thread, then SHUT_WR; seconds until the peer has them all.
 */
async function py_to_sink(peer: Peer, total: number, send: (conn: Socket) => Promise<void>): Promise<number> {
  const L = py_listen("tcp");
  try {
    const done = peer.run({ op: "sink", addr: L.addr });
    const [conn] = await L.sock.accept();
    const t0 = performance.now();
    await send(conn);
    await conn.shutdown(1);
    const d = await done;
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    if (d.bytes !== total) throw new Error(`sink: peer got ${d.bytes} of ${total}`);
    return dt;
  } finally {
    L.sock.close();
    L.cleanup();
  }
}

/** The same frame for raw Deno: `send` writes on an accepted Deno.Conn, then closeWrite(). */
async function raw_to_sink(peer: Peer, total: number, send: (conn: Deno.Conn) => Promise<void>): Promise<number> {
  const L = raw_listen("tcp");
  try {
    const done = peer.run({ op: "sink", addr: L.addr });
    const conn = await L.l.accept();
    const t0 = performance.now();
    await send(conn);
    await conn.closeWrite();
    const d = await done;
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    if (d.bytes !== total) throw new Error(`sink: peer got ${d.bytes} of ${total}`);
    return dt;
  } finally {
    L.l.close();
    L.cleanup();
  }
}

/** Every byte of b on a Deno.Conn (partial writes handled). */
async function raw_write_all(conn: Deno.Conn, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.length) off += await conn.write(off === 0 ? b : b.subarray(off));
}

/** pysocket sendall(64 KiB) × n to a raw reader on the peer thread. */
export async function py_sendall(peer: Peer, total: number): Promise<Sample> {
  const buf = new Uint8Array(CHUNK).fill(0x61);
  const dt = await py_to_sink(peer, total, async (conn) => {
    for (let left = total; left > 0; left -= CHUNK) await conn.sendall(buf);
  });
  return { value: total / dt };
}

/** Raw Deno write loop (partial writes handled) of the same. */
export async function raw_sendall(peer: Peer, total: number): Promise<Sample> {
  const buf = new Uint8Array(CHUNK).fill(0x61);
  const dt = await raw_to_sink(peer, total, async (conn) => {
    for (let left = total; left > 0; left -= CHUNK) await raw_write_all(conn, buf);
  });
  return { value: total / dt };
}

// ---- select() read+write client ---------------------------------------------

/**
 * pysocket: a non-blocking client's `select([s], [s], [])` loop against the raw echo peer: it sends `size` bytes when
 * writable and nothing is out, and counts an echo when readable (the loop a select() chat or request client runs).
 */
export async function py_select_rw(peer: Peer, count: number, size: number): Promise<Sample> {
  const req = new Uint8Array(size).fill(0x78);
  const dt = await py_with_echo(peer, async (conn) => {
    conn.setblocking(false);
    let out = false, echoes = 0;
    while (echoes < count) {
      const [r, w] = await select([conn], [conn], [], 5);
      if (r.length > 0) {
        if ((await conn.recv(65536)).length === 0) throw new Error("EOF");
        out = false;
        echoes++;
      }
      if (w.length > 0 && !out) {
        await conn.send(req);
        out = true;
      }
    }
  });
  return { value: count / dt };
}

/**
 * The echo rows' frame: an accepted pysocket connection (TCP_NODELAY) from the raw echo peer; seconds `run` takes.
 */
async function py_with_echo(peer: Peer, run: (conn: Socket) => Promise<void>): Promise<number> {
  const L = py_listen("tcp");
  try {
    const done = peer.run({ op: "echo", addr: L.addr });
    const [conn] = await L.sock.accept();
    conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    const t0 = performance.now();
    await run(conn);
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    await done;
    return dt;
  } finally {
    L.sock.close();
    L.cleanup();
  }
}

// ---- small timed sends ------------------------------------------------------

/**
 * pysocket: `count` sendall() calls of `size` bytes on a socket with a timeout (settimeout(5): the
 * queued send path), timed until the raw sink peer has them all; messages/s.
 */
export async function py_small_sends(peer: Peer, count: number, size: number): Promise<Sample> {
  const msg = new Uint8Array(size).fill(0x6d);
  const dt = await py_to_sink(peer, count * size, async (conn) => {
    conn.settimeout(5);
    for (let i = 0; i < count; i++) await conn.sendall(msg);
  });
  return { value: count / dt };
}

/** Raw Deno: the same messages, one awaited conn.write each. */
export async function raw_small_sends(peer: Peer, count: number, size: number): Promise<Sample> {
  const msg = new Uint8Array(size).fill(0x6d);
  const dt = await raw_to_sink(peer, count * size, async (conn) => {
    for (let i = 0; i < count; i++) await raw_write_all(conn, msg);
  });
  return { value: count / dt };
}

// ---- ping-pong -----------------------------------------------------------

/** pysocket: `count` request/response round trips of `size` bytes with a raw echo peer. */
export async function py_pingpong(peer: Peer, count: number, size: number): Promise<Sample> {
  const req = new Uint8Array(size).fill(0x78);
  const resp = new Uint8Array(size);
  const dt = await py_with_echo(peer, async (conn) => {
    for (let i = 0; i < count; i++) {
      await conn.sendall(req);
      let got = 0;
      while (got < size) {
        const n = await conn.recv_into(got === 0 ? resp : resp.subarray(got));
        if (n === 0) throw new Error("EOF");
        got += n;
      }
    }
  });
  return { value: count / dt };
}

/** Raw Deno: the same with conn.write / conn.read and setNoDelay. */
export async function raw_pingpong(peer: Peer, count: number, size: number): Promise<Sample> {
  const L = raw_listen("tcp");
  try {
    const done = peer.run({ op: "echo", addr: L.addr });
    const conn = await L.l.accept() as Deno.TcpConn;
    conn.setNoDelay(true);
    const req = new Uint8Array(size).fill(0x78);
    const resp = new Uint8Array(size);
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      let off = 0;
      while (off < size) off += await conn.write(off === 0 ? req : req.subarray(off));
      let got = 0;
      while (got < size) {
        const n = await conn.read(got === 0 ? resp : resp.subarray(got));
        if (n === null) throw new Error("EOF");
        got += n;
      }
    }
    const dt = (performance.now() - t0) / 1000;
    conn.close();
    await done;
    return { value: count / dt };
  } finally {
    L.l.close();
    L.cleanup();
  }
}

// ---- connection churn ----------------------------------------------------

/** pysocket: `count` sequential create_connection + accept + close. */
export async function py_churn(count: number): Promise<Sample> {
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const c = await create_connection(addr);
    const [a] = await srv.accept();
    a.close();
    c.close();
  }
  return { value: count / ((performance.now() - t0) / 1000) };
}

/** Raw Deno: Deno.connect + accept + close. */
export async function raw_churn(count: number): Promise<Sample> {
  using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    const a = await l.accept();
    a.close();
    c.close();
  }
  return { value: count / ((performance.now() - t0) / 1000) };
}

// ---- line protocol -------------------------------------------------------

/** pysocket: makefile("rb").readline() until EOF over the stored line blob. */
export async function py_readline(peer: Peer, lines: number): Promise<Sample> {
  const L = py_listen("tcp");
  try {
    const done = peer.run({ op: "blob", addr: L.addr });
    const [conn] = await L.sock.accept();
    const f = conn.makefile("rb");
    let n = 0;
    const t0 = performance.now();
    for (;;) {
      const line = await f.readline();
      if (line.length === 0) break;
      n++;
    }
    const dt = (performance.now() - t0) / 1000;
    await f.close();
    conn.close();
    await done;
    if (n !== lines) throw new Error(`readline: ${n} lines, expected ${lines}`);
    return { value: n / dt };
  } finally {
    L.sock.close();
    L.cleanup();
  }
}

// ---- UDP -----------------------------------------------------------------

/** Null when pysocket's SOCK_DGRAM works here, else why not. */
export function udp_skip_reason(): string | null {
  try {
    const s = socket(AF_INET, SOCK_DGRAM);
    s.close();
    return null;
  } catch (e) {
    return `pysocket SOCK_DGRAM unavailable: ${(e as Error).message}`;
  }
}

const UDP_WINDOW = 128;

/** pysocket receives `count` datagrams of `size` bytes from the raw peer (paced so the receiver keeps up). */
export async function py_udp(peer: Peer, count: number, size: number): Promise<Sample> {
  const s = socket(AF_INET, SOCK_DGRAM);
  try {
    s.bind(["127.0.0.1", 0]);
    const port = (s.getsockname() as [string, number])[1];
    const acked = new Int32Array(new SharedArrayBuffer(4));
    const buf = new Uint8Array(size + 1);
    let got = 0, last = 0;
    const t0 = performance.now();
    const done = peer.run({ op: "udp", port, count, size, window: UDP_WINDOW, acked }).then(async () => {
      await new Promise((r) => setTimeout(r, 500));
      if (got < count) s.close(); // the rest is lost: end the receive loop
    });
    try {
      while (got < count) {
        const n = await s.recv_into(buf);
        if (n !== size) throw new Error(`udp: datagram of ${n} bytes`);
        got++;
        last = performance.now();
        if ((got & 31) === 0 || got === count) {
          Atomics.store(acked, 0, got);
          Atomics.notify(acked, 0);
        }
      }
    } catch (e) {
      if (!s._closed) throw e;
    }
    await done;
    return { value: got / ((last - t0) / 1000), extra: { loss: count - got } };
  } finally {
    s.close();
  }
}

/** Raw Deno: Deno.listenDatagram + receive() into a reused buffer. */
export async function raw_udp(peer: Peer, count: number, size: number): Promise<Sample> {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  let closed = false;
  const close = () => {
    if (!closed) s.close();
    closed = true;
  };
  try {
    const port = (s.addr as Deno.NetAddr).port;
    const acked = new Int32Array(new SharedArrayBuffer(4));
    const buf = new Uint8Array(size + 1);
    let got = 0, last = 0;
    const t0 = performance.now();
    const done = peer.run({ op: "udp", port, count, size, window: UDP_WINDOW, acked }).then(async () => {
      await new Promise((r) => setTimeout(r, 500));
      if (got < count) close();
    });
    try {
      while (got < count) {
        const [d] = await s.receive(buf);
        if (d.length !== size) throw new Error(`udp: datagram of ${d.length} bytes`);
        got++;
        last = performance.now();
        if ((got & 31) === 0 || got === count) {
          Atomics.store(acked, 0, got);
          Atomics.notify(acked, 0);
        }
      }
    } catch (e) {
      if (!closed) throw e;
    }
    await done;
    return { value: got / ((last - t0) / 1000), extra: { loss: count - got } };
  } finally {
    close();
  }
}

// ---- memory (run in a subprocess per variant: bench/memory.ts) -------------

/** Run the memory row for one variant in a fresh process. */
export async function memory_sample(variant: "pysocket" | "raw", pairs: number): Promise<Sample> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      "--v8-flags=--expose-gc",
      new URL("./memory.ts", import.meta.url).pathname,
      variant,
      String(pairs),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`memory.ts ${variant}: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as { rss: number; heap: number };
  return { value: r.rss, extra: { heap: r.heap } };
}

/** Used by memory.ts: open `pairs` idle connected pairs and return them (with a closer). */
export async function open_pairs(variant: "pysocket" | "raw", pairs: number): Promise<() => void> {
  if (variant === "pysocket") {
    const srv = create_server(["127.0.0.1", 0], { backlog: 1024 });
    const addr = srv.getsockname() as [string, number];
    const held: Socket[] = [];
    for (let i = 0; i < pairs; i++) {
      const c = await create_connection(addr);
      const [a] = await srv.accept();
      held.push(c, a);
    }
    return () => {
      for (const s of held) s.close();
      srv.close();
    };
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  for (let i = 0; i < pairs; i++) {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    const a = await l.accept();
    held.push(c, a);
  }
  return () => {
    for (const c of held) c.close();
    l.close();
  };
}

/** Run one idle-connections memory sample (bench/memory.ts idle ...) in a fresh process. */
export async function idle_sample(
  spec: { variant: "pysocket" | "raw" | "raw4k"; tls: boolean; pairs: number; burst: number },
  cert_dir: string,
): Promise<Sample> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      "--v8-flags=--expose-gc",
      new URL("./memory.ts", import.meta.url).pathname,
      "idle",
      spec.variant,
      spec.tls ? "tls" : "tcp",
      String(spec.pairs),
      String(spec.burst),
      cert_dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`memory.ts idle ${spec.variant}: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as {
    rss: number;
    heap: number;
    external: number;
  };
  return { value: r.rss, extra: { heap: r.heap, ext: r.external } };
}

/**
 * The Node variant of the idle rows: bench/_idle_node.mjs under `node --expose-gc` (clients: the same Deno
 * subprocess); with `in_deno`, the same script run by Deno (its node:net / node:tls).
 */
export async function node_idle_sample(
  spec: { tls: boolean; pairs: number; burst: number },
  cert_dir: string,
  /** Run the same script in Deno: Deno's own node:net / node:tls servers. */
  in_deno = false,
): Promise<Sample> {
  const out = await new Deno.Command(in_deno ? Deno.execPath() : "node", {
    args: [
      ...(in_deno ? ["run", "-A", "--v8-flags=--expose-gc"] : ["--expose-gc"]),
      new URL("./_idle_node.mjs", import.meta.url).pathname,
      spec.tls ? "tls" : "tcp",
      String(spec.pairs),
      String(spec.burst),
      cert_dir,
      Deno.execPath(),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`_idle_node.mjs: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as { rss: number; heap: number; external: number };
  return { value: r.rss, extra: { heap: r.heap, ext: r.external } };
}
