// adv9b: SSLSocket.cipher() names the suite as CPython does (OpenSSL's name, its protocol, its secret bits), for
// each of the nine suites Deno's TLS speaks, with ECDSA and RSA certificates. pysocket gave TLS 1.2 suites their
// IANA names (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) and read the bits off the name, so every *_SHA256 suite
// (AES-128 ones included, TLS 1.3's TLS_AES_128_GCM_SHA256 too) said 256.

import assert from "node:assert/strict";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { ca_leaf, make_certs, python, python_server, RSA_KEY } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const SERVER = `
import socket, ssl, sys
d, cert, suite = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
if suite.startswith("TLS_"):
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3  # TLS 1.3 suites: the client's preference picks (see below)
else:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2; ctx.set_ciphers(suite)
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
for _ in range(2):
    raw, _a = srv.accept(); raw.settimeout(10)
    try:
        with ctx.wrap_socket(raw, server_side=True) as s: s.sendall(b"x"); s.recv(1)
    except Exception: raw.close()
`;

const CLIENT = `
import json, socket, ssl, sys
d, port = sys.argv[1], int(sys.argv[2])
c = ssl.create_default_context(cafile=d + "/ca.pem")
with c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost") as s:
    s.recv(1); print(json.dumps(s.cipher()))
`;

test("adversary9b: cipher() names TLS 1.2 suites (ECDSA and RSA) as CPython's: OpenSSL's name, TLSv1.2, the secret bits", async () => {
  const certs = await make_certs();
  await ca_leaf(certs.dir, "rsa_server", "/CN=localhost", {
    cnf: "ca.cnf",
    issuer_cert: "ca.pem",
    issuer_key: "ca.key",
    ext: "good",
    dates: ["-days", "2"],
    newkey: RSA_KEY,
  });
  const cases: [string, string][] = [];
  for (const enc of ["AES128-GCM-SHA256", "AES256-GCM-SHA384", "CHACHA20-POLY1305"]) {
    cases.push(["server", `ECDHE-ECDSA-${enc}`], ["rsa_server", `ECDHE-RSA-${enc}`]);
  }
  for (const [cert, suite] of cases) {
    const srv = await python_server(SERVER, certs.dir, cert, suite);
    try {
      const c = ssl.create_default_context({ cafile: certs.P("ca.pem") });
      const s = await c.wrap_socket(await create_connection(["127.0.0.1", Number(srv.first)], 10), {
        server_hostname: "localhost",
      });
      await s.recv(1);
      const ours = s.cipher();
      s.close();
      const r = await python(CLIENT, certs.dir, srv.first);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(ours, JSON.parse(r.out.trim()), suite);
      assert.equal(ours![0], suite);
    } finally {
      srv.kill();
      await srv.rest();
    }
  }
});

test("adversary9b: cipher() of TLS 1.3 suites, as an openssl s_server picks them, is CPython's triple (128 bits for AES-128)", async () => {
  const certs = await make_certs();
  for (const suite of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]) {
    const port = await free_port();
    const child = new Deno.Command("openssl", {
      args: [
        "s_server",
        "-accept",
        `127.0.0.1:${port}`,
        "-cert",
        certs.P("server.pem"),
        "-key",
        certs.P("server.key"),
        "-tls1_3",
        "-ciphersuites",
        suite,
        "-naccept",
        "2",
        "-quiet",
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let s: ssl.SSLSocket | null = null;
      for (let i = 0; i < 100 && s === null; i++) {
        try {
          const c = ssl.create_default_context({ cafile: certs.P("ca.pem") });
          s = await c.wrap_socket(await create_connection(["127.0.0.1", port], 5), { server_hostname: "localhost" });
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.ok(s, "openssl s_server did not start");
      const ours = s.cipher();
      s.close();
      const r = await python(
        `
import json, socket, ssl, sys
c = ssl.create_default_context(cafile=sys.argv[1] + "/ca.pem")
with c.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10), server_hostname="localhost") as s:
    print(json.dumps(s.cipher()))
`,
        certs.dir,
        String(port),
      );
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(ours, JSON.parse(r.out.trim()), suite);
      assert.equal(ours![0], suite);
    } finally {
      try {
        child.kill();
      } catch { /* ended */ }
      await child.status;
    }
  }
});

async function free_port(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await new Promise((r) => setTimeout(r, 10));
  return port;
}
