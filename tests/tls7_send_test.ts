// The TLS send path of _tls.ts (issue 17, tls7): a write's ciphertext is taken from Deno's TLS engine at
// once and written in one piece (big writes in 256 KiB slices), while what node:tls writes on its own
// (ciphertext made while reading: alerts, close_notify) still goes its way. The class of bug this can
// cause is ciphertext out of order or lost between the two routes, or a write's size or failure reported
// wrongly; each test runs against python3's ssl, so CPython's reader is the reference.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { create_default_context, type SSLSocket } from "../ssl.ts";
import { make_certs, pattern as lcg, py_tls_server, sha256 } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
/** A python3 TLS server (TLS 1.2 at most when `tls12`) running `body` with `s`. */
const py_server = (body: string, tls12 = false) =>
  py_tls_server(certs, body, tls12 ? { setup: "ctx.maximum_version = ssl.TLSVersion.TLSv1_2" } : {});
const pattern = (total: number, seed = 99) => lcg(total, seed);

async function connect(port: number): Promise<SSLSocket> {
  const ctx = create_default_context({ cafile: P("ca.pem") });
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port]), { server_hostname: "localhost" });
  s.settimeout(30);
  return s;
}

const K = 1024;
// Around the engine's 48 KiB pass and the 256 KiB slice, and well past both.
const SIZES = [48 * K - 1, 48 * K, 48 * K + 1, 96 * K + 1, 256 * K - 1, 256 * K, 256 * K + 1, 1024 * K + 3, 1, 3000];

for (const tls12 of [false, true]) {
  const v = tls12 ? "TLS 1.2" : "TLS 1.3";

  test(`tls7: ${v} sendall() of sizes around the engine's pass and the slice reaches CPython whole, in order`, async () => {
    const py = await py_server(
      `
h = hashlib.sha256(); n = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest(), s.version(), flush=True)
s.close()`,
      tls12,
    );
    const s = await connect(Number(py.first));
    const total = SIZES.reduce((a, b) => a + b, 0);
    const data = pattern(total);
    let off = 0;
    for (const k of SIZES) {
      await s.sendall(data.subarray(off, off + k));
      off += k;
    }
    await s.shutdown(1);
    const rest = await py.rest();
    s.close();
    assert.equal(rest.code, 0, rest.err);
    assert.equal(rest.out.trim(), `${total} ${await sha256(data)} ${tls12 ? "TLSv1.2" : "TLSv1.3"}`);
  });

  test(`tls7: ${v} full duplex: sends while CPython echoes them back; every byte returns in order`, async () => {
    const py = await py_server(
      `
n = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    s.sendall(b); n += len(b)
print(n, flush=True)
s.unwrap().close()`,
      tls12,
    );
    const s = await connect(Number(py.first));
    const total = 6 * 1024 * K;
    const data = pattern(total, 7);
    const back = new Uint8Array(total);
    let got = 0;
    const reader = (async () => {
      for (let i = 0; got < total && i < 1_000_000; i++) {
        const n = await s.recv_into(back.subarray(got));
        if (n === 0) break;
        got += n;
      }
    })();
    s.settimeout(null); // blocking, no timeout: send() takes all of it, as CPython's (python3 ends in 30 s at most)
    let off = 0;
    for (let i = 0; off < total; i++) {
      const k = Math.min(SIZES[i % SIZES.length]!, total - off);
      const sent = await s.send(data.subarray(off, off + k));
      assert.equal(sent, k);
      off += k;
    }
    await reader;
    await s.shutdown(1);
    const rest = await py.rest();
    s.close();
    assert.equal(rest.code, 0, rest.err);
    assert.equal(rest.out.trim(), String(total));
    assert.equal(got, total);
    assert.equal(await sha256(back), await sha256(data));
  });
}

