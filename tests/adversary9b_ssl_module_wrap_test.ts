// adv9b: Python 3.11's module-level ssl.wrap_socket() (deprecated, removed in 3.12; common in older programs) was
// missing. It is CPython's: SSLContext(ssl_version) with verify_mode = cert_reqs (CERT_NONE by default, so nothing
// is verified), ca_certs and certfile/keyfile loaded; its errors are CPython's. Each scenario beside CPython's.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const PY_SERVER = `
import socket, ssl, sys, warnings
warnings.simplefilter("ignore")
d = sys.argv[1]
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
for _ in range(4):
    raw, _a = srv.accept(); raw.settimeout(10)
    try:
        with ssl.wrap_socket(raw, certfile=d + "/server.pem", keyfile=d + "/server.key", server_side=True) as s:
            s.sendall(b"hi " + s.version().encode()); s.recv(1)
    except Exception: raw.close()
`;

const PY_CLIENT = `
import json, socket, ssl, sys, warnings
warnings.simplefilter("ignore")
d, port = sys.argv[1], int(sys.argv[2])
out = []
for kw in [dict(), dict(cert_reqs=ssl.CERT_REQUIRED, ca_certs=d + "/ca.pem"), dict(cert_reqs=ssl.CERT_REQUIRED, ca_certs=d + "/other.pem"),
           dict(ssl_version=ssl.PROTOCOL_TLSv1_2)]:
    try:
        with ssl.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), **kw) as s:
            out.append(["ok", s.recv(20).decode(), s.getpeercert() == {}, s.server_hostname, s.context.check_hostname])
    except ssl.SSLError as e:
        out.append([type(e).__name__, getattr(e, "verify_code", None)])
print(json.dumps(out))
`;

test("adversary9b: the module-level wrap_socket() connects, verifies only when asked, and serves, as CPython 3.11's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  // pysocket clients against CPython's module-level server.
  const srv = await python_server(PY_SERVER, d);
  const ours: unknown[] = [];
  try {
    const port = Number(srv.first);
    const kws: ssl.ModuleWrapSocketOptions[] = [
      {},
      { cert_reqs: ssl.CERT_REQUIRED, ca_certs: `${d}/ca.pem` },
      { cert_reqs: ssl.CERT_REQUIRED, ca_certs: `${d}/other.pem` },
      { ssl_version: ssl.PROTOCOL_TLSv1_2 },
    ];
    for (const kw of kws) {
      try {
        const s = await ssl.wrap_socket(await create_connection(["127.0.0.1", port], 10), kw);
        const cert = s.getpeercert();
        ours.push([
          "ok",
          new TextDecoder().decode(await s.recv(20)),
          cert !== null && Object.keys(cert).length === 0,
          s.server_hostname,
          s.context.check_hostname,
        ]);
        s.close();
      } catch (e) {
        ours.push([(e as Error).name, (e as { verify_code?: number }).verify_code ?? null]);
      }
    }
  } finally {
    srv.kill();
    await srv.rest();
  }
  // CPython's clients against CPython's server: the twin.
  const srv2 = await python_server(PY_SERVER, d);
  let theirs: unknown;
  try {
    const r = await python(PY_CLIENT, d, srv2.first);
    assert.equal(r.code, 0, r.err);
    theirs = JSON.parse(r.out.trim());
  } finally {
    srv2.kill();
    await srv2.rest();
  }
  assert.deepEqual(ours, theirs);

  // A pysocket module-level server against CPython's clients.
  using l = create_server(["127.0.0.1", 0]);
  const serving = (async () => {
    for (let i = 0; i < 4; i++) {
      const [raw] = await l.accept();
      raw.settimeout(10);
      try {
        using s = await ssl.wrap_socket(raw, {
          certfile: `${d}/server.pem`,
          keyfile: `${d}/server.key`,
          server_side: true,
        });
        await s.sendall(new TextEncoder().encode("hi " + s.version()));
        await s.recv(1);
      } catch {
        raw.close();
      }
    }
  })();
  const r = await python(PY_CLIENT, d, String(l.getsockname()[1]));
  await serving;
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out.trim()), theirs);
});

test("adversary9b: the module-level wrap_socket()'s argument errors are CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const outcome = async (f: () => Promise<unknown>) => {
    try {
      await f();
      return ["ok"];
    } catch (e) {
      return [(e as Error).name === "RangeError" ? "ValueError" : (e as Error).name, (e as Error).message];
    }
  };
  using l = create_server(["127.0.0.1", 0]);
  const conn = () => create_connection(l.getsockname() as [string, number]);
  const ours = [
    await outcome(async () => ssl.wrap_socket(await conn(), { server_side: true })),
    await outcome(async () => ssl.wrap_socket(await conn(), { keyfile: `${d}/server.key` })),
    await outcome(async () => ssl.wrap_socket(await conn(), { cert_reqs: 5 })),
    await outcome(async () => ssl.wrap_socket(await conn(), { ssl_version: 99 })),
    await outcome(async () => ssl.wrap_socket(await conn(), { ca_certs: `${d}/missing.pem` })),
  ];
  const r = await python(
    `
import json, socket, ssl, sys, warnings
warnings.simplefilter("ignore")
d = sys.argv[1]
l = socket.create_server(("127.0.0.1", 0))
def outcome(kw):
    try: ssl.wrap_socket(socket.create_connection(l.getsockname()), **kw); return ["ok"]
    except Exception as e: return [type(e).__name__, str(e)]
print(json.dumps([outcome(dict(server_side=True)), outcome(dict(keyfile=d + "/server.key")), outcome(dict(cert_reqs=5)),
                  outcome(dict(ssl_version=99)), outcome(dict(ca_certs=d + "/missing.pem"))]))
`,
    d,
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(ours, JSON.parse(r.out.trim()));
});
