// adv18b: the match_hostname-free and match_hostname paths on hostile certificates decoded as each side decodes them:
// CPython's ssl._ssl._test_decode_cert() and ssl.match_hostname() beside pysocket's getpeercert() dict (the
// decoder it uses) and match_hostname(), for wildcards (*.a.test, a*.test, *.test, *.*.test, *, a wildcard in an
// xn-- label), an IP address as a DNS name and as an IP SAN, trailing dots, upper case, commonName-only and
// commonName beside SANs, a NUL inside a DNS name and a commonName, an empty SAN list. Also the handshake's own host
// check with hostname_checks_common_name off (CPython 3.11: a commonName is never used then).

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { to_python_cert } from "../_ssl_cert.ts";
import { type Case, CertShop, cpython_verdicts, gn, pysocket_verdict, san_der } from "./_adversary2.ts";
import { python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const EKU = "extendedKeyUsage=serverAuth";
const ip = (...b: number[]) => gn(7, b);
const dns = (s: string) => gn(2, s);

const CERTS: [string, string, string[]][] = [
  ["w_sub", "/CN=w", [san_der(dns("*.a.test")), EKU]],
  ["w_part", "/CN=w", [san_der(dns("a*.test")), EKU]],
  ["w_tld", "/CN=w", [san_der(dns("*.test")), EKU]],
  ["w_two", "/CN=w", [san_der(dns("*.*.test")), EKU]],
  ["w_sole", "/CN=w", [san_der(dns("*")), EKU]],
  ["w_xn", "/CN=w", [san_der(dns("xn--*.test"), dns("*.xn--bcher-kva.test")), EKU]],
  ["ip_dns", "/CN=w", [san_der(dns("127.0.0.1")), EKU]],
  ["ip_ip", "/CN=w", [san_der(ip(127, 0, 0, 1)), EKU]],
  ["dot", "/CN=w", [san_der(dns("dot.test.")), EKU]],
  ["upper", "/CN=w", [san_der(dns("UP.TEST")), EKU]],
  ["cn_only", "/CN=cn.test", [EKU]],
  ["cn_wild", "/CN=*.a.test", [EKU]],
  ["cn_and_san", "/CN=cn.test", [san_der(dns("san.test")), EKU]],
  ["nul_san", "/CN=w", [san_der(dns("nul.test\0.evil.test")), EKU]],
  ["empty_san", "/CN=cn.test", [san_der(), EKU]],
  ["idn", "/CN=w", [san_der(dns("xn--bcher-kva.test")), EKU]],
];
const HOSTS = [
  "x.a.test",
  "a.test",
  "x.y.a.test",
  "ab.test",
  "x.test",
  "x.y.test",
  "anything",
  "xn--abc.test",
  "x.xn--bcher-kva.test",
  "127.0.0.1",
  "dot.test",
  "dot.test.",
  "up.test",
  "cn.test",
  "san.test",
  "nul.test",
  "xn--bcher-kva.test",
  "bücher.test",
];

const PY = `
import json, ssl, sys, warnings
warnings.simplefilter("ignore")
d, names, hosts = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
out = {}
for n in names:
    c = ssl._ssl._test_decode_cert(d + "/" + n + ".crt")
    out[n] = json.loads(json.dumps({k: c[k] for k in ("subject", "subjectAltName") if k in c}))
    for h in hosts:
        try:
            ssl.match_hostname(c, h); r = "ok"
        except Exception as e:
            r = type(e).__name__ + ": " + str(e)
        out[n + " " + h] = r
print(json.dumps(out))
`;

function outcome(fn: () => void): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    const name = (e as Error).name === "SSLCertVerificationError" ? "SSLCertVerificationError" : (e as Error).name;
    return `${name}: ${(e as Error).message}`;
  }
}

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv18b_mh_");
  for (const [name, subj, ext] of CERTS) await s.leaf(name, subj, "ca", ext);
  return shop = s;
}

