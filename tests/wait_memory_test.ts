// Waits that give up keep nothing alive. A recv or accept that times out,
// is aborted by its signal, or finds nothing on a non-blocking socket leaves
// its Deno operation pending for the next call (nothing is lost); the
// abandoned wait itself must not stay attached to that operation. Before
// the fix each such wait kept ~2.1 KB until the operation settled, so a
// server polling an idle socket with a timeout grew without bound.
//
// Measured in a child process run with --expose-gc (heap after full GCs),
// 10,000 waits of each kind on one socket; then the data and the
// connection that arrive are still delivered to the next call.

import assert from "node:assert/strict";
import { make_certs } from "../bench/_certs.ts";

const dec = new TextDecoder();
const ROOT = new URL("..", import.meta.url).href;

/** Run a Deno script with --expose-gc; its last stdout line is JSON. */
async function deno_script(code: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const dir = Deno.makeTempDirSync({ prefix: "wait_memory_" });
  const path = `${dir}/script.ts`;
  Deno.writeTextFileSync(path, code);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", "--v8-flags=--expose-gc", path, ROOT, ...extra],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      signal: AbortSignal.timeout(180_000),
    }).output();
    const text = dec.decode(out.stdout).trim();
    assert.equal(out.code, 0, dec.decode(out.stderr) + text);
    return JSON.parse(text.split("\n").pop()!);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const SCRIPT = `
const [root] = Deno.args;
const { create_server, create_connection, socket, AF_INET, SOCK_DGRAM, TimeoutError, BlockingIOError } = await import(root + "mod.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const N = 10_000;
const B = 500; // waits in flight at once (sequential waits would take N event-loop turns of a timer each)
const srv = create_server(["127.0.0.1", 0]);
const port = srv.getsockname()[1];
const cli = await create_connection(["127.0.0.1", port]);
const [conn] = await srv.accept();

/** Run N waits, B at a time; count how many ended with the expected error. */
async function waits(fn, cls) {
  let n = 0;
  for (let i = 0; i < N; i += B) {
    const rs = await Promise.allSettled(Array.from({ length: B }, fn));
    for (const r of rs) if (r.status === "rejected" && r.reason instanceof cls) n++;
  }
  return n;
}
const aborted = () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new RangeError("stop")), 1);
  return ac.signal;
};
/** Heap growth per wait over N waits (a warm-up round first). */
async function per_wait(setup, fn, cls) {
  setup();
  await waits(fn, cls);
  const h0 = heap();
  const ended = await waits(fn, cls);
  return { ended, per_wait: (heap() - h0) / N };
}
const r = {};
r.recv_timeout = await per_wait(() => conn.settimeout(0.001), () => conn.recv(10), TimeoutError);
r.recv_nonblocking = await per_wait(() => conn.settimeout(0), () => conn.recv(10), BlockingIOError);
r.recv_abort = await per_wait(() => conn.settimeout(null), () => conn.recv(10, { signal: aborted() }), RangeError);
r.accept_timeout = await per_wait(() => srv.settimeout(0.001), () => srv.accept(), TimeoutError);
r.accept_nonblocking = await per_wait(() => srv.settimeout(0), () => srv.accept(), BlockingIOError);
r.accept_abort = await per_wait(() => srv.settimeout(null), () => srv.accept({ signal: aborted() }), RangeError);
const u = socket(AF_INET, SOCK_DGRAM);
u.bind(["127.0.0.1", 0]);
r.recvfrom_timeout = await per_wait(() => u.settimeout(0.001), () => u.recvfrom(100), TimeoutError);
r.recvfrom_timeout_long = await per_wait(() => u.settimeout(0.02), () => u.recvfrom(100), TimeoutError);
r.recvfrom_nonblocking = await per_wait(() => u.settimeout(0), () => u.recvfrom(100), BlockingIOError);

// Nothing lost: the pending read and accept deliver to the next callers.
conn.settimeout(10);
srv.settimeout(10);
await cli.sendall(new TextEncoder().encode("after the waits"));
r.data = new TextDecoder().decode(await conn.recv(100));
const cli2 = await create_connection(["127.0.0.1", port]);
const [c2] = await srv.accept();
await cli2.sendall(new TextEncoder().encode("second"));
r.data2 = new TextDecoder().decode(await c2.recv(100));
u.settimeout(10);
const v = socket(AF_INET, SOCK_DGRAM);
await v.sendto(new TextEncoder().encode("datagram"), u.getsockname());
r.data3 = new TextDecoder().decode((await u.recvfrom(100))[0]);
for (const s of [cli, cli2, c2, conn, srv, u, v]) s.close();
console.log(JSON.stringify(r));
Deno.exit(0);
`;

