// The second security adversary: host-name and IP checks. Servers present
// certificates whose subjectAltName and commonName are crafted (wildcards in
// every position, IDNA, trailing dots, case, IP addresses as DNS names and
// the reverse, IPv4-mapped IPv6, e-mail/URI names beside a commonName, a NUL
// inside a name, malformed IP entries); a pysocket client checks each
// against many host names, and CPython's client checks the same server and
// name (in-memory handshakes) as the reference: the same ones must pass.

import assert from "node:assert/strict";
import { test_needing } from "./_socket_fixtures.ts";
import { type Case, CertShop, cpython_verdicts, gn, pysocket_verdict, san_der } from "./_adversary2.ts";

const test = test_needing("python3", "openssl");

const EKU = "extendedKeyUsage=serverAuth";
const ip = (...b: number[]) => gn(7, b);
const V6_1 = [...Array(15).fill(0), 1];
const MAPPED = [...Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1];

/** [name, subject, extension lines, hosts to try]. */
const CERTS: [string, string, string[], string[]][] = [
  ["w_std", "/CN=w", [san_der(gn(2, "*.example.com")), EKU], [
    "a.example.com",
    "A.EXAMPLE.COM",
    "example.com",
    "a.b.example.com",
    "*.example.com",
    "-a.example.com",
    "a-.example.com",
    "a_b.example.com",
    "xn--bcher-kva.example.com",
    "bücher.example.com",
    "a.example.com.",
    "a.example.com..",
    "a".repeat(64) + ".example.com",
    "a..example.com",
  ]],
  ["w_tld", "/CN=w", [san_der(gn(2, "*.com")), EKU], ["example.com", "a.com"]],
  ["w_mid", "/CN=w", [san_der(gn(2, "a.*.example.com")), EKU], ["a.b.example.com", "a.*.example.com"]],
  ["w_pre", "/CN=w", [san_der(gn(2, "*a.example.com")), EKU], ["ba.example.com", "a.example.com", "*a.example.com"]],
  ["w_suf", "/CN=w", [san_der(gn(2, "a*.example.com")), EKU], ["ab.example.com", "a*.example.com"]],
  ["w_two", "/CN=w", [san_der(gn(2, "**.example.com")), EKU], ["ab.example.com", "**.example.com"]],
  ["w_twolab", "/CN=w", [san_der(gn(2, "*.*.example.com")), EKU], ["a.b.example.com", "*.*.example.com"]],
  ["w_only", "/CN=w", [san_der(gn(2, "*")), EKU], ["localhost", "*"]],
  ["w_idna", "/CN=w", [san_der(gn(2, "xn--*.example.com")), EKU], ["xn--abc.example.com", "xn--.example.com"]],
  ["w_under_idna", "/CN=w", [san_der(gn(2, "*.xn--bcher-kva.example")), EKU], [
    "a.xn--bcher-kva.example",
    "a.bücher.example",
    "a.BÜCHER.example",
    "xn--a.xn--bcher-kva.example",
  ]],
  ["w_dot", "/CN=w", [san_der(gn(2, "*.example.com.")), EKU], ["a.example.com", "a.example.com."]],
  ["dot", "/CN=w", [san_der(gn(2, "example.com.")), EKU], ["example.com", "example.com."]],
  ["upper", "/CN=w", [san_der(gn(2, "EXAMPLE.COM")), EKU], ["example.com", "Example.Com"]],
  ["dns_ip", "/CN=w", [san_der(gn(2, "127.0.0.1")), EKU], ["127.0.0.1"]],
  ["ip_cn", "/CN=localhost", [san_der(ip(127, 0, 0, 1)), EKU], [
    "localhost",
    "127.0.0.1",
    "127.0.0.01",
    "0127.0.0.1",
    "127.0.0.1 ",
    "+127.0.0.1",
    "127.1",
    "::ffff:127.0.0.1",
    "LocalHost",
  ]],
  ["email_cn", "/CN=localhost", [san_der(gn(1, "a@localhost")), EKU], ["localhost"]],
  ["uri_cn", "/CN=localhost", [san_der(gn(6, "https://localhost/")), EKU], ["localhost"]],
  ["other_cn", "/CN=localhost", [san_der(gn(2, "other.example")), EKU], ["localhost", "other.example"]],
  ["empty_dns_cn", "/CN=localhost", [san_der(gn(2, "")), EKU], ["localhost"]],
  ["cn_wild", "/CN=*.example.com", [EKU], ["a.example.com", "example.com", "a.b.example.com"]],
  ["cn_two", "/CN=other/CN=localhost", [EKU], ["localhost", "other"]],
  ["cn_ip", "/CN=127.0.0.1", [EKU], ["127.0.0.1"]],
  ["cn_dot", "/CN=localhost.", [EKU], ["localhost", "localhost."]],
  ["nul", "/CN=w", [san_der(gn(2, "localhost\0.evil.example")), EKU], ["localhost", "localhost.evil.example"]],
  ["utf8_dns", "/CN=w", [san_der(gn(2, "bücher.example")), EKU], ["bücher.example", "xn--bcher-kva.example"]],
  ["v6", "/CN=w", [san_der(ip(...V6_1)), EKU], [
    "::1",
    "0:0:0:0:0:0:0:1",
    "::0.0.0.1",
    "[::1]",
    "::1%1",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "::00001",
  ]],
  ["mapped", "/CN=w", [san_der(ip(...MAPPED)), EKU], ["127.0.0.1", "::ffff:127.0.0.1", "::FFFF:7F00:1"]],
  ["ip_short", "/CN=localhost", [san_der(ip(127, 0, 0, 1, 0)), EKU], ["127.0.0.1", "localhost"]],
  ["ip_empty", "/CN=localhost", [san_der(ip()), EKU], ["localhost"]],
  ["many", "/CN=w", [san_der(...Array.from({ length: 300 }, (_, i) => gn(2, `h${i}.example`))), EKU], [
    "h0.example",
    "h299.example",
    "h300.example",
  ]],
  ["space", "/CN=w", [san_der(gn(2, "local host")), EKU], ["local host", "localhost"]],
  ["fullwidth", "/CN=w", [san_der(gn(2, "localhost")), EKU], [
    "ＬＯＣＡＬＨＯＳＴ",
    "local\u00adhost",
    "localhost\u3002",
  ]],
];