test("adv18b: getpeercert() dicts of hostile certificates and match_hostname() on them, as CPython's", async () => {
  const s = await certs();
  const names = CERTS.map((c) => c[0]);
  const py = await python(PY, s.dir, JSON.stringify(names), JSON.stringify(HOSTS));
  assert.equal(py.code, 0, py.err);
  const want = JSON.parse(py.out.trim()) as Record<string, unknown>;
  const got: Record<string, unknown> = {};
  for (const n of names) {
    const c = to_python_cert(ssl.PEM_cert_to_DER_cert(Deno.readTextFileSync(s.P(`${n}.crt`)))) as unknown as Record<
      string,
      unknown
    >;
    got[n] = JSON.parse(JSON.stringify({
      subject: c.subject,
      ...(c.subjectAltName ? { subjectAltName: c.subjectAltName } : {}),
    }));
    for (const h of HOSTS) got[`${n} ${h}`] = outcome(() => ssl.match_hostname(c as unknown as ssl.PeerCertificate, h));
  }
  const diffs = Object.keys(want).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k])).map((k) =>
    `${k}: pysocket ${JSON.stringify(got[k])}, CPython ${JSON.stringify(want[k])}`
  );
  const passed = Object.keys(want).filter((k) => want[k] === "ok");
  console.log(
    `${Object.keys(want).length} decodes and match_hostname() calls compared; CPython matches: ${passed.join(", ")}`,
  );
  assert.deepEqual(diffs, []);
});

const PY_CN = `
import json, ssl, sys
d, names, hosts = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
out = {}
for n in names:
    for h in hosts:
        s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(d + "/" + n + ".pem", d + "/" + n + ".key")
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(d + "/ca.crt")
        c.hostname_checks_common_name = False
        ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
        cl = c.wrap_bio(ci, co, server_hostname=h); sv = s.wrap_bio(si, so, server_side=True)
        r = "stuck"
        for _ in range(10):
            try:
                cl.do_handshake(); r = "ok"; break
            except ssl.SSLWantReadError: pass
            except ssl.SSLCertVerificationError as e: r = e.verify_code; break
            si.write(co.read())
            try: sv.do_handshake()
            except ssl.SSLError: pass
            ci.write(so.read())
        out[n + " " + h] = r
print(json.dumps(out))
`;

test("adv18b: hostname_checks_common_name=False: a commonName never matches, as CPython 3.11's", async () => {
  const s = await certs();
  const names = ["cn_only", "cn_wild", "cn_and_san", "empty_san", "w_sub"];
  const hosts = ["cn.test", "x.a.test", "san.test"];
  const py = await python(PY_CN, s.dir, JSON.stringify(names), JSON.stringify(hosts));
  assert.equal(py.code, 0, py.err);
  const want = JSON.parse(py.out.trim()) as Record<string, unknown>;
  const diffs: string[] = [];
  for (const n of names) {
    for (const h of hosts) {
      const [a, b] = await socketpair();
      a.settimeout(10);
      b.settimeout(10);
      const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      sctx.load_cert_chain(s.P(`${n}.pem`), s.P(`${n}.key`));
      const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      cctx.load_verify_locations(s.P("ca.crt"));
      cctx.hostname_checks_common_name = false;
      const served = sctx.wrap_socket(b, { server_side: true }).then((x) => x.close(), () => {});
      let v: unknown;
      try {
        const c = await cctx.wrap_socket(a, { server_hostname: h });
        v = "ok";
        c.close();
      } catch (e) {
        v = (e as { verify_code?: number }).verify_code ?? (e as Error).name;
      }
      a.close();
      b.close();
      await served;
      if (JSON.stringify(v) !== JSON.stringify(want[`${n} ${h}`])) {
        diffs.push(`${n} ${h}: pysocket ${v}, CPython ${want[`${n} ${h}`]}`);
      }
    }
  }
  assert.deepEqual(diffs, []);
});

test("adv18b: the handshake's host check (check_hostname) on the same hostile certificates and names, as CPython's", async () => {
  const s = await certs();
  const cases: Case[] = CERTS.flatMap(([cert]) => HOSTS.map((host) => ({ cert, ca: "ca", host })));
  const want = await cpython_verdicts(s.dir, cases);
  const diffs: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    const got = await pysocket_verdict(s.dir, cases[i]!);
    if (String(got) !== String(want[i])) {
      diffs.push(`${cases[i]!.cert} ${cases[i]!.host}: pysocket ${got}, CPython ${want[i]}`);
    }
  }
  console.log(
    `${cases.length} handshakes; CPython accepts: ${
      cases.filter((_, i) => want[i] === "ok").map((c) => `${c.cert} ${c.host}`).join(", ")
    }`,
  );
  assert.deepEqual(diffs, []);
});