Deno.test("10,000 timed-out, non-blocking and aborted recv and accept waits (and recvfrom on UDP) on one socket keep no memory; nothing is lost", async () => {
  const r = await deno_script(SCRIPT);
  console.log(JSON.stringify(r));
  for (
    const k of [
      "recv_timeout",
      "recv_nonblocking",
      "recv_abort",
      "accept_timeout",
      "accept_nonblocking",
      "accept_abort",
    ]
  ) {
    const m = r[k] as { ended: number; per_wait: number };
    assert.equal(m.ended, 10_000, `${k}: every wait ended with its error`);
    // Before the fix: ~2,070 bytes per wait. A few bytes is GC noise.
    assert.ok(m.per_wait < 200, `${k}: ${m.per_wait} bytes of heap kept per wait`);
  }
  assert.equal(r.data, "after the waits");
  assert.equal(r.data2, "second");
  assert.equal(r.data3, "datagram");
});

const TLS_SCRIPT = `
const [root, dir] = Deno.args;
const { create_server, create_connection, TimeoutError, BlockingIOError } = await import(root + "mod.ts");
const { create_default_context, Purpose, SSLWantReadError } = await import(root + "ssl.ts");
const gc = globalThis.gc;
const heap = () => { gc(); gc(); return Deno.memoryUsage().heapUsed; };
const N = 10_000, B = 500;
const sctx = create_default_context(Purpose.CLIENT_AUTH);
sctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const cctx = create_default_context({ cafile: dir + "/ca.pem" });
const srv = create_server(["127.0.0.1", 0]);
const port = srv.getsockname()[1];
const lsn = await sctx.wrap_socket(srv, true);
const accepting = lsn.accept();
const cli = await cctx.wrap_socket(await create_connection(["127.0.0.1", port]), { server_hostname: "localhost" });
const [conn] = await accepting;
async function waits(fn, cls) {
  let n = 0;
  for (let i = 0; i < N; i += B) {
    const rs = await Promise.allSettled(Array.from({ length: B }, fn));
    for (const r of rs) if (r.status === "rejected" && r.reason instanceof cls) n++;
  }
  return n;
}
async function per_wait(setup, fn, cls) {
  setup();
  await waits(fn, cls);
  const h0 = heap();
  const ended = await waits(fn, cls);
  return { ended, per_wait: (heap() - h0) / N };
}
const r = {};
r.tls_recv_timeout = await per_wait(() => conn.settimeout(0.001), () => conn.recv(10), TimeoutError);
r.tls_recv_nonblocking = await per_wait(() => conn.settimeout(0), () => conn.recv(10), SSLWantReadError);
conn.settimeout(10);
await cli.sendall(new TextEncoder().encode("after the waits"));
r.data = new TextDecoder().decode(await conn.recv(100));
for (const s of [cli, conn, lsn]) s.close();
console.log(JSON.stringify(r));
Deno.exit(0);
`;

Deno.test("10,000 timed-out and non-blocking recv waits on an SSLSocket keep no memory; nothing is lost", async () => {
  const certs = await make_certs();
  try {
    const r = await deno_script(TLS_SCRIPT, [certs.dir]);
    console.log(JSON.stringify(r));
    for (const k of ["tls_recv_timeout", "tls_recv_nonblocking"]) {
      const m = r[k] as { ended: number; per_wait: number };
      assert.equal(m.ended, 10_000, `${k}: every wait ended with its error`);
      assert.ok(m.per_wait < 200, `${k}: ${m.per_wait} bytes of heap kept per wait`);
    }
    assert.equal(r.data, "after the waits");
  } finally {
    certs.cleanup();
  }
});
