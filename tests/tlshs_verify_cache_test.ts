// What the faster TLS handshakes (issue 17) must not change:
// - a peer's certificates are interned (the same bytes, the same buffer),
//   so their parses are made once; every check is still made on every
//   handshake: the same server certificate gets each connection's own
//   verdict (host name, trust, dates against the time of that handshake),
//   as CPython gives it (differential: the same sequence of connections
//   from python3);
// - interning compares the bytes in full (certificates made to collide on
//   the cheap hash stay apart) and keeps a bounded number;
// - handshake deadlines share one timer: each handshake still times out at
//   its own deadline, and the shared timer keeps no process alive.

import assert from "node:assert/strict";
import { create_connection, create_server, TimeoutError } from "../mod.ts";
import {
  CERT_REQUIRED,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLCertVerificationError,
  SSLContext,
} from "../ssl.ts";
import { intern } from "../_ssl_verify.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
const ROOT = new URL("../", import.meta.url).href;
const dec = new TextDecoder();

// ---- intern() --------------------------------------------------------------

Deno.test("intern: equal bytes give one buffer, a copy of its own; different bytes never do", () => {
  const a = new Uint8Array(600).map((_, i) => (i * 7) & 0xff);
  const a2 = a.slice();
  const ia = intern(a);
  assert.notEqual(ia, a, "the interned buffer is a copy: the caller's stays the caller's");
  assert.deepEqual(ia, a);
  assert.equal(intern(a2), ia, "the same bytes again: the same buffer");
  a[0] = 0xaa; // changing the caller's buffer afterwards changes nothing interned
  assert.equal(intern(a2)[0], 0);
  // Same length and the same last 32 bytes (what the hash reads), different bytes before them.
  const b = a2.slice();
  b[10] = b[10]! ^ 0xff;
  const ib = intern(b);
  assert.notEqual(ib, ia);
  assert.deepEqual(ib, b);
  assert.equal(intern(a2), ia);
  // Many made to collide: each compared in full, none confused with another.
  const made: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const c = a2.slice();
    c[20] = i + 1;
    made.push(c);
  }
  for (const c of made) assert.deepEqual(intern(c), c);
  // Over the size limit: returned as is, never kept.
  const big = new Uint8Array(17 * 1024).fill(3);
  assert.equal(intern(big), big);
  assert.equal(intern(big.slice()) === big, false);
});

Deno.test("intern: a bounded number is kept (the oldest go first)", () => {
  const first = new Uint8Array(300).fill(1);
  first[299] = 0x77;
  const kept = intern(first);
  assert.equal(intern(first.slice()), kept);
  for (let i = 0; i < 500; i++) {
    const c = new Uint8Array(300);
    new DataView(c.buffer).setUint32(296, i + 1);
    intern(c);
  }
  // Pushed out by 500 newer ones: interned again as a new buffer (a bound, not a leak).
  assert.notEqual(intern(first.slice()), kept);
});

// ---- every handshake gets its own verdict ------------------------------------

/** A python3 TLS server presenting server.pem to `n` connections (handshake failures ignored). */
const PY_SERVER = `
import socket, ssl, sys
d, n = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    for _ in range(n):
        conn, _ = srv.accept()
        conn.settimeout(10)
        try:
            with ctx.wrap_socket(conn, server_side=True) as s:
                s.sendall(b"hi")
        except (OSError, ssl.SSLError):
            conn.close()
`;

/** The connections, in order: which CA the client trusts, and the name it asks for. */
const SEQUENCE: [string, string][] = [
  ["ca.pem", "localhost"],
  ["ca.pem", "wrong.example"],
  ["other.pem", "localhost"],
  ["ca.pem", "127.0.0.1"],
  ["ca.pem", "127.0.0.2"],
  ["ca.pem", "LOCALHOST"],
  ["other.pem", "localhost"],
  ["ca.pem", "localhost"],
];

const PY_CLIENTS = `
import json, socket, ssl, sys
d, port, seq = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
out = []
for ca, host in seq:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(d + "/" + ca)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as s:
                out.append("ok " + s.recv(10).decode())
    except ssl.SSLCertVerificationError as e:
        out.append(f"{e.verify_code} {e.verify_message}")
print(json.dumps(out))
`;

