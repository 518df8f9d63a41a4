// adv7: load_cert_chain() with a private key of another type than the
// certificate's (an EC key for an RSA certificate, an Ed25519 key for
// either) fails as CPython's does: OpenSSL files the key under its own type's
// slot, which has no certificate (NO_CERTIFICATE_ASSIGNED, errno 177), while
// a key of the same type that does not match is KEY_VALUES_MISMATCH (116).

import assert from "node:assert/strict";
import { PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

function openssl(...args: string[]): void {
  const out = new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

test("adversary7: load_cert_chain() with a key of another type than the certificate's raises CPython's SSLError (NO_CERTIFICATE_ASSIGNED)", () => {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-adv7-ssl-" });
  try {
    const p = (f: string) => `${dir}/${f}`;
    for (const name of ["rsa", "rsa2"]) {
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        p(`${name}.key`),
        "-out",
        p(`${name}.crt`),
        "-subj",
        "/CN=localhost",
        "-days",
        "2",
      );
    }
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("ec.key"));
    openssl("req", "-x509", "-key", p("ec.key"), "-out", p("ec.crt"), "-subj", "/CN=localhost", "-days", "2");
    openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", p("ec384.key"));
    openssl("genpkey", "-algorithm", "ed25519", "-out", p("ed.key"));
    const pairs = [
      ["rsa.crt", "ec.key"],
      ["ec.crt", "rsa.key"],
      ["rsa.crt", "ed.key"],
      ["ec.crt", "ed.key"],
      ["rsa.crt", "rsa2.key"],
      ["ec.crt", "ec384.key"],
      ["rsa.crt", "rsa.key"],
    ].map(([c, k]) => [p(c!), p(k!)]);
    const py = new Deno.Command("python3", {
      args: [
        "-c",
        `import json, ssl, sys
out = []
for c, k in json.loads(sys.argv[1]):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try: ctx.load_cert_chain(c, k); out.append(["ok"])
    except ssl.SSLError as e: out.append([type(e).__name__, e.errno, e.library, e.reason, str(e)])
print(json.dumps(out))`,
        JSON.stringify(pairs),
      ],
      stdout: "piped",
    }).outputSync();
    assert.ok(py.success);
    const want = JSON.parse(new TextDecoder().decode(py.stdout));
    const got = pairs.map(([c, k]) => {
      const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
      try {
        ctx.load_cert_chain(c!, k!);
        return ["ok"];
      } catch (e) {
        const o = e as { name: string; errno: number; library: string; reason: string; message: string };
        return [o.name, o.errno, o.library, o.reason, o.message];
      }
    });
    assert.deepEqual(got, want);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
