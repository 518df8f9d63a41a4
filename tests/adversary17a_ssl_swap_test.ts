// A17a-1: a client SSLSocket whose `context` is set to another context before its handshake's outcome is seen
// (wrapped connected with do_handshake_on_connect=False, the session already begun). CPython (OpenSSL's
// SSL_set_SSL_CTX): the NEW context's CA store verifies the server; the verify mode, host check and flags stay the
// socket's. pysocket kept the first context's CAs and so ACCEPTED a server that CPython refuses (20, or 7 for a
// root of the same name with another key), also when the swap came after the handshake had run in the background.
// Differential: the same steps from python3 against the same python3 servers.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { _create_unverified_context, create_default_context, PROTOCOL_TLS_CLIENT, SSLContext } from "../ssl.ts";
import { python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { make_certs17, outcome_of, PY_OUTCOME, py_servers } from "./_adversary17a.ts";

const test = test_needing("python3", "openssl");
const dec = new TextDecoder();

/** [row, the server's chain, the context swapped in, whether the swap waits for the handshake to have run]. */
const ROWS: [string, string, string, boolean][] = [
  ["to a context trusting nothing", "direct", "empty", false],
  ["to a context trusting another root", "direct", "other", false],
  ["to a context trusting a root of the same name, another key", "direct", "twin", false],
  ["to a context trusting the same root", "direct", "root", false],
  ["to a default context (Deno's roots)", "direct", "default", false],
  ["to a default context with the root loaded", "direct", "default_root", false],
  ["to an unverified context (the verify mode stays)", "direct", "unverified", false],
  ["through an intermediate, to a context trusting a root of the same name", "leaf_int", "twin", false],
  ["late: to a context trusting nothing", "direct", "empty", true],
  ["late: to a context trusting a root of the same name", "direct", "twin", true],
  ["late: to a context trusting the same root", "direct", "root", true],
  ["late: to a default context (Deno's roots)", "direct", "default", true],
];

const PY = `
import json, socket, ssl, sys, time
d, ports, rows = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
${PY_OUTCOME}
def ctx_of(kind):
    if kind == "default": return ssl.create_default_context()
    if kind == "unverified": return ssl._create_unverified_context()
    if kind == "default_root":
        c = ssl.create_default_context(); c.load_verify_locations(d + "/root.pem"); return c
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if kind != "empty": c.load_verify_locations(d + "/" + kind + ".pem")
    return c
out = []
for name, chain, kind, late in rows:
    first = ctx_of("root")
    try:
        with socket.create_connection(("127.0.0.1", ports[chain]), timeout=10) as raw:
            s = first.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
            if late: time.sleep(0.3)
            s.context = ctx_of(kind)
            s.do_handshake()
            out.append("ok " + s.recv(100).decode())
            s.close()
    except Exception as e:
        out.append(res(e))
print(json.dumps(out))
`;

function ctx_of(dir: string, kind: string): SSLContext {
  if (kind === "default") return create_default_context();
  if (kind === "unverified") return _create_unverified_context();
  if (kind === "default_root") {
    const c = create_default_context();
    c.load_verify_locations(`${dir}/root.pem`);
    return c;
  }
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  if (kind !== "empty") c.load_verify_locations(`${dir}/${kind}.pem`);
  return c;
}

test("A17a-1: a client socket given another context before its handshake's outcome is verified against that context's CAs, as CPython's", async () => {
  const certs = await make_certs17(3600);
  const srv = await py_servers(certs, ["direct", "leaf_int"]);
  try {
    const py = await python(PY, certs.dir, JSON.stringify(srv.ports), JSON.stringify(ROWS));
    assert.equal(py.code, 0, py.err);
    const want = JSON.parse(py.out.trim()) as string[];
    const got: string[] = [];
    for (const [, chain, kind, late] of ROWS) {
      const first = ctx_of(certs.dir, "root");
      const raw = await create_connection(["127.0.0.1", srv.ports[chain]!], 10);
      try {
        const s = await first.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
        try {
          if (late) await new Promise((r) => setTimeout(r, 300));
          s.context = ctx_of(certs.dir, kind);
          await s.do_handshake();
          got.push("ok " + dec.decode(await s.recv(100)));
        } finally {
          s.close();
        }
      } catch (e) {
        raw.close();
        got.push(outcome_of(e));
      }
    }
    for (let i = 0; i < ROWS.length; i++) assert.equal(got[i], want[i], `${ROWS[i]![0]}`);
    // The rows mean what they say (CPython's own outcomes): only a context that trusts the root passes (openssl's
    // certificates carry key identifiers, so OpenSSL takes no root of the same name with another key: 20).
    const R = "SSLCertVerificationError 20";
    const OK = "ok localhost";
    assert.deepEqual(want.map((w) => w.split(" ").slice(0, 2).join(" ")), [R, R, R, OK, R, OK, R, R, R, R, OK, R]);
  } finally {
    await srv.stop();
  }
});
