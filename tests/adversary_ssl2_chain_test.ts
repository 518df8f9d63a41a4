// The second security adversary: what a trust anchor and the intermediates
// above a leaf must satisfy. OpenSSL (so CPython) checks every certificate
// of the path: dates, basicConstraints CA:TRUE, keyUsage keyCertSign,
// extendedKeyUsage, pathLenConstraint, unknown critical extensions; the
// anchor included. Deno's verifier takes an anchor's name and key only, and
// an intermediate whose keyUsage lacks keyCertSign (finding S1). Each case
// is judged by CPython (in-memory handshakes) and by pysocket: a server's
// certificate checked by a client, and a client's checked by a server.

import assert from "node:assert/strict";
import { test_needing } from "./_socket_fixtures.ts";
import { type Case, CertShop, cpython_verdicts, pysocket_verdict } from "./_adversary2.ts";
import { build_path, chain_fault, purpose_ok } from "../_ssl_verify.ts";
import { PEM_cert_to_DER_cert } from "../ssl.ts";

const test = test_needing("python3", "openssl");

const CA = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
const LEAF = [
  "basicConstraints=CA:FALSE",
  "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "extendedKeyUsage=serverAuth,clientAuth",
];

/** Roots: [name, extension lines, dates]. Each signs a leaf `l_<name>` directly. */
const ROOTS: [string, string[], [string, string]?][] = [
  ["root_p0", ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"]],
  ["root_noku", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature"]],
  ["root_cli", [...CA, "extendedKeyUsage=clientAuth"]],
  ["root_srv", [...CA, "extendedKeyUsage=serverAuth"]],
  ["root_nobc", ["keyUsage=critical,keyCertSign,cRLSign"]],
  ["root_notca", ["basicConstraints=critical,CA:FALSE"]],
  ["root_crit", [...CA, "1.2.3.4.5=critical,DER:0500"]],
  ["root_nc", [...CA, "nameConstraints=critical,permitted;DNS:.example.org"]],
  ["root_exp", CA, ["20200101000000Z", "20200102000000Z"]],
  ["root_fut", CA, ["20900101000000Z", "20900102000000Z"]],
];

/** Intermediates under `ca`: [name, extension lines]. Each signs a leaf `l_<name>`. */
const INTERS: [string, string[]][] = [
  ["i_noku", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature"]],
  ["i_cli", [...CA, "extendedKeyUsage=clientAuth"]],
  ["i_nobc", ["keyUsage=critical,keyCertSign,cRLSign"]],
  ["i_crit", [...CA, "1.2.3.4.5=critical,DER:0500"]],
  ["i_p0", ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"]],
];

/** [leaf, anchor, intermediates it sends]. */
const CHAINS: [string, string, string[]][] = [
  ["good", "ca", []],
  ...ROOTS.map(([r]) => [`l_${r}`, r, []] as [string, string, string[]]),
  ["l_under_p0", "root_p0", ["i_under_p0"]], // root pathlen:0 above an intermediate
  ...INTERS.map(([i]) => [`l_${i}`, "ca", [i]] as [string, string, string[]]),
  ["l_i_p0_b", "ca", ["i_p0_b", "i_p0"]], // intermediate pathlen:0 above another intermediate
  ["l_ns_cli", "ca", []], // leaf nsCertType=client
  ["l_ns_srv", "ca", []],
  ["l_sgc", "ca", []], // leaf EKU msSGC only
];

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv2_chain_");
  await s.leaf("good", "/CN=localhost", "ca", LEAF);
  for (const [r, ext, dates] of ROOTS) {
    await s.root(r, `/CN=${r}`, ext, dates);
    await s.leaf(`l_${r}`, "/CN=localhost", r, LEAF);
  }
  await s.leaf("i_under_p0", "/CN=i_under_p0", "root_p0", CA);
  await s.leaf("l_under_p0", "/CN=localhost", "i_under_p0", LEAF, { chain: ["i_under_p0"] });
  for (const [i, ext] of INTERS) {
    await s.leaf(i, `/CN=${i}`, "ca", ext);
    await s.leaf(`l_${i}`, "/CN=localhost", i, LEAF, { chain: [i] });
  }
  await s.leaf("i_p0_b", "/CN=i_p0_b", "i_p0", CA);
  await s.leaf("l_i_p0_b", "/CN=localhost", "i_p0_b", LEAF, { chain: ["i_p0_b", "i_p0"] });
  await s.leaf("l_ns_cli", "/CN=localhost", "ca", [...LEAF.slice(0, 2), "nsCertType=client"]);
  await s.leaf("l_ns_srv", "/CN=localhost", "ca", [...LEAF.slice(0, 2), "nsCertType=server"]);
  await s.leaf("l_sgc", "/CN=localhost", "ca", [...LEAF.slice(0, 2), "extendedKeyUsage=1.3.6.1.4.1.311.10.3.3"]);
  return shop = s;
}

const der = (s: CertShop, name: string) => PEM_cert_to_DER_cert(Deno.readTextFileSync(s.P(`${name}.crt`)));

const cases = (client_cert: boolean): Case[] =>
  CHAINS.map(([cert, ca]) => ({ cert, ca, host: "localhost", client_cert }));

test("adversary2: chain_fault() and purpose_ok() judge every path (anchor included) as CPython's OpenSSL does", async () => {
  const s = await certs();
  for (const client_cert of [false, true]) {
    const want = await cpython_verdicts(s.dir, cases(client_cert));
    const diff: string[] = [];
    CHAINS.forEach(([leaf, anchor, sent], i) => {
      const { path, anchored } = build_path(der(s, leaf), sent.map((n) => der(s, n)), [der(s, anchor)]);
      assert.ok(anchored, `${leaf}: no path to ${anchor}`);
      const of_server = !client_cert;
      const f = purpose_ok(path[0]!, of_server) ? chain_fault(path, of_server, Date.now()) : [26];
      const got = f === null ? "ok" : f[0]!;
      // Name constraints are Deno's own check (it refuses them, verify_code 20): not chain_fault's.
      if (anchor === "root_nc") return assert.equal(want[i], 47);
      if (String(got) !== String(want[i])) {
        diff.push(`${leaf} (${client_cert ? "client" : "server"}): ${got}, CPython ${want[i]}`);
      }
    });
    assert.deepEqual(diff, []);
  }
});

/** Set to true once PROPOSED_S1.diff (or an equivalent) is merged. */
const S1_FIXED = true;

Deno.test({
  name:
    "adversary2: a pysocket client and server refuse exactly the chains CPython refuses (expired / not-yet-valid / CA:FALSE / no keyCertSign / wrong-EKU / pathlen anchors, intermediates without keyCertSign)",
  ignore: (() => {
    if (!S1_FIXED) {
      console.log(
        "ignored: finding S1: _ssl_session.ts verify_peer trusts Deno's chain result alone; Deno never checks the trust anchor's dates, CA flag, key usage, EKU or pathlen, nor an intermediate's keyCertSign (PROPOSED_S1.diff)",
      );
    }
    return !S1_FIXED;
  })(),
  async fn() {
    const s = await certs();
    const diff: string[] = [];
    for (const client_cert of [false, true]) {
      const cs = cases(client_cert);
      const want = await cpython_verdicts(s.dir, cs);
      for (const [i, c] of cs.entries()) {
        // Deno's verifier wants serverAuth itself: a leaf with only the Server Gated Crypto EKU, which
        // OpenSSL takes for a server, is refused (a refusal, never an acceptance: not S1).
        if (c.cert === "l_sgc" && !client_cert) continue;
        const got = await pysocket_verdict(s.dir, c);
        // Both must accept, or both refuse (verify_code may be 20 where OpenSSL says more: docs/limits.md).
        if ((got === "ok") !== (want[i] === "ok")) {
          diff.push(
            `${c.cert} (${client_cert ? "client" : "server"} certificate): pysocket ${got}, CPython ${want[i]}`,
          );
        }
      }
    }
    assert.deepEqual(diff, []);
  },
});

test("adversary2: build_path() follows the issuer that signed, not a decoy the peer sends with the same name", async () => {
  const s = await certs();
  // A well-formed CA certificate named like the intermediate that lacks keyCertSign, with its own key.
  await s.leaf("decoy", "/CN=i_noku", "ca", CA);
  for (const pool of [["decoy", "i_noku"], ["i_noku", "decoy"]]) {
    const { path, anchored } = build_path(der(s, "l_i_noku"), pool.map((n) => der(s, n)), [der(s, "ca")]);
    assert.ok(anchored);
    assert.deepEqual(path[1], der(s, "i_noku"), pool.join(","));
    assert.deepEqual(chain_fault(path, true, Date.now()), [79, "invalid CA certificate"]);
  }
  // With only the decoy there is no path (its key did not sign the leaf).
  assert.equal(build_path(der(s, "l_i_noku"), [der(s, "decoy")], [der(s, "ca")]).anchored, false);
});
