// The errors of load_cert_chain() and load_verify_locations() for files and data that are not what they
// should be, against CPython's (exact str(e), errno, library, reason): a "key" file that is really a
// certificate, a garbage key or certfile, a wrong password, a garbage cafile, cadata that is garbage text,
// garbage bytes, a broken PEM body, or empty. Found by the adversary probe (A5-3, A5-4): pysocket's texts
// carried its own detail ("[SSL] PEM lib (no private key)") where CPython names the C line
// ("[SSL] PEM lib (_ssl.c:3926)", errno 524297), cadata="garbage" read "[X509: NO_CERTIFICATE_OR_CRL_FOUND] ..."
// (CPython: "no start line: cadata does not contain a certificate (_ssl.c:4020)", errno 0), a garbage cafile
// read "[SSL] PEM lib (no certificate in cafile)", and empty cadata was no ValueError. Fixed in
// ssl.ts/_ssl_cert.ts.

import assert from "node:assert/strict";
import { localhost_cert } from "./_ssl_fixtures.ts";
import { missing } from "./_socket_fixtures.ts";
import { PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";

function what(f: () => void): unknown[] {
  try {
    f();
    return ["ok"];
  } catch (e) {
    const x = e as Error & { errno?: number | null; library?: string | null; reason?: string | null };
    // pysocket raises RangeError for Python's ValueError.
    const name = x instanceof RangeError ? "ValueError" : x.name;
    return [name, x.errno ?? null, x.message, x.library ?? null, x.reason ?? null];
  }
}

Deno.test({
  name: "load_cert_chain()/load_verify_locations() refuse bad files and cadata with CPython's exact errors",
  ignore: missing("python3", "openssl"),
  async fn() {
    const { cert, key } = await localhost_cert("pysocket_a5_");
    const dir = await Deno.makeTempDir({ prefix: "pysocket_a5_" });
    try {
      const garbage = `${dir}/garbage.pem`;
      Deno.writeTextFileSync(garbage, "garbage\n");
      const enc_key = `${dir}/enc.key`, enc_crt = `${dir}/enc.crt`;
      for (
        const args of [
          ["genrsa", "-aes128", "-passout", "pass:pw", "-out", enc_key, "2048"],
          [
            "req",
            "-new",
            "-x509",
            "-key",
            enc_key,
            "-passin",
            "pass:pw",
            "-out",
            enc_crt,
            "-subj",
            "/CN=x",
            "-days",
            "2",
          ],
        ]
      ) {
        const r = new Deno.Command("openssl", { args, stdout: "null", stderr: "null" }).outputSync();
        assert.equal(r.code, 0, args.join(" "));
      }
      const broken_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
      const cases: [string, string][] = [
        ["cert=garbage", `s.load_cert_chain(${JSON.stringify(garbage)}, ${JSON.stringify(key)})`],
        ["key=garbage", `s.load_cert_chain(${JSON.stringify(cert)}, ${JSON.stringify(garbage)})`],
        ["key=cert", `s.load_cert_chain(${JSON.stringify(cert)}, ${JSON.stringify(cert)})`],
        ["no key", `s.load_cert_chain(${JSON.stringify(cert)})`],
        ["wrong password", `s.load_cert_chain(${JSON.stringify(enc_crt)}, ${JSON.stringify(enc_key)}, "bad")`],
        ["cafile=garbage", `s.load_verify_locations(${JSON.stringify(garbage)})`],
        ["cadata='garbage'", `s.load_verify_locations(cadata="garbage")`],
        ["cadata=b'garbage'", `s.load_verify_locations(cadata=b"garbage")`],
        ["cadata=broken PEM", `s.load_verify_locations(cadata=${JSON.stringify(broken_pem)})`],
        ["cadata='  '", `s.load_verify_locations(cadata="  ")`],
        ["cadata=''", `s.load_verify_locations(cadata="")`],
        ["cadata=b''", `s.load_verify_locations(cadata=b"")`],
      ];
      const py = new Deno.Command("python3", {
        args: [
          "-c",
          `import json, ssl
out = []
for call in json.loads(${JSON.stringify(JSON.stringify(cases.map((c) => c[1])))}):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # a fresh one each: OpenSSL keeps what a failed call loaded
    try:
        eval(call); out.append(["ok"])
    except Exception as e:
        out.append([type(e).__name__, getattr(e, "errno", None), str(e), getattr(e, "library", None), getattr(e, "reason", None)])
print(json.dumps(out))`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      assert.equal(py.code, 0, new TextDecoder().decode(py.stderr));
      const want = JSON.parse(new TextDecoder().decode(py.stdout)) as unknown[];
      const fresh = () => new SSLContext(PROTOCOL_TLS_SERVER);
      const enc = new TextEncoder();
      const got = [
        what(() => fresh().load_cert_chain(garbage, key)),
        what(() => fresh().load_cert_chain(cert, garbage)),
        what(() => fresh().load_cert_chain(cert, cert)),
        what(() => fresh().load_cert_chain(cert)),
        what(() => fresh().load_cert_chain(enc_crt, enc_key, "bad")),
        what(() => fresh().load_verify_locations(garbage)),
        what(() => fresh().load_verify_locations(null, null, "garbage")),
        what(() => fresh().load_verify_locations(null, null, enc.encode("garbage"))),
        what(() => fresh().load_verify_locations(null, null, broken_pem)),
        what(() => fresh().load_verify_locations(null, null, "  ")),
        what(() => fresh().load_verify_locations(null, null, "")),
        what(() => fresh().load_verify_locations(null, null, new Uint8Array(0))),
      ];
      for (let i = 0; i < cases.length; i++) {
        assert.deepEqual(got[i], want[i], cases[i]![0]);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
