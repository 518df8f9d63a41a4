// adv9b: shutdown(SHUT_RD) or shutdown(SHUT_RDWR) of an SSLSocket while another task waits in do_handshake()
// makes that handshake raise SSLEOFError at once, as CPython's (its SSL object reads EOF); pysocket's waited for
// the handshake's timeout (60 s on a blocking socket). SHUT_WR leaves it waiting, in both.

import assert from "node:assert/strict";
import { create_server, SHUT_RD, SHUT_RDWR, SHUT_WR } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const PY = `
import json, socket, ssl, sys, threading, time
c = ssl.create_default_context(cafile=sys.argv[1] + "/ca.pem")
l = socket.create_server(("127.0.0.1", 0))
out = {}
for how in [socket.SHUT_RDWR, socket.SHUT_RD, socket.SHUT_WR]:
    s = socket.create_connection(l.getsockname()); a, _ = l.accept()
    w = c.wrap_socket(s, server_hostname="localhost", do_handshake_on_connect=False)
    res = {}
    def hs():
        try: w.do_handshake(); res["hs"] = ["ok"]
        except Exception as e: res["hs"] = [type(e).__name__, str(e)]
    h = threading.Thread(target=hs); h.start(); time.sleep(0.2)
    t0 = time.monotonic()
    r = w.shutdown(how)
    h.join(1.5)
    out[str(how)] = [r, res.get("hs", "waiting"), time.monotonic() - t0 < 1.4]
    a.recv(4096); a.close(); h.join(); w.close()
print(json.dumps(out))
`;

test("adversary9b: shutdown(SHUT_RD/SHUT_RDWR) under a do_handshake() waiting in another task makes it raise SSLEOFError at once, as CPython's", async () => {
  const certs = await make_certs();
  const c = ssl.create_default_context({ cafile: certs.P("ca.pem") });
  using l = create_server(["127.0.0.1", 0]);
  const ours: Record<string, unknown> = {};
  for (const how of [SHUT_RDWR, SHUT_RD, SHUT_WR]) {
    const s = await create_connection(l.getsockname() as [string, number]);
    const [a] = await l.accept();
    const w = await c.wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
    let hs: unknown[] | string = "waiting";
    const waiting = w.do_handshake().then(() => hs = ["ok"], (e: Error) => hs = [e.name, e.message]);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const r = await w.shutdown(how);
    await Promise.race([waiting, new Promise((res) => setTimeout(res, 1500))]);
    ours[String(how)] = [r ?? null, hs, performance.now() - t0 < 1400];
    if (how !== SHUT_WR) {
      // CPython's socket is plain after shutdown() and reads b''; pysocket's reads the handshake's EOF error
      // (documented in docs/limits.md, "TLS after a reset").
      await assert.rejects(w.recv(5), ssl.SSLEOFError);
    }
    await a.recv(4096);
    a.close();
    await waiting;
    w.close();
  }
  const py = await python(PY, certs.dir);
  assert.equal(py.code, 0, py.err);
  assert.deepEqual(ours, JSON.parse(py.out.trim().split("\n").at(-1)!));
});
