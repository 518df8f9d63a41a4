// adv17a's P3: a client context that trusts Deno's default roots AND a loaded CA (create_default_context() then
// load_verify_locations(ca)) refused a server whose chain ends at that CA for a date, purpose or host fault with
// verify code 20 ("unable to get local issuer certificate"); CPython names the fault as OpenSSL orders it (10 expired,
// 26 unsuitable purpose, 62 host mismatch). Still refused either way: only the name differed. Differential: the same
// connections from python3 against the same python3 servers.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { create_default_context } from "../ssl.ts";
import { python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { make_certs17, outcome_of, PY_OUTCOME, py_servers } from "./_adversary17a.ts";

const test = test_needing("python3", "openssl");
const dec = new TextDecoder();

/** [server chain, server_hostname]: expired (the `short` leaf, after it expires), clientAuth only, wrong host, good. */
const ROWS: [string, string][] = [["short", "localhost"], ["cli", "localhost"], ["direct", "wrong.test"], [
  "direct",
  "localhost",
]];

const PY = `
import json, socket, ssl, sys
d, ports, rows = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
${PY_OUTCOME}
out = []
for chain, host in rows:
    c = ssl.create_default_context(); c.load_verify_locations(d + "/root.pem")
    try:
        with socket.create_connection(("127.0.0.1", ports[chain]), timeout=10) as raw:
            with c.wrap_socket(raw, server_hostname=host) as s:
                out.append("ok " + s.recv(100).decode())
    except Exception as e:
        out.append(res(e))
print(json.dumps(out))
`;

test("ssl: default roots plus a loaded CA name a refused chain's fault as CPython (10, 26, 62), not 20 (adv17a P3)", async () => {
  const certs = await make_certs17(2);
  // Wait until the short leaf has expired (it is made valid for 2 s).
  await new Promise((r) => setTimeout(r, Math.max(0, certs.short_until - Date.now()) + 1500));
  const srv = await py_servers(certs, ["short", "cli", "direct"]);
  try {
    const py = await python(PY, certs.dir, JSON.stringify(srv.ports), JSON.stringify(ROWS));
    assert.equal(py.code, 0, py.err);
    const want = JSON.parse(py.out.trim()) as string[];
    const got: string[] = [];
    for (const [chain, host] of ROWS) {
      const c = create_default_context();
      c.load_verify_locations(`${certs.dir}/root.pem`);
      const raw = await create_connection(["127.0.0.1", srv.ports[chain]!], 10);
      try {
        const s = await c.wrap_socket(raw, { server_hostname: host });
        try {
          got.push("ok " + dec.decode(await s.recv(100)));
        } finally {
          s.close();
        }
      } catch (e) {
        raw.close();
        got.push(outcome_of(e));
      }
    }
    assert.deepEqual(got, want);
    assert.deepEqual(want.map((w) => w.split(" ").slice(0, 2).join(" ")), [
      "SSLCertVerificationError 10",
      "SSLCertVerificationError 26",
      "SSLCertVerificationError 62",
      "ok localhost",
    ]);
  } finally {
    await srv.stop();
  }
});
