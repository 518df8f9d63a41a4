// adv13a (A13a-6): ssl._create_unverified_context(), the call programs make where they knowingly give up
// verification (a self-signed test server; `urllib` recipes), was missing: a ported program stopped with a
// TypeError. It is now CPython 3.11's, keyword for keyword; every setting beside CPython's, and the contexts it
// makes judged against the same servers (a self-signed one, an untrusted one) as CPython's judge them.

import assert from "node:assert/strict";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** [label, python keyword text, pysocket arguments]. */
const FORMS: [string, string, () => ssl.SSLContext][] = [
  ["defaults", "", () => ssl._create_unverified_context()],
  ["protocol=None", "None", () => ssl._create_unverified_context(null)],
  [
    "CLIENT_AUTH",
    "purpose=ssl.Purpose.CLIENT_AUTH",
    () => ssl._create_unverified_context({ purpose: ssl.Purpose.CLIENT_AUTH }),
  ],
  ["PROTOCOL_TLS_SERVER", "ssl.PROTOCOL_TLS_SERVER", () => ssl._create_unverified_context(ssl.PROTOCOL_TLS_SERVER)],
  [
    "cert_reqs=REQUIRED",
    "cert_reqs=ssl.CERT_REQUIRED",
    () => ssl._create_unverified_context({ cert_reqs: ssl.CERT_REQUIRED }),
  ],
  ["cert_reqs=None", "cert_reqs=None", () => ssl._create_unverified_context({ cert_reqs: null })],
  ["check_hostname=True", "check_hostname=True", () => ssl._create_unverified_context({ check_hostname: true })],
  ["keyfile alone", "keyfile='x.key'", () => ssl._create_unverified_context({ keyfile: "x.key" })],
  ["purpose=1", "purpose=1", () => ssl._create_unverified_context({ purpose: 1 as unknown as ssl.ASN1Object })],
];

test("adversary13a A13a-6: _create_unverified_context() makes CPython's contexts (or raises its errors)", async () => {
  const py = await python(
    `
import json, ssl, sys
out = []
for form in json.loads(sys.argv[1]):
    try:
        c = eval(f"ssl._create_unverified_context({form})")
        out.append([int(c.verify_mode), c.check_hostname, int(c.protocol), c.cert_store_stats()["x509"] > 0])
    except Exception as e: out.append(type(e).__name__)
print(json.dumps(out))
`,
    JSON.stringify(FORMS.map(([, f]) => f)),
  );
  assert.equal(py.code, 0, py.err);
  const got = FORMS.map(([, , f]) => {
    try {
      const c = f();
      return [c.verify_mode, c.check_hostname, c.protocol, c.cert_store_stats().x509 > 0];
    } catch (e) {
      return e instanceof RangeError ? "ValueError" : (e as Error).constructor.name;
    }
  });
  assert.deepEqual(got, JSON.parse(py.out));
});

test("adversary13a A13a-6: an unverified context reaches a self-signed server and its getpeercert() is {} (unverified), as CPython's; with cafile and CERT_REQUIRED it refuses an untrusted one", async () => {
  const certs = await make_certs();
  const SERVER = `
import socket, ssl, sys
d = sys.argv[1]
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
for name in ("self", "untrusted") * 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(f"{d}/{name}.pem", f"{d}/{name}.key")
    raw, _ = srv.accept(); raw.settimeout(10)
    try:
        with ctx.wrap_socket(raw, server_side=True) as s: s.sendall(b"hi"); s.recv(1)
    except Exception: raw.close()
`;
  const srv = await python_server(SERVER, certs.dir);
  const port = Number(srv.first);
  const twin = await python(
    `
import json, socket, ssl, sys
d, port = sys.argv[1], int(sys.argv[2])
out = []
for kw in ({}, {"cafile": f"{d}/ca.pem", "cert_reqs": ssl.CERT_REQUIRED}):
    for host in ("localhost", None):
        c = ssl._create_unverified_context(**kw)
        try:
            with c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host) as s:
                out.append(["ok", s.getpeercert(), len(s.getpeercert(True)) > 0, s.recv(2).decode()])
        except ssl.SSLCertVerificationError as e: out.append(["refused", e.verify_code])
print(json.dumps(out))
`,
    certs.dir,
    String(port),
  );
  assert.equal(twin.code, 0, twin.err);
  const want = JSON.parse(twin.out);
  const got: unknown[] = [];
  for (const kw of [{}, { cafile: certs.P("ca.pem"), cert_reqs: ssl.CERT_REQUIRED }]) {
    for (const host of ["localhost", null]) {
      const c = ssl._create_unverified_context(kw);
      try {
        const s = await c.wrap_socket(await create_connection(["127.0.0.1", port], 10), { server_hostname: host });
        got.push([
          "ok",
          s.getpeercert(),
          (s.getpeercert(true) as Uint8Array).length > 0,
          new TextDecoder().decode(await s.recv(2)),
        ]);
        s.close();
      } catch (e) {
        got.push(e instanceof ssl.SSLCertVerificationError ? ["refused", e.verify_code] : String(e));
      }
    }
  }
  await srv.rest();
  assert.deepEqual(got, want);
  assert.deepEqual(want.map((w: unknown[]) => w[0]), ["ok", "ok", "refused", "refused"]);
});
