// adv13a (A13a-5): a truncation attack (the peer's TCP FIN or reset without close_notify) with
// suppress_ragged_eofs=False. CPython raises SSLEOFError "EOF occurred in violation of protocol (_ssl.c:2580)" from
// recv/recv_into/makefile reads and "(_ssl.c:2427)" from a send after it; pysocket raised the right class with a
// text lacking the line, so a program printing str(e) differed. Both sides (a pysocket server truncated by a python3
// client, a pysocket client truncated by a python3 server), a FIN and a reset, each beside CPython doing the same.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server, truncating_peer } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** The truncating peer: TLS up, "hello\nworld" sent, then the TCP connection ended without close_notify. */
const PEER = truncating_peer('b"hello\\nworld"');

/** CPython's side of the same connection: reads as `how` says, then sends; prints what happened. */
const JUDGE = `
import json, socket, ssl, subprocess, sys, time
d, role, end, how, peer = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
out = []
if role == "server":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    srv = socket.create_server(("127.0.0.1", 0))
    p = subprocess.Popen([sys.executable, "-c", peer, "client", d, end, str(srv.getsockname()[1])])
    raw, _ = srv.accept(); raw.settimeout(10)
    s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
else:
    p = subprocess.Popen([sys.executable, "-c", peer, "server", d, end, "-"], stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost", suppress_ragged_eofs=False)
def ex(e): return f"{type(e).__name__} {e.errno} {e}"
try:
    if how == "recv":
        for _ in range(4): out.append(s.recv(100).decode())
    elif how == "recv_into":
        b = bytearray(100)
        for _ in range(4): n = s.recv_into(b); out.append(b[:n].decode())
    else:
        f = s.makefile("rb")
        for _ in range(4): out.append(f.readline().decode())
except Exception as e: out.append(ex(e))
time.sleep(0.1)
try: s.send(b"x"); out.append("sent")
except Exception as e: out.append(ex(e))
p.wait(20)
print(json.dumps(out))
`;

for (const role of ["server", "client"] as const) {
  test(`adversary13a A13a-5: a pysocket ${role} truncated by its peer (FIN or reset, no close_notify) raises CPython's SSLEOFError text from reads and the send after`, async () => {
    const certs = await make_certs();
    for (const end of ["fin", "reset"]) {
      for (const how of ["recv", "recv_into", "makefile"]) {
        const py = await python(JUDGE, certs.dir, role, end, how, PEER);
        assert.equal(py.code, 0, py.err);
        const want = JSON.parse(py.out);
        const out: string[] = [];
        let s: ssl.SSLSocket;
        let peer: Promise<unknown>;
        if (role === "server") {
          using l = create_server(["127.0.0.1", 0]);
          peer = python(PEER, "client", certs.dir, end, String((l.getsockname() as [string, number])[1]));
          const [raw] = await l.accept();
          raw.settimeout(10);
          const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
          ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
          s = await ctx.wrap_socket(raw, { server_side: true, suppress_ragged_eofs: false });
        } else {
          const srv = await python_server(PEER, "server", certs.dir, end, "-");
          peer = srv.rest();
          const ctx = ssl.create_default_context({ cafile: certs.P("ca.pem") });
          s = await ctx.wrap_socket(await create_connection(["127.0.0.1", Number(srv.first)], 10), {
            server_hostname: "localhost",
            suppress_ragged_eofs: false,
          });
        }
        const ex = (e: unknown) =>
          `${(e as Error).constructor.name} ${(e as ssl.SSLError).errno} ${(e as Error).message}`;
        const dec = new TextDecoder();
        try {
          if (how === "recv") { for (let i = 0; i < 4; i++) out.push(dec.decode(await s.recv(100))); }
          else if (how === "recv_into") {
            const b = new Uint8Array(100);
            for (let i = 0; i < 4; i++) out.push(dec.decode(b.subarray(0, await s.recv_into(b))));
          } else {
            const f = s.makefile("rb");
            for (let i = 0; i < 4; i++) out.push(dec.decode((await f.readline()) as Uint8Array));
          }
        } catch (e) {
          out.push(ex(e));
        }
        await new Promise((r) => setTimeout(r, 100));
        try {
          await s.send(new Uint8Array([120]));
          out.push("sent");
        } catch (e) {
          out.push(ex(e));
        }
        s.close();
        await peer;
        assert.deepEqual(out, want, `${role} ${end} ${how}`);
      }
    }
  });
}
