// Limits in ssl.ts, against real peers: handshakes end within the
// listener's timeout and cost little while pending (1,000 silent clients),
// flow control bounds a sender to a peer that does not read, and
// non-blocking TLS (SSLWantReadError, a do_handshake() loop driven by
// select() or DefaultSelector) completes as in CPython.

import assert from "node:assert/strict";
import { create_connection, create_server, socketpair } from "../mod.ts";
import {
  create_default_context,
  Purpose,
  type SSLContext,
  SSLSocket,
  SSLWantReadError,
  SSLWantWriteError,
} from "../ssl.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { missing, run_gc_child, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const enc = new TextEncoder();
const dec = new TextDecoder();
// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
const ROOT = new URL("..", import.meta.url).href;

function server_context(): SSLContext {
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(P("server.pem"), P("server.key"));
  return ctx;
}

function client_context(): SSLContext {
  return create_default_context({ cafile: P("ca.pem") });
}

/** Run a Deno script (with --expose-gc) and return its last stdout line as JSON. */
async function deno_script(code: string): Promise<Record<string, number>> {
  const path = `${certs.dir}/script_${crypto.randomUUID()}.ts`;
  Deno.writeTextFileSync(path, code);
  const text = await run_gc_child(path, [ROOT, certs.dir]);
  return JSON.parse(text.split("\n").pop()!);
}

// ---- bounded handshakes -------------------------------------------------

test("1,000 silent TCP clients of a TLS listener with a 1 s timeout are all closed within seconds, heap back near start", async () => {
  const r = await deno_script(`
const [root, dir] = Deno.args;
const { create_server } = await import(root + "mod.ts");
const { create_default_context, Purpose } = await import(root + "ssl.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const ctx = create_default_context(Purpose.CLIENT_AUTH);
ctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const srv = create_server(["127.0.0.1", 0], { backlog: 2048 });
const port = srv.getsockname()[1];
const lsn = await ctx.wrap_socket(srv, true);
lsn.settimeout(1);
const start = heap();
let failed = 0, stop = false;
const loop = (async () => { while (!stop) { try { (await lsn.accept())[0].close(); } catch (e) { if (/handshake/.test(e.message)) failed++; } } })();
const py = new Deno.Command("python3", { args: ["-c", \`
import socket, time, selectors, sys
N, port = 1000, int(sys.argv[1])
socks = []
for i in range(N):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    socks.append(s)
t0 = time.monotonic()
sel = selectors.DefaultSelector()
for s in socks: sel.register(s, selectors.EVENT_READ)
left, deadline = N, time.monotonic() + 60
while left and time.monotonic() < deadline:
    for k, _ in sel.select(1):
        try: d = k.fileobj.recv(100)
        except OSError: d = b""
        if d == b"":
            sel.unregister(k.fileobj); k.fileobj.close(); left -= 1
print(left, round(time.monotonic() - t0, 3))
\`, String(port)], stdout: "piped" }).spawn();
await new Promise((r) => setTimeout(r, 700));
const pending = heap();
const [left, secs] = new TextDecoder().decode((await py.output()).stdout).trim().split(" ").map(Number);
await new Promise((r) => setTimeout(r, 300));
const end = heap();
stop = true;
lsn.close();
await loop;
console.log(JSON.stringify({ left, secs, failed, start, pending, end }));
`);
  console.log(
    `shed 1,000 silent clients in ${r.secs} s; heap ${(r.start! / 1e6).toFixed(1)} MB -> ` +
      `${(r.pending! / 1e6).toFixed(1)} MB pending (~${
        ((r.pending! - r.start!) / 1000 / 1000).toFixed(1)
      } KB each) -> ` +
      `${(r.end! / 1e6).toFixed(1)} MB`,
  );
  assert.equal(r.left, 0, "every silent client was closed by the server");
  assert.ok(r.secs! < 30, `all closed within a few seconds (generous bound under load): ${r.secs} s`);
  assert.equal(r.failed, 1000, "each timed-out handshake is reported by accept()");
  assert.ok(r.end! - r.start! < 8e6, `heap back near where it started: +${((r.end! - r.start!) / 1e6).toFixed(1)} MB`);
});

// ---- flow control -------------------------------------------------------

