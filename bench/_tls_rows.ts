// The TLS, select() and idle-memory rows (issue 17): pysocket next to raw
// Deno, talking to the same raw-Deno peer thread.

import { create_connection, create_server, IPPROTO_TCP, MSG_WAITALL, type Socket, TCP_NODELAY } from "../mod.ts";
import { create_default_context, PROTOCOL_TLS_CLIENT, SSLContext } from "../ssl.ts";
import { DefaultSelector, EVENT_READ } from "../selectors.ts";
import type { Certs } from "./_certs.ts";
import type { Peer } from "./_peer.ts";
import type { Sample } from "./_deno_rows.ts";

const CHUNK = 65536;

/** A client context trusting only the bench CA (`roots`: the default roots as well, via create_default_context). */
export function py_client_context(certs: Certs, roots = false): SSLContext {
  const ctx = roots ? create_default_context() : new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(certs.ca);
  return ctx;
}

/** Starts the raw peer's TLS server job: it sends `total` bytes, sinks them, or takes `count` handshakes. */
function tls_serve(peer: Peer, certs: Certs, mode: "send" | "sink" | "hs", total: number, count: number) {
  return peer.start({ op: "tls-serve", mode, cert: certs.cert, key: certs.key, total, count });
}

async function py_tls_connect(ctx: SSLContext, port: number): Promise<Socket> {
  const raw = await create_connection(["127.0.0.1", port]);
  raw.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  return await ctx.wrap_socket(raw, { server_hostname: "localhost" });
}

async function raw_tls_connect(certs: Certs, port: number): Promise<Deno.TlsConn> {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  tcp.setNoDelay(true);
  const c = await Deno.startTls(tcp, { hostname: "localhost", caCerts: [certs.ca_pem] });
  await c.handshake();
  return c;
}

// ---- TLS bulk --------------------------------------------------------------

/** pysocket SSLSocket client receives `total` bytes from the raw TLS server (recv_into 64 KiB reused). */
export async function py_tls_recv(peer: Peer, certs: Certs, total: number): Promise<Sample> {
  const ctx = py_client_context(certs);
  const { ready, done } = tls_serve(peer, certs, "send", total, 1);
  const port = await ready;
  const t0 = performance.now();
  const s = await py_tls_connect(ctx, port);
  const buf = new Uint8Array(CHUNK);
  let got = 0;
  for (;;) {
    const n = await s.recv_into(buf);
    if (n === 0) break;
    got += n;
  }
  const dt = (performance.now() - t0) / 1000;
  s.close();
  await done;
  if (got !== total) throw new Error(`tls recv: got ${got} of ${total}`);
  return { value: got / dt };
}

/** Raw Deno TLS client (Deno.connect + startTls) receiving the same into one reused 64 KiB buffer. */
export async function raw_tls_recv(peer: Peer, certs: Certs, total: number): Promise<Sample> {
  const { ready, done } = tls_serve(peer, certs, "send", total, 1);
  const port = await ready;
  const t0 = performance.now();
  const c = await raw_tls_connect(certs, port);
  const buf = new Uint8Array(CHUNK);
  let got = 0;
  for (;;) {
    const n = await c.read(buf);
    if (n === null) break;
    got += n;
  }
  const dt = (performance.now() - t0) / 1000;
  c.close();
  await done;
  if (got !== total) throw new Error(`tls recv: got ${got} of ${total}`);
  return { value: got / dt };
}

/** pysocket SSLSocket client sendall(64 KiB) × n to the raw TLS server's sink. */
export async function py_tls_send(peer: Peer, certs: Certs, total: number): Promise<Sample> {
  const ctx = py_client_context(certs);
  const { ready, done } = tls_serve(peer, certs, "sink", total, 1);
  const s = await py_tls_connect(ctx, await ready);
  const buf = new Uint8Array(CHUNK).fill(0x61);
  const t0 = performance.now();
  for (let left = total; left > 0; left -= CHUNK) await s.sendall(buf);
  await s.shutdown(1);
  const d = await done;
  const dt = (performance.now() - t0) / 1000;
  s.close();
  if (d.bytes !== total) throw new Error(`tls send: peer got ${d.bytes} of ${total}`);
  return { value: total / dt };
}

/** Raw Deno TLS client write loop of the same. */
export async function raw_tls_send(peer: Peer, certs: Certs, total: number): Promise<Sample> {
  const { ready, done } = tls_serve(peer, certs, "sink", total, 1);
  const c = await raw_tls_connect(certs, await ready);
  const buf = new Uint8Array(CHUNK).fill(0x61);
  const t0 = performance.now();
  for (let left = total; left > 0; left -= CHUNK) {
    let off = 0;
    while (off < buf.length) off += await c.write(off === 0 ? buf : buf.subarray(off));
  }
  await c.closeWrite();
  const d = await done;
  const dt = (performance.now() - t0) / 1000;
  c.close();
  if (d.bytes !== total) throw new Error(`tls send: peer got ${d.bytes} of ${total}`);
  return { value: total / dt };
}

// ---- TLS handshakes ----------------------------------------------------------