test("tls7: a blocking send() (no timeout) of 3 MiB returns 3 MiB, as CPython's SSLSocket.send does", async () => {
  const py = await py_server(`
n = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    n += len(b)
print(n, flush=True)
s.close()`);
  const twin = new Deno.Command("python3", {
    args: [
      "-c",
      `
import socket, ssl, sys, threading
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server.key")
srv = socket.create_server(("127.0.0.1", 0))
def sink():
    c, _ = srv.accept()
    t = ctx.wrap_socket(c, server_side=True)
    while t.recv(1 << 16): pass
    t.close()
th = threading.Thread(target=sink); th.start()
cctx = ssl.create_default_context(cafile=sys.argv[1] + "/ca.pem")
s = cctx.wrap_socket(socket.create_connection(srv.getsockname()), server_hostname="localhost")
print(s.send(bytes(3 << 20)))
s.close(); th.join()`,
      certs.dir,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const s = await connect(Number(py.first));
  s.settimeout(null); // blocking, no timeout (python3 ends in 30 s at most)
  const n = await s.send(new Uint8Array(3 << 20));
  await s.shutdown(1);
  const rest = await py.rest();
  s.close();
  const out = await twin;
  assert.equal(rest.code, 0, rest.err);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), String(3 << 20), new TextDecoder().decode(out.stderr));
  assert.equal(n, 3 << 20);
  assert.equal(rest.out.trim(), String(3 << 20));
});

// The class of the first bug this path had: the peer's EOF ends the session (and closes the connection)
// while a write's ciphertext is still going out; that write must raise, as CPython's does, not report
// the bytes sent. Shapes: one large sendall (several slices), 64 KiB sendalls, and send()s.
for (const shape of ["one 16 MiB sendall", "64 KiB sendalls", "64 KiB sends"] as const) {
  test(`tls7: ${shape} to a CPython peer that never reads, then closes: raises (CPython raises too: see fidelity_siblings_test)`, async () => {
    const py = await py_server(`
import time
time.sleep(0.5)  # never reads
s.close()
print("closed", flush=True)`);
    const s = await connect(Number(py.first));
    s.settimeout(null); // blocking, no timeout: the peer's close ends it (python3 ends in 30 s at most)
    const chunk = new Uint8Array(64 * K).fill(0x63);
    let err: unknown = null;
    let sent = 0;
    try {
      if (shape === "one 16 MiB sendall") {
        await s.sendall(new Uint8Array(16 * 1024 * K));
        sent = 16 * 1024 * K;
      } else {
        for (let i = 0; i < 2048; i++) {
          sent += shape === "64 KiB sends" ? await s.send(chunk) : (await s.sendall(chunk), chunk.length);
        }
      }
    } catch (e) {
      err = e;
    }
    const rest = await py.rest();
    s.close();
    assert.equal(rest.out.trim(), "closed", rest.err);
    assert.ok(err instanceof Error, `a write after the peer closed raises (${sent} bytes reported sent)`);
    assert.ok(
      ["BrokenPipeError", "ConnectionResetError", "SSLEOFError", "OSError", "SSLZeroReturnError"].includes(err.name),
      `${err.name}: ${err.message}`,
    );
  });
}

// A timed SSLSocket.send() is OpenSSL's SSL_write in CPython (no partial writes): all of the bytes or
// TimeoutError. pysocket's timed send() took only what fit in the send queue (256 KiB) and returned that.
test("tls7: a timed send() of 3 MiB returns 3 MiB; to a peer that never reads it raises TimeoutError (CPython twin)", async () => {
  const twin = await new Deno.Command("python3", {
    args: [
      "-c",
      `
import socket, ssl, sys, threading, time
d = sys.argv[1]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
cctx = ssl.create_default_context(cafile=d + "/ca.pem")
out = []
for reads in (True, False):
    srv = socket.create_server(("127.0.0.1", 0))
    def peer():
        c, _ = srv.accept(); t = ctx.wrap_socket(c, server_side=True)
        if reads:
            while t.recv(1 << 16): pass
        else:
            time.sleep(3)
        t.close()
    th = threading.Thread(target=peer); th.start()
    s = cctx.wrap_socket(socket.create_connection(srv.getsockname()), server_hostname="localhost")
    s.settimeout(5 if reads else 0.5)
    try: out.append(str(s.send(bytes((3 if reads else 32) << 20))))
    except OSError as e: out.append(type(e).__name__ + ": " + str(e))
    s.close(); th.join(); srv.close()
print("|".join(out))`,
      certs.dir,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const ours: string[] = [];
  for (const reads of [true, false]) {
    const py = await py_server(
      reads
        ? "while s.recv(1 << 16): pass\ns.close()\nprint('done', flush=True)"
        : "time.sleep(3)\nprint('done', flush=True)",
    );
    const s = await connect(Number(py.first));
    s.settimeout(reads ? 5 : 0.5);
    try {
      ours.push(String(await s.send(new Uint8Array((reads ? 3 : 32) << 20))));
    } catch (e) {
      ours.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
    s.close();
    const rest = await py.rest();
    assert.equal(rest.out.trim(), "done", rest.err);
  }
  assert.equal(twin.code, 0, new TextDecoder().decode(twin.stderr));
  assert.equal(ours.join("|"), new TextDecoder().decode(twin.stdout).trim());
});

// The receive side: bytes lost, repeated or reordered between a read's view and the queue, across a pause
// (more than 256 KiB unread), blocking reads of every size, and non-blocking reads driven by select().
test("tls7: 8 MiB from CPython read by 64 KiB recv_into()s, then blocking reads of mixed sizes, pauses and select()-driven non-blocking reads arrive whole, in order", async () => {
  const { select } = await import("../selectors.ts");
  const total = 8 * 1024 * K;
  const py = await py_server(`
data = bytes(((i * 1103515245 + 12345) >> 16) & 255 for i in range(1 << 16)) * 128
for i in range(0, len(data), 70_001): s.sendall(data[i:i + 70_001])
print(hashlib.sha256(data).hexdigest(), flush=True)
s.recv(1)
s.close()`);
  const s = await connect(Number(py.first));
  s.settimeout(null); // blocking, no timeout: recv_into reads straight into the caller's view (python3 ends in 30 s)
  const got = new Uint8Array(total);
  let n = 0;
  // First 2 MiB as the bench reads (recv_into 64 KiB on a drained reader: the engine's bytes go straight
  // into the read's view, the rest is queued), then mixed.
  while (n < 2 * 1024 * K) {
    const k = await s.recv_into(got.subarray(n, n + 64 * K));
    if (k === 0) break;
    n += k;
  }
  const sizes = [1, 7, 4096, 16384, 65536, 100_000, 300_000];
  for (let i = 0; n < total && i < 100_000; i++) {
    const mode = i % 5;
    if (mode === 4 && i % 15 === 4) await new Promise((r) => setTimeout(r, 30)); // let > 256 KiB pile up: pause
    const want = Math.min(sizes[i % sizes.length]!, total - n);
    let k: number;
    if (mode === 3) {
      s.setblocking(false);
      await select([s], [], [], 10);
      try {
        k = await s.recv_into(got.subarray(n, n + want));
      } catch (e) {
        if ((e as Error).name !== "SSLWantReadError" && (e as Error).name !== "BlockingIOError") throw e;
        k = -1;
      }
      s.setblocking(true);
      if (k === -1) continue;
    } else if (mode === 1) {
      const b = await s.recv(want);
      got.set(b, n);
      k = b.length;
    } else {
      k = await s.recv_into(got.subarray(n, n + want));
    }
    if (k === 0) break;
    n += k;
  }
  await s.sendall(new Uint8Array(1));
  const rest = await py.rest();
  s.close();
  assert.equal(rest.code, 0, rest.err);
  assert.equal(n, total);
  assert.equal(await sha256(got), py_first_hash(rest.out));
});

/** The hash python3 printed after its port (the first line of the rest). */
function py_first_hash(out: string): string {
  return out.trim().split("\n")[0]!.trim();
}