test("sendall to a pysocket TLS peer that never reads times out after a few MiB, both sides' memory bounded", async () => {
  const r = await deno_script(`
const [root, dir] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { create_default_context, Purpose } = await import(root + "ssl.ts");
const sctx = create_default_context(Purpose.CLIENT_AUTH);
sctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const srv = create_server(["127.0.0.1", 0]);
const lsn = await sctx.wrap_socket(srv, true);
const acc = lsn.accept();
const cctx = create_default_context({ cafile: dir + "/ca.pem" });
const s = await cctx.wrap_socket(await create_connection(["127.0.0.1", srv.getsockname()[1]]), { server_hostname: "localhost" });
const [conn] = await acc; // never reads
globalThis.gc();
const rss0 = Deno.memoryUsage().rss;
s.settimeout(2);
const chunk = new Uint8Array(1 << 20);
let sent = 0, timed_out = 0;
try {
  for (let i = 0; i < 256; i++) { await s.sendall(chunk); sent += chunk.length; }
} catch (e) { timed_out = e.constructor.name === "TimeoutError" ? 1 : 0; }
globalThis.gc();
const grew = Deno.memoryUsage().rss - rss0;
// What was sent is all there, in order, once the peer reads.
conn.settimeout(10);
let got = 0;
const buf = new Uint8Array(1 << 16);
while (got < sent) { const n = await conn.recv_into(buf); if (n === 0) break; got += n; }
s.close(); conn.close(); lsn.close();
console.log(JSON.stringify({ sent, timed_out, grew, got }));
`);
  console.log(
    `a non-reading peer: sendall took ${(r.sent! / 2 ** 20).toFixed(0)} MiB, rss +${(r.grew! / 1e6).toFixed(1)} MB`,
  );
  assert.equal(r.timed_out, 1, "sendall times out");
  assert.ok(r.sent! <= 32 * 2 ** 20, `a few MiB, not hundreds: ${r.sent}`);
  assert.ok(r.grew! < 150e6, `memory bounded: rss +${r.grew}`);
  assert.ok(r.got! >= r.sent!, "nothing lost");
});

test("a slow reader still gets every byte of a 32 MiB TLS transfer, in order", async () => {
  const srv = create_server(["127.0.0.1", 0]);
  const lsn = await server_context().wrap_socket(srv, true);
  using _l = lsn;
  const acc = lsn.accept();
  using c = await client_context().wrap_socket(await create_connection(srv.getsockname() as [string, number]), {
    server_hostname: "localhost",
  });
  const [conn] = await acc;
  using s = conn;
  const total = 32 * 2 ** 20;
  const data = new Uint8Array(total);
  for (let i = 0; i < total; i += 4096) data[i] = (i / 4096) & 0xff;
  const sending = c.sendall(data);
  const got = new Uint8Array(total);
  let n = 0;
  for (let i = 0; n < total && i < 100_000; i++) {
    if (i % 64 === 0) await new Promise((r) => setTimeout(r, 1)); // a reader slower than the sender
    n += await s.recv_into(got.subarray(n), Math.min(100_000, total - n));
  }
  await sending;
  assert.equal(n, total);
  assert.deepEqual(got, data);
});

// ---- non-blocking TLS ---------------------------------------------------

/** Drive a non-blocking do_handshake() with `wait` until it completes (bounded). */
async function nonblocking_handshake(
  s: SSLSocket,
  wait: (s: SSLSocket, write: boolean) => Promise<void>,
): Promise<number> {
  s.setblocking(false);
  for (let i = 1; i <= 200; i++) {
    try {
      await s.do_handshake();
      return i;
    } catch (e) {
      if (e instanceof SSLWantReadError) await wait(s, false);
      else if (e instanceof SSLWantWriteError) await wait(s, true);
      else throw e;
    }
  }
  throw new Error("the non-blocking handshake did not complete");
}

const by_select = async (s: SSLSocket, write: boolean) => {
  const [r, w] = await select(write ? [] : [s], write ? [s] : [], [], 5);
  assert.equal(r.length + w.length, 1, "select() reports the handshaking socket ready");
};

const by_selector = async (s: SSLSocket, write: boolean) => {
  using sel = new DefaultSelector();
  sel.register(s, write ? EVENT_WRITE : EVENT_READ);
  const ready = await sel.select(5);
  assert.equal(ready.length, 1, "DefaultSelector reports the handshaking socket ready");
};

for (const [name, wait] of [["select()", by_select], ["DefaultSelector", by_selector]] as const) {
  test(`a non-blocking do_handshake() driven by ${name} completes, client and server side`, async () => {
    using srv = create_server(["127.0.0.1", 0]);
    const addr = srv.getsockname() as [string, number];
    const raw_c = await create_connection(addr);
    const [raw_s] = await srv.accept();
    const c = await client_context().wrap_socket(raw_c, {
      server_hostname: "localhost",
      do_handshake_on_connect: false,
    });
    const s = await server_context().wrap_socket(raw_s, { server_side: true, do_handshake_on_connect: false });
    using _c = c;
    using _s = s;
    const [nc, ns] = await Promise.all([nonblocking_handshake(c, wait), nonblocking_handshake(s, wait)]);
    assert.ok(nc >= 1 && ns >= 1);
    assert.equal(c.version(), "TLSv1.3");
    // Non-blocking I/O after the handshake: SSLWantReadError when nothing is there, as CPython.
    await assert.rejects(s.recv(10), SSLWantReadError);
    await c.send(enc.encode("ping"));
    const [r] = await select([s], [], [], 5);
    assert.deepEqual(r, [s]);
    assert.equal(dec.decode(await s.recv(10)), "ping");
  });
}