/**
 * pysocket client handshakes against the raw TLS server: `count` times create_connection + TCP_NODELAY +
 * wrap_socket, then recv until the server's close, close. `roots`: create_default_context() (default roots
 * loaded) plus the bench CA, else a PROTOCOL_TLS_CLIENT context with the bench CA only.
 */
export async function py_tls_client_hs(peer: Peer, certs: Certs, count: number, roots = false): Promise<Sample> {
  const ctx = py_client_context(certs, roots);
  const { ready, done } = tls_serve(peer, certs, "hs", 0, count);
  const port = await ready;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = await py_tls_connect(ctx, port);
    while ((await s.recv(1024)).length > 0) { /* until the server closes */ }
    s.close();
  }
  const dt = (performance.now() - t0) / 1000;
  const d = await done;
  if (d.bytes !== count) throw new Error(`tls hs: server saw ${d.bytes} of ${count}`);
  return { value: count / dt };
}

/** Raw Deno client handshakes: Deno.connect + setNoDelay + startTls + handshake, read to EOF, close. */
export async function raw_tls_client_hs(peer: Peer, certs: Certs, count: number): Promise<Sample> {
  const { ready, done } = tls_serve(peer, certs, "hs", 0, count);
  const port = await ready;
  const buf = new Uint8Array(1024);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const c = await raw_tls_connect(certs, port);
    try {
      while ((await c.read(buf)) !== null) { /* until the server closes */ }
    } catch { /* reset */ }
    c.close();
  }
  const dt = (performance.now() - t0) / 1000;
  const d = await done;
  if (d.bytes !== count) throw new Error(`tls hs: server saw ${d.bytes} of ${count}`);
  return { value: count / dt };
}

/** pysocket server handshakes: a wrapped listening socket, `count` × accept() (handshake included) + close. */
export async function py_tls_server_hs(peer: Peer, certs: Certs, count: number): Promise<Sample> {
  const ctx = new SSLContext(17 /* PROTOCOL_TLS_SERVER */);
  ctx.load_cert_chain(certs.cert, certs.key);
  const srv = await ctx.wrap_socket(create_server(["127.0.0.1", 0], { backlog: 128 }), { server_side: true });
  try {
    const port = (srv.getsockname() as [string, number])[1];
    const done = peer.run({ op: "tls-connect", port, ca: certs.ca, count });
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const [c] = await srv.accept();
      c.close();
    }
    const dt = (performance.now() - t0) / 1000;
    await done;
    return { value: count / dt };
  } finally {
    srv.close();
  }
}

/**
 * Raw Deno server handshakes: Deno.listenTls, `count` × accept + setNoDelay + handshake + close. A
 * Deno.listenTls connection has no setNoDelay (the call is a no-op): in some runs its server flights wait
 * for the client's delayed ACK, and this variant reads ~300-600 hs/s instead of ~1,900 (bimodal by run).
 */
export async function raw_tls_server_hs(peer: Peer, certs: Certs, count: number): Promise<Sample> {
  const l = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: certs.cert_pem, key: certs.key_pem });
  try {
    const port = (l.addr as Deno.NetAddr).port;
    const done = peer.run({ op: "tls-connect", port, ca: certs.ca, count });
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const c = await l.accept();
      (c as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      await c.handshake();
      c.close();
    }
    const dt = (performance.now() - t0) / 1000;
    await done;
    return { value: count / dt };
  } finally {
    l.close();
  }
}

// ---- one long line ---------------------------------------------------------------

/**
 * pysocket reads one unbroken `total`-byte line sent by the raw peer (64 KiB writes, then EOF):
 * makefile("rb").readline(), or recv(total, MSG_WAITALL).
 */
export async function py_longline(peer: Peer, mode: "readline" | "waitall", total: number): Promise<Sample> {
  using srv = create_server(["127.0.0.1", 0]);
  const [hostname, port] = srv.getsockname() as [string, number];
  const done = peer.run({ op: "send", addr: { transport: "tcp", hostname, port }, total, chunk: CHUNK });
  const [conn] = await srv.accept();
  const t0 = performance.now();
  let got: number;
  if (mode === "readline") {
    const f = conn.makefile("rb");
    got = (await f.readline()).length;
    await f.close();
  } else {
    got = (await conn.recv(total, MSG_WAITALL)).length;
  }
  const dt = (performance.now() - t0) / 1000;
  conn.close();
  await done;
  if (got !== total) throw new Error(`long line: got ${got} of ${total}`);
  return { value: got / dt };
}

// ---- select() echo server ------------------------------------------------------

/**
 * pysocket selectors echo server (non-blocking sockets, DefaultSelector) with `conns` connections from the
 * raw peer, `active` of them echoing 16-byte messages; echoes/s as the peer times them.
 */
