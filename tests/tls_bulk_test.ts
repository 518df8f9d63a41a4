// The TLS bulk paths of _tls.ts (issue 17) against CPython peers: plaintext
// written in uneven chunks reaches the peer whole and in order; non-blocking
// sends to a peer that does not read stop within MiB and lose nothing; a
// peer's reset under a stream of sendall()s is raised, never hangs; received
// ciphertext read into a reused buffer reaches the reader intact. Each peer
// is python3's ssl, so what CPython's sockets receive and send is the
// reference.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { create_default_context, SSLSocket } from "../ssl.ts";
import { make_certs, pattern, py_tls_server, sha256 } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
const py_server = (body: string, ...args: string[]) => py_tls_server(certs, body, { args });

async function connect(port: number): Promise<SSLSocket> {
  const ctx = create_default_context({ cafile: P("ca.pem") });
  return await ctx.wrap_socket(await create_connection(["127.0.0.1", port]), { server_hostname: "localhost" });
}

test("sendall in uneven chunks reaches CPython's reader whole and in order", async () => {
  const total = 12 * 2 ** 20;
  const py = await py_server(`
h = hashlib.sha256(); n = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
s.close()`);
  const s = await connect(Number(py.first));
  const data = pattern(total);
  // Sizes from 1 byte to 300 KiB: several writes per TLS record, and several records per write.
  const sizes = [1, 5, 16383, 16384, 16385, 65536, 300 * 1024, 7, 100_000];
  let off = 0;
  for (let i = 0; off < total; i++) {
    const k = Math.min(sizes[i % sizes.length]!, total - off);
    await s.sendall(data.subarray(off, off + k));
    off += k;
  }
  await s.shutdown(1); // SHUT_WR: close_notify after every byte
  const rest = await py.rest();
  s.close();
  assert.equal(rest.code, 0, rest.err);
  assert.equal(rest.out.trim(), `${total} ${await sha256(data)}`);
});

test("CPython's 12 MiB reaches recv_into whole and in order (ciphertext read into a reused buffer)", async () => {
  const total = 12 * 2 ** 20;
  const py = await py_server(
    `
import random
r = random.Random(7)
data = bytes(r.getrandbits(8) for _ in range(1 << 16)) * 192
h = hashlib.sha256(data).hexdigest()
for i in range(0, len(data), 50_000): s.sendall(data[i:i + 50_000])
print(h, flush=True)
try: s.unwrap().close()
except OSError: s.close()`,
  );
  const s = await connect(Number(py.first));
  const got = new Uint8Array(total);
  let n = 0;
  // Uneven reads: small, odd and large buffers.
  const reads = [1, 17, 4096, 65536, 262144, 333];
  for (let i = 0; n < total && i < 1_000_000; i++) {
    const k = await s.recv_into(got.subarray(n, Math.min(total, n + reads[i % reads.length]!)));
    if (k === 0) break;
    n += k;
  }
  s.close(); // the peer's unwrap() waits for this side's close
  const rest = await py.rest();
  assert.equal(rest.code, 0, rest.err);
  assert.equal(n, total);
  assert.equal(await sha256(got), rest.out.trim());
});

test("non-blocking sends to a CPython peer that does not read stop within MiB, and every accepted byte arrives", async () => {
  const py = await py_server(`
sys.stdin = None
time.sleep(1.5)  # does not read meanwhile
n = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    n += len(b)
print(n, flush=True)
s.close()`);
  const s = await connect(Number(py.first));
  s.setblocking(false);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let accepted = 0, blocked = false;
  const t0 = Date.now();
  while (Date.now() - t0 < 1000 && accepted < 256 * 2 ** 20) {
    try {
      accepted += await s.send(chunk);
    } catch (e) {
      const name = (e as Error).name;
      assert.ok(name === "SSLWantWriteError" || name === "BlockingIOError", `${name}: ${(e as Error).message}`);
      blocked = true;
      break;
    }
  }
  assert.ok(blocked, `a send would block, after ${accepted} bytes`);
  assert.ok(accepted <= 32 * 2 ** 20, `bounded: ${accepted} bytes taken`);
  s.setblocking(true);
  s.settimeout(20);
  await s.shutdown(1);
  const rest = await py.rest();
  s.close();
  assert.equal(rest.code, 0, rest.err);
  assert.equal(Number(rest.out.trim()), accepted, "every byte send() took arrives, none twice");
});

test("a peer that resets under a stream of sendall()s: a later send raises, none hangs", async () => {
  const py = await py_server(`
import struct
s.recv(1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()  # RST, no close_notify
print("reset", flush=True)`);
  const s = await connect(Number(py.first));
  s.settimeout(10);
  const chunk = new Uint8Array(64 * 1024).fill(0x62);
  let err: Error | null = null;
  for (let i = 0; i < 2000 && err === null; i++) {
    try {
      await s.sendall(chunk);
    } catch (e) {
      err = e as Error;
    }
  }
  const rest = await py.rest();
  s.close();
  assert.equal(rest.out.trim(), "reset", rest.err);
  assert.ok(err !== null, "a send after the reset raises");
  assert.ok(
    ["BrokenPipeError", "ConnectionResetError", "SSLEOFError", "OSError"].includes(err.name),
    `${err.name}: ${err.message}`,
  );
});
