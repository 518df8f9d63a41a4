// What the kept verification results and client options (issue 17, perf11) must not change: ONE client
// context used again and again, its settings and trusted CAs changed between connections, gets each
// connection's own verdict, SNI and ALPN, as CPython's does (differential: the same steps from python3
// against the same python3 server, which reports the SNI name and ALPN protocol it saw).
// - the path to the anchors is kept per server certificate and context CAs: loading a CA into a context
//   that refused the certificate makes the next handshake pass; another context with other CAs refuses it
//   in between;
// - the host name check is kept per certificate and name: each name gets its own verdict, and
//   check_hostname / hostname_checks_common_name still apply at once;
// - the client options are kept per host name and ALPN list: each connection sends its own SNI (none for
//   an IP address) and the ALPN list set last.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, SSLCertVerificationError, SSLContext } from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
const dec = new TextDecoder();

/** A python3 TLS server (server.pem) answering each connection with the SNI name and ALPN protocol it saw. */
const PY_SERVER = `
import socket, ssl, sys
d, n = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
ctx.set_alpn_protocols(["a", "b"])
seen = [None]
def sni(sock, name, c):
    seen[0] = name
ctx.sni_callback = sni
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    for _ in range(n):
        conn, _ = srv.accept()
        conn.settimeout(10)
        seen[0] = None
        try:
            with ctx.wrap_socket(conn, server_side=True) as s:
                s.sendall(f"{seen[0]}|{s.selected_alpn_protocol()}".encode())
        except (OSError, ssl.SSLError):
            conn.close()
`;

/**
 * The steps: ["c", host] connects with the first context, ["c2", host] with the second (it trusts other.pem
 * only until "load2"); the rest change the first context's settings.
 */
const STEPS: string[][] = [
  ["c", "localhost"],
  ["c", "wrong.example"],
  ["c", "localhost"],
  ["c", "127.0.0.1"],
  ["c", "127.0.0.2"],
  ["c", "LOCALHOST"],
  ["c2", "localhost"],
  ["c", "localhost"],
  ["nohost"],
  ["c", "wrong.example"],
  ["c", "127.0.0.2"],
  ["host"],
  ["c", "wrong.example"],
  ["nocn"],
  ["c", "localhost"],
  ["cn"],
  ["alpn", "b"],
  ["c", "localhost"],
  ["alpn", "a"],
  ["c", "localhost"],
  ["c2", "localhost"],
  ["load2"],
  ["c2", "localhost"],
  ["c2", "wrong.example"],
  ["c", "localhost"],
];
const CONNECTS = STEPS.filter((s) => s[0] === "c" || s[0] === "c2").length;

const PY_CLIENTS = `
import json, socket, ssl, sys
d, port, steps = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
c1 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c1.load_verify_locations(d + "/ca.pem")
c2 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c2.load_verify_locations(d + "/other.pem")
out = []
for step in steps:
    op = step[0]
    if op == "nohost": c1.check_hostname = False
    elif op == "host": c1.check_hostname = True
    elif op == "nocn": c1.hostname_checks_common_name = False
    elif op == "cn": c1.hostname_checks_common_name = True
    elif op == "alpn": c1.set_alpn_protocols([step[1]])
    elif op == "load2": c2.load_verify_locations(d + "/ca.pem")
    else:
        ctx = c1 if op == "c" else c2
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname=step[1]) as s:
                    out.append("ok " + s.recv(100).decode())
        except ssl.SSLCertVerificationError as e:
            out.append(f"{e.verify_code} {e.verify_message}")
print(json.dumps(out))
`;

test("one client context, its settings and CAs changed between connections: each gets its own verdict, SNI and ALPN, as CPython's", async () => {
  const py_srv = await python_server(PY_SERVER, certs.dir, String(CONNECTS));
  const py = await python(PY_CLIENTS, certs.dir, py_srv.first, JSON.stringify(STEPS));
  assert.equal(py.code, 0, py.err);
  const want = JSON.parse(py.out.trim()) as string[];
  await py_srv.rest();

  const srv = await python_server(PY_SERVER, certs.dir, String(CONNECTS));
  const port = Number(srv.first);
  const c1 = new SSLContext(PROTOCOL_TLS_CLIENT);
  c1.load_verify_locations(P("ca.pem"));
  const c2 = new SSLContext(PROTOCOL_TLS_CLIENT);
  c2.load_verify_locations(P("other.pem"));
  const got: string[] = [];
  try {
    for (const step of STEPS) {
      const op = step[0];
      if (op === "nohost") c1.check_hostname = false;
      else if (op === "host") c1.check_hostname = true;
      else if (op === "nocn") c1.hostname_checks_common_name = false;
      else if (op === "cn") c1.hostname_checks_common_name = true;
      else if (op === "alpn") c1.set_alpn_protocols([step[1]!]);
      else if (op === "load2") c2.load_verify_locations(P("ca.pem"));
      else {
        const ctx = op === "c" ? c1 : c2;
        const raw = await create_connection(["127.0.0.1", port], 10);
        try {
          const s = await ctx.wrap_socket(raw, { server_hostname: step[1]! });
          got.push("ok " + dec.decode(await s.recv(100)));
          s.close();
        } catch (e) {
          raw.close();
          if (!(e instanceof SSLCertVerificationError)) throw e;
          got.push(`${e.verify_code} ${e.verify_message}`);
        }
      }
    }
  } finally {
    await srv.rest();
  }
  assert.deepEqual(got, want);
  // The sequence means what it says (CPython's own outcomes): refusals and passes where the steps put them.
  assert.deepEqual(want.map((w) => w.startsWith("ok")), [
    true, // localhost
    false, // wrong.example: 62
    true,
    true, // 127.0.0.1 (no SNI)
    false, // 127.0.0.2: 64
    true, // LOCALHOST
    false, // c2 trusts other.pem only: 20
    true, // c1 again after c2's refusal
    true, // check_hostname off: wrong.example passes
    true, // and 127.0.0.2
    false, // check_hostname on again
    true, // hostname_checks_common_name off: the subjectAltName still matches
    true, // ALPN b
    true, // ALPN a
    false, // c2 still refuses
    true, // c2 with ca.pem loaded
    false, // c2: wrong.example
    true,
  ]);
  assert.ok(want.includes("ok localhost|b") && want.includes("ok localhost|a") && want.includes("ok None|None"));
});
