// adv13a (A13a-3): certificate revocation lists. CPython's load_verify_locations() loads the CRLs of a cafile (a file
// with only a CRL too) and cert_store_stats() counts them; pysocket refused a CRL-only file
// (NO_CERTIFICATE_OR_CRL_FOUND) and counted none. Loading now matches; and since Deno's TLS cannot check CRLs,
// switching the checks on (VERIFY_CRL_CHECK_LEAF / _CHAIN) raises, so a revoked server is never accepted silently
// (CPython refuses it with verify_code 23).

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { ca_config, CA_EXT, ca_leaf, cert_dir, openssl, python, self_signed } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** A CA, a server certificate it revoked, and its CRL: ca.pem, crl.pem, ca_crl.pem (both), server.pem/.key. */
async function revoked(): Promise<string> {
  const dir = cert_dir("pysocket_adv13a_crl_");
  await self_signed(dir, "ca.key", "ca.pem", "/CN=adv13a crl CA", { ext: CA_EXT });
  ca_config(dir, "ca.cnf", "db", [
    "[leaf]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth,clientAuth",
  ], { extra: ["crlnumber = db/crlnumber", "default_crl_days = 2"] });
  Deno.writeTextFileSync(`${dir}/db/crlnumber`, "01\n");
  await ca_leaf(dir, "server", "/CN=localhost", {
    cnf: "ca.cnf",
    issuer_cert: "ca.pem",
    issuer_key: "ca.key",
    ext: "leaf",
    dates: ["-days", "2"],
  });
  await openssl(dir, "ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-revoke", "server.pem");
  await openssl(dir, "ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-gencrl", "-out", "crl.pem");
  Deno.writeTextFileSync(
    `${dir}/ca_crl.pem`,
    Deno.readTextFileSync(`${dir}/ca.pem`) + Deno.readTextFileSync(`${dir}/crl.pem`),
  );
  Deno.writeTextFileSync(`${dir}/bad_crl.pem`, "-----BEGIN X509 CRL-----\n@@@@\n-----END X509 CRL-----\n");
  return dir;
}

const FILES = ["crl.pem", "ca_crl.pem", "ca.pem", "bad_crl.pem"];

test("adversary13a A13a-3: load_verify_locations() loads a cafile's CRLs and cert_store_stats() counts them, as CPython's", async () => {
  const dir = await revoked();
  const py = await python(
    `
import json, ssl, sys
d = sys.argv[1]
out = []
for files in json.loads(sys.argv[2]):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        for f in files: c.load_verify_locations(f"{d}/{f}")
        out.append(["ok", c.cert_store_stats()])
    except ssl.SSLError as e: out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`,
    dir,
    JSON.stringify([...FILES.map((f) => [f]), ["crl.pem", "crl.pem"], ["crl.pem", "ca_crl.pem"]]),
  );
  assert.equal(py.code, 0, py.err);
  const got: unknown[] = [];
  for (const files of [...FILES.map((f) => [f]), ["crl.pem", "crl.pem"], ["crl.pem", "ca_crl.pem"]]) {
    const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    try {
      for (const f of files) c.load_verify_locations(`${dir}/${f}`);
      got.push(["ok", c.cert_store_stats()]);
    } catch (e) {
      got.push([(e as Error).constructor.name, (e as Error).message]);
    }
  }
  assert.deepEqual(got, JSON.parse(py.out));
});

test("adversary13a A13a-3: CRL checks cannot be switched on (CPython refuses the revoked server with 23; pysocket raises, never accepts it)", async () => {
  const dir = await revoked();
  using l = create_server(["127.0.0.1", 0]);
  const port = (l.getsockname() as [string, number])[1];
  const served = (async () => {
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
    const [raw] = await l.accept();
    raw.settimeout(10);
    try {
      (await sctx.wrap_socket(raw, { server_side: true })).close();
    } catch {
      raw.close();
    }
  })();
  const py = await python(
    `
import socket, ssl, sys
d, port = sys.argv[1], int(sys.argv[2])
c = ssl.create_default_context(cafile=f"{d}/ca_crl.pem")
c.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
try:
    c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
    print("accepted")
except ssl.SSLCertVerificationError as e: print(e.verify_code, e.verify_message)
`,
    dir,
    String(port),
  );
  await served;
  assert.equal(py.out.trim(), "23 certificate revoked");
  for (const flag of [ssl.VERIFY_CRL_CHECK_LEAF, ssl.VERIFY_CRL_CHECK_CHAIN]) {
    const c = ssl.create_default_context({ cafile: `${dir}/ca_crl.pem` });
    assert.throws(() => c.verify_flags |= flag, (e: unknown) => e instanceof ssl.OSError && e.errno === 95);
    assert.equal(c.verify_flags, ssl.VERIFY_X509_TRUSTED_FIRST);
  }
});