test("the same server certificate, met again and again, gets each connection's own verdict, as CPython's", async () => {
  const n = SEQUENCE.length;
  const py_srv = await python_server(PY_SERVER, certs.dir, String(n));
  const py = await python(PY_CLIENTS, certs.dir, py_srv.first, JSON.stringify(SEQUENCE));
  assert.equal(py.code, 0, py.err);
  const want = JSON.parse(py.out.trim()) as string[];
  await py_srv.rest();

  const srv = await python_server(PY_SERVER, certs.dir, String(n));
  const port = Number(srv.first);
  const got: string[] = [];
  try {
    for (const [ca, host] of SEQUENCE) {
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
      ctx.load_verify_locations(P(ca));
      const raw = await create_connection(["127.0.0.1", port], 10);
      try {
        const s = await ctx.wrap_socket(raw, { server_hostname: host });
        got.push("ok " + dec.decode(await s.recv(10)));
        s.close();
      } catch (e) {
        raw.close();
        if (!(e instanceof SSLCertVerificationError)) throw e;
        got.push(`${e.verify_code} ${e.verify_message}`);
      }
    }
  } finally {
    await srv.rest();
  }
  assert.deepEqual(got, want);
  assert.deepEqual(want.map((w) => w.startsWith("ok")), [true, false, false, true, false, true, false, true]);
});

test("a certificate verified before is still checked against the time of each handshake", async () => {
  const srv = await python_server(PY_SERVER, certs.dir, "2");
  const port = Number(srv.first);
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(P("ca.pem"));
  assert.equal(ctx.verify_mode, CERT_REQUIRED);
  const real_now = Date.now;
  try {
    const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 10), {
      server_hostname: "localhost",
    });
    assert.equal(dec.decode(await s.recv(10)), "hi");
    s.close();
    // The same certificate (server.pem: valid for 2 days), three days later by the clock the checks read.
    // Deno's own verifier reads the system clock (still valid there): the session's check must refuse it.
    Date.now = () => real_now() + 3 * 86_400_000;
    const raw = await create_connection(["127.0.0.1", port], 10);
    await assert.rejects(ctx.wrap_socket(raw, { server_hostname: "localhost" }), (e: unknown) => {
      assert.ok(e instanceof SSLCertVerificationError, String(e));
      assert.equal(e.verify_code, 10);
      assert.equal(e.verify_message, "certificate has expired");
      return true;
    });
    raw.close();
  } finally {
    Date.now = real_now;
    await srv.rest();
  }
});

// ---- handshake deadlines -------------------------------------------------------

Deno.test("handshakes in flight together each time out at their own deadline (one shared timer)", async () => {
  // A listener that never speaks: the kernel completes each connection, the handshake waits.
  using lsn = create_server(["127.0.0.1", 0], { backlog: 16 });
  const port = (lsn.getsockname() as [string, number])[1];
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.check_hostname = false;
  ctx.verify_mode = 0;
  const timeouts = [1.6, 0.4, 1.0]; // seconds, started in this order
  const t0 = performance.now();
  const ended: [number, number][] = [];
  await Promise.all(timeouts.map(async (t, i) => {
    const raw = await create_connection(["127.0.0.1", port]);
    raw.settimeout(t);
    try {
      await assert.rejects(ctx.wrap_socket(raw), (e: unknown) => {
        assert.ok(e instanceof TimeoutError, String(e));
        assert.equal((e as Error).message, "_ssl.c:989: The handshake operation timed out");
        return true;
      });
      ended.push([i, (performance.now() - t0) / 1000]);
    } finally {
      raw.close();
    }
  }));
  assert.deepEqual(ended.map(([i]) => timeouts[i]), [0.4, 1.0, 1.6], "in the order of their deadlines");
  for (const [i, at] of ended) {
    assert.ok(at >= timeouts[i]! - 0.05, `the ${timeouts[i]} s handshake did not time out early (${at} s)`);
    assert.ok(at < timeouts[i]! + 20, `the ${timeouts[i]} s handshake timed out (${at} s, generous under load)`);
  }
});

