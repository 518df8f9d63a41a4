// SSLWantReadError/SSLWantWriteError read as CPython 3.11's: the text names the line of _ssl.c that raised it
// (1006 in do_handshake(), 2580 in a read, 2427 in a write), and errno is 2 or 3 (CPython twin).

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { missing, sleep } from "./_socket_fixtures.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";

Deno.test(
  "ssl: SSLWant*Error's text and errno in do_handshake(), recv() and send() of a non-blocking socket (CPython twin)",
  {
    ignore: missing("python3", "openssl"),
  },
  async () => {
    const certs = await make_certs();
    const twin = await python(
      `
import ssl, socket, threading, time, json, sys
d = sys.argv[1]
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
l = socket.create_server(("127.0.0.1", 0))
def srv():
    c, _ = l.accept(); time.sleep(0.3); s = sctx.wrap_socket(c, server_side=True); time.sleep(2); s.close()
threading.Thread(target=srv, daemon=True).start()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.load_verify_locations(d + "/ca.pem")
raw = socket.create_connection(l.getsockname()); raw.setblocking(False)
s = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
out = []
try: s.do_handshake()
except ssl.SSLError as e: out.append([type(e).__name__, e.errno, str(e)])
for _ in range(500):
    try: s.do_handshake(); break
    except ssl.SSLWantReadError: time.sleep(0.01)
try: s.recv(10)
except ssl.SSLError as e: out.append([type(e).__name__, e.errno, str(e)])
try:
    for _ in range(10000): s.send(b"x" * 65536)
except ssl.SSLError as e: out.append([type(e).__name__, e.errno, str(e)])
print(json.dumps(out))
`,
      certs.dir,
    );
    assert.equal(twin.code, 0, twin.err);
    const want = JSON.parse(twin.out.trim().split("\n").at(-1)!);

    using srv = create_server(["127.0.0.1", 0]);
    const port = (srv.getsockname() as [string, number])[1];
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
    const server = (async () => {
      const [c] = await srv.accept();
      // The server answers late, so the client's first do_handshake() cannot complete at once: in one process a
      // non-blocking call's turn could otherwise see this server's reply on a loaded machine (a flake seen twice).
      await sleep(300);
      const s = await sctx.wrap_socket(c, { server_side: true });
      await sleep(2000);
      s.close();
    })();
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.load_verify_locations(certs.P("ca.pem"));
    const raw = await create_connection(["127.0.0.1", port]);
    raw.setblocking(false);
    const s = await ctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
    const got: unknown[] = [];
    const rec = (e: unknown) => {
      const x = e as { name: string; errno: number; message: string };
      got.push([x.name, x.errno, x.message]);
    };
    await s.do_handshake().catch(rec);
    for (let i = 0; i < 500; i++) {
      try {
        await s.do_handshake();
        break;
      } catch (e) {
        if ((e as Error).name !== "SSLWantReadError") throw e;
        await sleep(10);
      }
    }
    await s.recv(10).catch(rec);
    try {
      for (let i = 0; i < 10_000; i++) await s.send(new Uint8Array(65536));
    } catch (e) {
      rec(e);
    }
    s.close();
    await server;
    assert.deepEqual(got, want);
  },
);
