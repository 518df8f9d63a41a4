// adv9b: TLS versions a context asks for are the versions spoken, beside CPython: minimum_version =
// MAXIMUM_SUPPORTED means TLS 1.3 only (pysocket read it as 1.2 before: a client that demanded the newest version
// would settle for 1.2), and a PROTOCOL_TLSv1_2 context speaks TLS 1.2 only, as client and as server.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const SERVER = `
import socket, ssl, sys, threading
d, setup = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2) if setup == "tls12" else ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
if setup == "max12": ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if setup == "min13": ctx.minimum_version = ssl.TLSVersion.TLSv1_3
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
for _ in range(2):
    raw, _a = srv.accept(); raw.settimeout(10)
    try:
        with ctx.wrap_socket(raw, server_side=True) as s: s.sendall(s.version().encode()); s.recv(1)
    except Exception: raw.close()
`;

const CLIENT = `
import json, socket, ssl, sys, warnings
warnings.simplefilter("ignore")
d, port, setup = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if setup == "tls12":
    c = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
else:
    c = ssl.create_default_context(cafile=d + "/ca.pem")
if setup == "min_max_supported": c.minimum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
if setup == "min_min_supported": c.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with c.wrap_socket(raw, server_hostname="localhost") as s:
            print(json.dumps(["ok", s.version(), s.recv(10).decode()]))
except ssl.SSLError as e:
    print(json.dumps(["SSLError"]))
`;

function client_context(certs: { P(n: string): string }, setup: string): ssl.SSLContext {
  if (setup === "tls12") return new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2);
  const c = ssl.create_default_context({ cafile: certs.P("ca.pem") });
  if (setup === "min_max_supported") c.minimum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED;
  if (setup === "min_min_supported") c.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED;
  return c;
}

test("adversary9b: minimum_version=MAXIMUM_SUPPORTED and PROTOCOL_TLSv1_2 clients speak exactly the versions CPython's do", async () => {
  const certs = await make_certs();
  const cases: [string, string][] = [
    ["max12", "min_max_supported"],
    ["default", "min_max_supported"],
    ["default", "min_min_supported"],
    ["default", "tls12"],
    ["min13", "tls12"],
    ["tls12", "default"],
  ];
  for (const [server, client] of cases) {
    const srv = await python_server(SERVER, certs.dir, server);
    try {
      const port = Number(srv.first);
      let ours: unknown[];
      try {
        using s = await client_context(certs, client).wrap_socket(await create_connection(["127.0.0.1", port], 10), {
          server_hostname: "localhost",
        });
        ours = ["ok", s.version(), new TextDecoder().decode(await s.recv(10))];
      } catch (e) {
        ours = [e instanceof ssl.SSLError ? "SSLError" : (e as Error).name];
      }
      const r = await python(CLIENT, certs.dir, String(port), client);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(ours, JSON.parse(r.out.trim()), `server ${server}, client ${client}`);
    } finally {
      srv.kill();
      await srv.rest();
    }
  }
});

test("adversary9b: a PROTOCOL_TLSv1_2 server speaks TLS 1.2 to CPython's default client, as CPython's does", async () => {
  const certs = await make_certs();
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2);
  ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  using lsn = create_server(["127.0.0.1", 0]);
  const serving = (async () => {
    const [raw] = await lsn.accept();
    raw.settimeout(10);
    using s = await ctx.wrap_socket(raw, { server_side: true });
    await s.sendall(new TextEncoder().encode(s.version()!));
    await s.recv(1);
  })();
  const r = await python(CLIENT, certs.dir, String(lsn.getsockname()[1]), "default");
  await serving;
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out.trim()), ["ok", "TLSv1.2", "TLSv1.2"]);
});