test_needing("openssl")("the handshakes' shared timer keeps no process alive once they have ended", async () => {
  // A process that makes one TLS connection (both ends its own) and one handshake that times out,
  // then returns: it must exit at once, not when the 60 s default deadline of a handshake would be up.
  const path = `${certs.dir}/exit_${crypto.randomUUID()}.ts`;
  Deno.writeTextFileSync(
    path,
    `
const [root, dir] = Deno.args;
const { create_connection, create_server } = await import(root + "mod.ts");
const { SSLContext, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } = await import(root + "ssl.ts");
const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
sctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
cctx.load_verify_locations(dir + "/ca.pem");
const lsn = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
const port = lsn.getsockname()[1];
const [c, [a]] = await Promise.all([
  create_connection(["127.0.0.1", port]).then((r) => cctx.wrap_socket(r, { server_hostname: "localhost" })),
  lsn.accept(),
]);
await a.sendall(new TextEncoder().encode("x"));
const got = await c.recv(1);
c.close(); a.close(); lsn.close();
const silent = create_server(["127.0.0.1", 0]);
const raw = await create_connection(["127.0.0.1", silent.getsockname()[1]]);
raw.settimeout(0.3);
const nctx = new SSLContext(PROTOCOL_TLS_CLIENT);
nctx.check_hostname = false; nctx.verify_mode = 0;
let timed_out = false;
try { await nctx.wrap_socket(raw); } catch (e) { timed_out = e.name === "TimeoutError"; }
raw.close(); silent.close();
console.log(JSON.stringify({ got: got.length, timed_out }));
`,
  );
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, ROOT, certs.dir],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(90_000),
  }).output();
  const secs = (performance.now() - t0) / 1000;
  assert.equal(out.code, 0, dec.decode(out.stderr));
  assert.deepEqual(JSON.parse(dec.decode(out.stdout).trim()), { got: 1, timed_out: true });
  assert.ok(secs < 45, `the process exited once its work was done (${secs.toFixed(1)} s; a live timer: 60 s)`);
});

// A silent peer and a socket timeout of 3e6 s (50 minutes, 3e9 ms: past setTimeout's 2^31-1 ms, which fires
// such a delay after 1 ms): the handshake, a TLS listener's accept() and a send() before the handshake each
// still wait after 500 ms, as CPython's do. Before, each raised TimeoutError at once.
const PY_LONG_TIMEOUT = `
import socket, ssl, sys, threading, time
case, d = sys.argv[1], sys.argv[2]
lsn = socket.create_server(("127.0.0.1", 0))
out = []
def run():
    try:
        if case == "accept":
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
            tl = sctx.wrap_socket(lsn, server_side=True)
            tl.settimeout(3e6)
            tl.accept()
        else:
            raw = socket.create_connection(lsn.getsockname())
            raw.settimeout(3e6)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(raw, do_handshake_on_connect=(case == "handshake"))
            s.send(b"x")
        out.append("done")
    except Exception as e:
        out.append(type(e).__name__)
threading.Thread(target=run, daemon=True).start()
time.sleep(0.5)
print("pending" if not out else out[0])
`;

for (const which of ["handshake", "accept", "send"] as const) {
  test(`a timeout past setTimeout's range (settimeout(3e6)) waits in ${which}, as CPython's does`, async () => {
    const py = await python(PY_LONG_TIMEOUT, which, certs.dir);
    assert.equal(py.code, 0, py.err);
    assert.equal(py.out.trim(), "pending", `CPython's ${which} waits`);
    using lsn = create_server(["127.0.0.1", 0]);
    const port = (lsn.getsockname() as [string, number])[1];
    const closers: { close(): void }[] = [];
    let outcome = "pending";
    let p: Promise<unknown>;
    if (which === "accept") {
      const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
      sctx.load_cert_chain(P("server.pem"), P("server.key"));
      const tl = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
      tl.settimeout(3e6);
      closers.push(tl);
      p = tl.accept();
    } else {
      const raw = await create_connection(["127.0.0.1", port]);
      raw.settimeout(3e6);
      closers.push(raw);
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
      ctx.check_hostname = false;
      ctx.verify_mode = 0;
      p = which === "handshake"
        ? ctx.wrap_socket(raw)
        : ctx.wrap_socket(raw, { do_handshake_on_connect: false }).then((s) => s.send(new Uint8Array([120])));
    }
    const settled = p.then(() => outcome = "done", (e: Error) => outcome = `${e.name}: ${e.message}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(outcome, "pending", `still waiting in ${which} after 500 ms`);
    for (const c of closers) c.close(); // ends the wait (an error for the closed socket)
    await settled;
    assert.ok(!outcome.startsWith("TimeoutError"), outcome);
  });
}
