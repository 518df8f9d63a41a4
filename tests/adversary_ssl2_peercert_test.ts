// The second security adversary: getpeercert() of odd certificates against
// CPython's. A name that holds ", DNS:" (or an e-mail address that holds
// ", URI:") must stay one subjectAltName entry: pysocket once rebuilt the
// dict from node:crypto's text, so such a certificate showed a forged
// second entry to a program that authorizes by getpeercert() (finding S10,
// fixed in _ssl_cert.ts). Also multi-valued RDNs, UTF-8 names, every
// attribute type openssl writes, 300 DNS names, every GeneralName type,
// IPv6 and malformed IP entries, v1 certificates, OCSP / caIssuers / CRL
// distribution points; and binary_form against the file.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import { PEM_cert_to_DER_cert, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { CertShop, gn, san_der } from "./_adversary2.ts";

const test = test_needing("python3", "openssl");

const oid = (...b: number[]) => gn(8, b); // registeredID
const other = [0xa0, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x04, 0xa0, 0x04, 0x0c, 0x02, 0x68, 0x69]; // otherName 1.2.3.4 "hi"
const dirname = [0xa4, 0x0f, 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 0x64, 0x6e];

/** [name, subject, extension lines]. */
const CERTS: [string, string, string[]][] = [
  ["inject", "/CN=x+CN=admin/O=a, b/OU=line1\\nCN=admin/CN=ünï", [
    san_der(
      gn(2, "a.example, DNS:evil.example"),
      gn(1, "x@y, URI:http://evil"),
      gn(7, [...Array(15).fill(0), 1]),
      gn(6, "http://u.example/p"),
    ),
    "authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/ca.crt",
    "crlDistributionPoints=URI:http://crl.example/c.crl",
  ]],
  ["kinds", "/CN=kinds", [
    san_der(
      ...Array.from({ length: 300 }, (_, i) => gn(2, `h${i}.example`)),
      gn(7, [127, 0, 0, 1]),
      gn(7, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd]),
      gn(7, [1, 2, 3, 4, 5]),
      gn(1, "user@example.org"),
      gn(6, "https://example.org/ü"),
      dirname,
      oid(0x2a, 0x03, 0x04),
      other,
    ),
  ]],
  [
    "attrs",
    "/C=DE/ST=Bayern/L=München/O=Org/OU=u1/OU=u2/CN=name/emailAddress=a@b.example/serialNumber=123/DC=example/DC=com" +
    "/street=Main 1/title=Dr/SN=Sur/GN=Giv/initials=X/generationQualifier=III/dnQualifier=q/pseudonym=p/UID=uid1" +
    "/businessCategory=bc/postalCode=12345/jurisdictionC=DE/1.2.3.4.5=unknown",
    ["subjectAltName=DNS:attrs.example"],
  ],
  ["v1", "/CN=version one", []],
];

const PY = `
import json, ssl, sys
d = sys.argv[1]
out = {}
for name in sys.argv[2:]:
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(f"{d}/{name}.pem", f"{d}/{name}.key")
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.load_verify_locations(f"{d}/ca.crt")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="localhost"); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        try:
            cl.do_handshake(); break
        except ssl.SSLWantReadError: pass
        si.write(co.read())
        try: sv.do_handshake()
        except ssl.SSLError: pass
        ci.write(so.read())
    out[name] = cl.getpeercert()
print(json.dumps(out))
`;

test("adversary2: getpeercert() of odd certificates equals CPython's (no forged subjectAltName entry, multi-valued RDNs, every GeneralName, v1, AIA, CRL points)", async () => {
  const shop = await CertShop.open("pysocket_adv2_pc_");
  for (const [name, subj, ext] of CERTS) await shop.leaf(name, subj, "ca", ext, { extra: ["-utf8"] });
  const o = await new Deno.Command("python3", {
    args: ["-c", PY, shop.dir, ...CERTS.map(([n]) => n)],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.ok(o.success, new TextDecoder().decode(o.stderr));
  const want = JSON.parse(new TextDecoder().decode(o.stdout)) as Record<string, unknown>;
  for (const [name] of CERTS) {
    const [a, b] = await socketpair();
    try {
      const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
      sctx.load_cert_chain(shop.P(`${name}.pem`), shop.P(`${name}.key`));
      const c = new SSLContext(PROTOCOL_TLS_CLIENT);
      c.check_hostname = false;
      c.load_verify_locations(shop.P("ca.crt"));
      const [cs, ss] = await Promise.all([
        c.wrap_socket(a, { server_hostname: "localhost" }),
        sctx.wrap_socket(b, { server_side: true }),
      ]);
      assert.deepEqual(JSON.parse(JSON.stringify(cs.getpeercert())), want[name], name);
      assert.deepEqual(cs.getpeercert(true), PEM_cert_to_DER_cert(Deno.readTextFileSync(shop.P(`${name}.crt`))), name);
      cs.close();
      ss.close();
    } finally {
      a.close();
      b.close();
    }
  }
});