/**
 * Pairs that differ because of code outside _ssl_verify.ts (finding S3): the
 * session refuses every host name with a trailing dot before it looks at
 * the certificate (_ssl_session.ts verify_peer), and wrap_socket takes a name
 * with an empty or over-long label that CPython's idna codec refuses.
 */
const S3: [string, string][] = [
  ["dot", "example.com."],
  ["cn_dot", "localhost."],
  ["w_std", "a.example.com.."],
  ["w_std", "a".repeat(64) + ".example.com"],
  ["w_std", "a..example.com"],
];
/** Set to true once PROPOSED_S3.diff (or an equivalent) is merged. */
const S3_FIXED = true;
const in_s3 = (c: Case) => S3.some(([cert, host]) => c.cert === cert && c.host === host);

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv2_names_");
  for (const [name, subj, ext] of CERTS) await s.leaf(name, subj, "ca", ext);
  return shop = s;
}

async function compare(cases: Case[]): Promise<string[]> {
  const s = await certs();
  const want = await cpython_verdicts(s.dir, cases);
  const got: unknown[] = [];
  for (const c of cases) got.push(await pysocket_verdict(s.dir, c));
  console.log(`${cases.length} (certificate, host) pairs compared with CPython`);
  return cases.flatMap((c, i) =>
    String(got[i]) === String(want[i])
      ? []
      : [`${c.cert} ${JSON.stringify(c.host)}: pysocket ${got[i]}, CPython ${want[i]}`]
  );
}

const ALL: Case[] = CERTS.flatMap(([cert, , , hosts]) => hosts.map((host) => ({ cert, ca: "ca", host })));

test("adversary2: a pysocket client accepts exactly the host names CPython accepts, for crafted subjectAltNames and commonNames", async () => {
  assert.deepEqual(await compare(ALL.filter((c) => S3_FIXED || !in_s3(c))), []);
});

Deno.test({
  name:
    "adversary2: a trailing-dot name matches a trailing-dot certificate name, and a name with an empty or 64-byte label is refused by wrap_socket, as CPython",
  ignore: (() => {
    if (!S3_FIXED) {
      console.log(
        "ignored: finding S3: _ssl_session.ts verify_peer refuses every trailing-dot host before matching, and ssl.ts wrap_socket takes labels CPython's idna codec refuses (PROPOSED_S3.diff)",
      );
    }
    return !S3_FIXED;
  })(),
  async fn() {
    assert.deepEqual(await compare(ALL.filter(in_s3)), []);
  },
});