export async function py_select_echo(peer: Peer, conns: number, active: number, total: number): Promise<Sample> {
  using server = create_server(["127.0.0.1", 0], { backlog: 1024 });
  server.setblocking(false);
  const port = (server.getsockname() as [string, number])[1];
  using sel = new DefaultSelector<Socket | null>();
  sel.register(server, EVENT_READ, null);
  const done = peer.run({ op: "echo-many", port, conns, active, total });
  let accepted = 0, open = 0;
  while (accepted < conns || open > 0) {
    for (const [key] of await sel.select()) {
      if (key.data === null) {
        for (;;) {
          let conn: Socket;
          try {
            [conn] = await server.accept();
          } catch (e) {
            if ((e as Error).name === "BlockingIOError") break;
            throw e;
          }
          conn.setblocking(false);
          sel.register(conn, EVENT_READ, conn);
          accepted++;
          open++;
        }
      } else {
        const conn = key.data;
        let data: Uint8Array;
        try {
          data = await conn.recv(4096);
        } catch (e) {
          if ((e as Error).name === "BlockingIOError") continue;
          data = new Uint8Array(0);
        }
        if (data.length > 0) await conn.send(data);
        else {
          sel.unregister(conn);
          conn.close();
          open--;
        }
      }
    }
  }
  const d = await done;
  return { value: d.bytes / d.seconds! };
}

/**
 * Raw Deno echo server on the same peer job: `Deno.listen`, one read loop per accepted connection
 * (`conn.read` into a 4096-byte buffer of its own, `conn.write` back until all is written), closed at EOF.
 * The fastest obvious Deno server for the workload: the floor for the select() rows.
 */
export async function raw_select_echo(peer: Peer, conns: number, active: number, total: number): Promise<Sample> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const done = peer.run({ op: "echo-many", port, conns, active, total });
  const loops: Promise<void>[] = [];
  try {
    for (let i = 0; i < conns; i++) {
      const c = await l.accept();
      loops.push((async () => {
        const buf = new Uint8Array(4096);
        try {
          for (;;) {
            const n = await c.read(buf);
            if (n === null) break;
            let off = 0;
            while (off < n) off += await c.write(buf.subarray(off, n));
          }
        } catch { /* a reset ends it too */ }
        c.close();
      })());
    }
  } finally {
    l.close();
  }
  await Promise.all(loops);
  const d = await done;
  return { value: d.bytes / d.seconds! };
}

// ---- idle connections waiting in recv (run in a subprocess: bench/memory.ts) -----------

/** What memory.ts measures. */
export interface IdleSpec {
  /** raw4k: raw Deno reading into a 4 KiB buffer (pysocket's idle read size). */
  variant: "pysocket" | "raw" | "raw4k";
  tls: boolean;
  pairs: number;
  /** Bytes each connection receives (and reads) before it goes idle; 0 = fresh. */
  burst: number;
}

/**
 * Open `pairs` connections whose server end (the variant's) waits in recv: pysocket `recv(65536)`, raw
 * Deno `conn.read` into a 64 KiB buffer of its own (the obvious read loop; raw4k: 4 KiB). The client
 * ends run in a subprocess of their own (bench/_idle_clients.ts, raw Deno), so this process holds only
 * the server ends. Each connection first reads `burst` bytes. Returns a closer.
 */
export async function open_idle(spec: IdleSpec, certs: Certs | null): Promise<() => Promise<void>> {
  const servers: { close(): void }[] = [];
  const waits: Promise<unknown>[] = [];
  let port: number;
  let accept_one: () => Promise<void>;
  if (spec.variant === "pysocket") {
    let srv: Socket = create_server(["127.0.0.1", 0], { backlog: 1024 });
    port = (srv.getsockname() as [string, number])[1];
    if (certs) {
      const ctx = new SSLContext(17);
      ctx.load_cert_chain(certs.cert, certs.key);
      srv = await ctx.wrap_socket(srv, { server_side: true });
    }
    servers.push(srv);
    accept_one = async () => {
      const [a] = await srv.accept();
      servers.push(a);
      let got = 0;
      while (got < spec.burst) got += (await a.recv(CHUNK)).length;
      waits.push(a.recv(CHUNK).catch(() => {}));
    };
  } else {
    const l = certs
      ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: certs.cert_pem, key: certs.key_pem })
      : Deno.listen({ hostname: "127.0.0.1", port: 0 });
    port = (l.addr as Deno.NetAddr).port;
    servers.push(l);
    accept_one = async () => {
      const a = await l.accept();
      if (certs) await (a as Deno.TlsConn).handshake();
      servers.push(a);
      const buf = new Uint8Array(spec.variant === "raw4k" ? 4096 : CHUNK);
      let got = 0;
      while (got < spec.burst) got += (await a.read(buf)) ?? 0;
      waits.push(a.read(buf).catch(() => {}));
    };
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_idle_clients.ts", import.meta.url).pathname,
      String(port),
      String(spec.pairs),
      certs ? "tls" : "tcp",
      String(spec.burst),
      certs?.ca ?? "",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // One at a time, as the clients connect: the server ends are accepted (and their bursts read) in order.
  for (let i = 0; i < spec.pairs; i++) await accept_one();
  const out = child.stdout.getReader();
  await out.read(); // "ready": every client is open and its burst written
  out.releaseLock();
  return async () => {
    await child.stdin.close();
    await child.status;
    await child.stdout.cancel().catch(() => {});
    for (const s of servers) {
      try {
        s.close();
      } catch { /* closed */ }
    }
    await Promise.all(waits);
  };
}
