// Hostile certificates for the adversary tests, made with openssl at test
// time: a trusted CA and an untrusted one, and client/server leaves that a
// verifying peer must refuse (wrong purpose, a CA:FALSE "intermediate", an
// untrusted intermediate, expired, not yet valid, expired intermediate) plus
// good controls (a leaf, a leaf under a trusted intermediate). Each `name`
// has `name.pem` (leaf then any intermediates) and `name.key`.

import { ca_config, CA_EXT, ca_leaf, cert_dir, EC_KEY as KEY, openssl as sh, self_signed } from "./_ssl_fixtures.ts";

/** Paths of the hostile certificates. */
export interface AdvCerts {
  dir: string;
  P(name: string): string;
}

/** Make every certificate in a fresh temp dir (removed at unload). */
export async function make_adversary_certs(): Promise<AdvCerts> {
  const dir = cert_dir("pysocket_adv_");
  const ext = (name: string, lines: string[]) => Deno.writeTextFileSync(`${dir}/${name}.ext`, lines.join("\n") + "\n");
  ext("ca", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]);
  ext("both", [
    "basicConstraints=CA:FALSE",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage=serverAuth,clientAuth",
  ]);
  ext("serveronly", ["basicConstraints=CA:FALSE", "subjectAltName=DNS:localhost", "extendedKeyUsage=serverAuth"]);
  ext("clientonly", [
    "basicConstraints=CA:FALSE",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage=clientAuth",
  ]);
  ext("notca", [
    "basicConstraints=critical,CA:FALSE",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage=serverAuth,clientAuth",
  ]);
  ext("cn_only", ["basicConstraints=CA:FALSE", "extendedKeyUsage=serverAuth,clientAuth"]);
  ext("wild", [
    "basicConstraints=CA:FALSE",
    "subjectAltName=DNS:*.localhost,DNS:*.xn--bcher-kva.example,DNS:f*o.example",
    "extendedKeyUsage=serverAuth,clientAuth",
  ]);
  ext("ip6", [
    "basicConstraints=CA:FALSE",
    "subjectAltName=IP:::1,DNS:127.0.0.1",
    "extendedKeyUsage=serverAuth,clientAuth",
  ]);
  const root = (name: string, cn: string) =>
    self_signed(dir, `${name}.key`, `${name}.crt`, `/CN=${cn}`, { ext: CA_EXT, days: "3" });
  let serial = 100;
  // Sign `name`'s CSR with `issuer`; dates: ["-days", n] or explicit.
  const sign = async (
    name: string,
    subj: string,
    issuer: string,
    extname: string,
    dates: string[] = ["-days", "2"],
  ) => {
    await sh(dir, "req", ...KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
    // Explicit validity: `openssl x509 -req` has -not_before/-not_after only in 3.4+; `dated` below uses `ca`.
    const validity = dates[0] === "-days" ? dates : ["-days", "2", ...dates];
    await sh(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.crt`,
      "-CAkey",
      `${issuer}.key`,
      "-set_serial",
      String(serial++),
      "-out",
      `${name}.crt`,
      "-extfile",
      `${extname}.ext`,
      ...validity,
      "-sha256",
    );
  };
  await root("ca", "adversary trusted CA");
  await root("other", "adversary untrusted CA");
  await sign("good", "/CN=good client", "ca", "both");
  await sign("serveronly", "/CN=admin", "ca", "serveronly");
  await sign("clientonly", "/CN=localhost", "ca", "clientonly");
  await sign("notca", "/CN=not a CA", "ca", "notca");
  await sign("under_notca", "/CN=admin", "notca", "both");
  await sign("inter", "/CN=trusted intermediate", "ca", "ca");
  await sign("under_inter", "/CN=chained client", "inter", "both");
  await sign("evil_inter", "/CN=untrusted intermediate", "other", "ca");
  await sign("under_evil", "/CN=admin", "evil_inter", "both");
  await sign("cn_only", "/CN=localhost", "ca", "cn_only");
  await sign("wild", "/CN=wild", "ca", "wild");
  await sign("ip6", "/CN=ip6", "ca", "ip6");
  await sign("other_leaf", "/CN=admin", "other", "both");
  // A self-signed leaf that names the trusted CA as its issuer (same subject), signed by its own key.
  await self_signed(dir, "fake_ca_name.key", "fake_ca_name.crt", "/CN=adversary trusted CA", {
    ext: [
      "-addext",
      "basicConstraints=CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth,clientAuth",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
  });
  // Expired / not yet valid, by a faked clock: openssl x509 -req has no start date before 3.x's -not_before,
  // so sign with `ca` and explicit dates.
  ca_config(dir, "ca.cnf", "db", [
    "[leaf]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth,clientAuth",
    "[cax]",
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ], { serial: "1000" });
  const dated = (name: string, subj: string, issuer: string, section: string, start: string, end: string) =>
    ca_leaf(dir, name, subj, {
      cnf: "ca.cnf",
      issuer_cert: `${issuer}.crt`,
      issuer_key: `${issuer}.key`,
      ext: section,
      dates: ["-startdate", start, "-enddate", end],
      suffix: ".crt",
    });
  await dated("expired", "/CN=admin", "ca", "leaf", "20200101000000Z", "20200102000000Z");
  await dated("future", "/CN=admin", "ca", "leaf", "20900101000000Z", "20900102000000Z");
  await dated("old_inter", "/CN=expired intermediate", "ca", "cax", "20200101000000Z", "20200102000000Z");
  await sign("under_old", "/CN=admin", "old_inter", "both");
  // Chains: leaf then intermediates, as load_cert_chain reads them.
  const chain = (name: string, ...parts: string[]) =>
    Deno.writeTextFileSync(`${dir}/${name}.pem`, parts.map((p) => Deno.readTextFileSync(`${dir}/${p}.crt`)).join(""));
  for (
    const n of [
      "good",
      "serveronly",
      "clientonly",
      "notca",
      "cn_only",
      "wild",
      "ip6",
      "other_leaf",
      "fake_ca_name",
      "expired",
      "future",
      "ca",
      "other",
    ]
  ) chain(n, n);
  chain("under_notca", "under_notca", "notca");
  chain("under_inter", "under_inter", "inter");
  chain("under_evil", "under_evil", "evil_inter");
  chain("under_evil_full", "under_evil", "evil_inter", "other");
  chain("under_old", "under_old", "old_inter");
  // An untrusted leaf that also sends the trusted CA's certificate (it proves nothing).
  chain("other_leaf_plus_ca", "other_leaf", "ca");
  Deno.copyFileSync(`${dir}/other_leaf.key`, `${dir}/other_leaf_plus_ca.key`);
  for (const n of ["under_evil"]) Deno.copyFileSync(`${dir}/${n}.key`, `${dir}/${n}_full.key`);
  return { dir, P: (name: string) => `${dir}/${name}` };
}
