// Adversary 12b: connections reset before accept() (A11-5: skipped) interleaved with good clients, on a
// select()-driven non-blocking listener, plain and TLS, beside the same CPython server: every good client is served
// once, and the loop does not spin (few BlockingIOError/SSLWantReadError wake-ups). pysocket's non-blocking TLS
// listener shakes hands in the background: its accept() raises SSLWantReadError while a handshake is in flight and
// select() reports the listener readable once one has ended (CPython's accept() returns the connection after a
// blocking handshake: the accepted socket is blocking on Linux). Documented in docs/limits.md.

import assert from "node:assert/strict";
import { create_server, type Socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { select } from "../selectors.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const CLIENTS = new URL("./fixtures/adversary12b_tls_clients.py", import.meta.url).pathname;
const N = 200, EVERY = 10;

const PY_SERVER = `
import select, socket, ssl, subprocess, sys
tls = sys.argv[2] == "tls"
l = socket.create_server(("127.0.0.1", 0))
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server.key")
    l = ctx.wrap_socket(l, server_side=True)
l.setblocking(False)
p = subprocess.Popen([sys.executable, sys.argv[3], str(l.getsockname()[1]), "${N}", "${EVERY}", sys.argv[2]], stdout=subprocess.PIPE)
served = 0
for _ in range(100000):
    if p.poll() is not None: break
    r, _, _ = select.select([l], [], [], 0.2)
    if not r: continue
    try: s, _ = l.accept()
    except OSError: continue
    s.settimeout(10)
    try:
        b = s.recv(100)
        if b: s.sendall(b.replace(b"hi", b"ok")); served += 1
    except OSError: pass
    s.close()
print(p.stdout.read().decode().strip(), served)
`;

for (const kind of ["plain", "tls"]) {
  test(`adversary12b accept: a select()-driven non-blocking ${kind} listener, ${N} connections (every ${EVERY}th good, the others reset before accept): every good client served once, no spin, as CPython's`, async () => {
    const py = await python(PY_SERVER, certs.dir, kind, CLIENTS);
    assert.equal(py.code, 0, py.err);
    assert.equal(py.out.trim(), `${N / EVERY} ${N / EVERY}`);

    let l: Socket = create_server(["127.0.0.1", 0]);
    if (kind === "tls") {
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
      l = await ctx.wrap_socket(l, { server_side: true });
    }
    l.setblocking(false);
    const child = new Deno.Command("python3", {
      args: [CLIENTS, String((l.getsockname() as [string, number])[1]), String(N), String(EVERY), kind],
      stdin: "null",
      stdout: "piped",
    }).spawn();
    let exited = false;
    const out = child.output().then((o) => {
      exited = true;
      return new TextDecoder().decode(o.stdout).trim();
    });
    let served = 0, wakeups = 0;
    const t0 = Date.now();
    try {
      for (let i = 0; i < 100_000 && !exited && Date.now() - t0 < 120_000; i++) {
        const [r] = await select([l], [], [], 0.2);
        if (!r.length) continue;
        let s: Socket;
        try {
          [s] = await l.accept();
        } catch (e) {
          // BlockingIOError / SSLWantReadError: readable, nothing to take (a skipped reset, a handshake going on);
          // SSLError/ConnectionResetError: a reset connection's failed handshake.
          if (["BlockingIOError", "SSLWantReadError"].includes((e as Error).name)) wakeups++;
          continue;
        }
        s.settimeout(10);
        try {
          const b = await s.recv(100);
          if (b.length) {
            await s.sendall(new TextEncoder().encode(new TextDecoder().decode(b).replace("hi", "ok")));
            served++;
          }
        } catch { /* a reset connection */ }
        s.close();
      }
    } finally {
      l.close();
    }
    assert.equal(`${await out} ${served}`, py.out.trim());
    assert.ok(wakeups < N, `${wakeups} empty wake-ups for ${N} connections`);
  });
}

// Documented in docs/limits.md, not changed: pysocket's design (handshakes in the background) against CPython's
// blocking handshake inside accept().
Deno.test({
  name:
    "adversary12b accept (documented in docs/limits.md): a non-blocking TLS listener's accept() raises SSLWantReadError while a handshake is in flight (CPython's returns the connection after a blocking handshake)",
  ignore: true,
  fn() {},
});