test("CPython's non-blocking SSLSocket raises SSLWantReadError too (the twin of the test above)", async () => {
  const r = await python(
    `
import socket, ssl, select, sys
d = sys.argv[1]
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
cctx = ssl.create_default_context(cafile=d + "/ca.pem")
a, b = socket.socketpair()
c = cctx.wrap_socket(a, server_hostname="localhost", do_handshake_on_connect=False)
s = sctx.wrap_socket(b, server_side=True, do_handshake_on_connect=False)
c.setblocking(False); s.setblocking(False)
done = set()
for i in range(200):
    for x in (c, s):
        if x in done: continue
        try: x.do_handshake(); done.add(x)
        except ssl.SSLWantReadError: pass
    if len(done) == 2: break
    select.select([x for x in (c, s) if x not in done], [], [], 5)
try: s.recv(10)
except ssl.SSLWantReadError as e: print(type(e).__name__, e.errno)
`,
    certs.dir,
  );
  assert.equal(r.code, 0, r.err);
  const [a, b] = await socketpair();
  const c = await client_context().wrap_socket(a, { server_hostname: "localhost", do_handshake_on_connect: false });
  const s = await server_context().wrap_socket(b, { server_side: true, do_handshake_on_connect: false });
  await Promise.all([c.do_handshake(), s.do_handshake()]);
  s.setblocking(false);
  const e = await s.recv(10).catch((e) => e);
  assert.equal(`${e.constructor.name} ${e.errno}`, r.out.trim());
  c.close();
  s.close();
});

// ---- a TLS listener's readiness ------------------------------------------

/** Reject if `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  ]).finally(() => clearTimeout(t));
}

test("a non-blocking TLS listener under select(): SSLWantReadError while a handshake runs, readable when it ends", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const lsn = await server_context().wrap_socket(srv, true);
  using _l = lsn;
  lsn.setblocking(false);
  const raw = await create_connection(srv.getsockname() as [string, number]);
  assert.deepEqual((await select([lsn], [], [], 5))[0], [lsn]); // a connection waits
  await assert.rejects(lsn.accept(), SSLWantReadError); // taken; its handshake has not ended
  const client = client_context().wrap_socket(raw, { server_hostname: "localhost" });
  assert.deepEqual((await select([lsn], [], [], 5))[0], [lsn], "the ended handshake makes the listener readable");
  const [conn] = await lsn.accept();
  using c = conn;
  using s = await client;
  await s.sendall(enc.encode("hi"));
  c.settimeout(5);
  assert.equal(dec.decode(await c.recv(10)), "hi");
});

test("accept() and select() waiting on one TLS listener are both woken when a handshake ends", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const lsn = await server_context().wrap_socket(srv, true);
  using _l = lsn;
  const raw = await create_connection(srv.getsockname() as [string, number]);
  const accepting = lsn.accept(); // takes the connection, waits for its handshake
  await new Promise((r) => setTimeout(r, 100));
  const selecting = select([lsn], [], [], 0.5); // waits beside it, then gives up
  const client = client_context().wrap_socket(raw, { server_hostname: "localhost" });
  await selecting;
  const [conn] = await within(accepting, 10_000, "accept() beside select()");
  conn.close();
  (await client).close();
});

test("an SSLSocket's Pollable kept across the handshake reads the current state (as a persistent selector keeps it)", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const raw_c = await create_connection(srv.getsockname() as [string, number]);
  const [raw_s] = await srv.accept();
  const c = await client_context().wrap_socket(raw_c, { server_hostname: "localhost", do_handshake_on_connect: false });
  using _c = c;
  const p = c._pollable(); // taken while the handshake has not ended, and kept
  assert.equal(p.readable, false);
  assert.equal(p.writable, false);
  const s = await server_context().wrap_socket(raw_s, { server_side: true });
  using _s = s;
  await within(p.wait_readable(), 5000, "wait_readable() at the handshake's end");
  assert.equal(p.readable, true, "ended: ready until do_handshake() reports it");
  await c.do_handshake();
  assert.equal(p.readable, false, "then as a plain socket: no data yet");
  assert.equal(p.writable, true);
  await s.sendall(enc.encode("x"));
  for (let i = 0; i < 50 && !p.readable; i++) await within(p.wait_readable(), 5000, "wait_readable() for data");
  assert.equal(p.readable, true);
  assert.equal(dec.decode(await c.recv(1)), "x");
});
