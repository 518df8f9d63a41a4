// adv13a (A13a-2): OpenSSL's security level 2 (CPython 3.11's default) on certificates. CPython's load_cert_chain
// refuses a chain with an issuer's RSA key under 2048 bits (CA_KEY_TOO_SMALL) or a certificate signed with SHA-1
// (CA_MD_TOO_WEAK); pysocket loaded both. When verifying a peer (a python3 peer at @SECLEVEL=0 serves or presents
// them), CPython reports 67/68 (CA key, digest too weak); pysocket refused with 20. Both now say what CPython says,
// client and server side; a self-signed SHA-1 anchor stays accepted, as OpenSSL never checks an anchor's own
// signature. A peer's own RSA-1024 key: CPython 66, pysocket 21 (documented).

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { CertShop } from "./_adversary2.ts";
import { python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const CA = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
const LEAF = [
  "basicConstraints=CA:FALSE",
  "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "extendedKeyUsage=serverAuth,clientAuth",
];
const RSA1024 = ["-newkey", "rsa:1024", "-nodes"];

/** [peer certificate (.pem + .key), the CA file its judge trusts]. */
const PEERS: [string, string][] = [
  ["good", "ca"],
  ["l_sha1", "ca"], // the leaf signed with SHA-1
  ["l_i_sha1", "ca"], // under an intermediate signed with SHA-1
  ["l_i_rsa1024", "ca"], // under an intermediate with an RSA-1024 key
  ["l_rk", "rk"], // under an RSA-1024 root
  ["l_rsa1024", "ca"], // the leaf's own key is RSA-1024
  ["ss_sha1", "ss_sha1"], // a self-signed SHA-1 leaf, trusted as itself
];

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv13a_level_");
  await s.leaf("good", "/CN=localhost", "ca", LEAF);
  await s.leaf("l_sha1", "/CN=localhost", "ca", LEAF, { md: "sha1" });
  await s.leaf("i_sha1", "/CN=adv13a i_sha1", "ca", CA, { md: "sha1" });
  await s.leaf("l_i_sha1", "/CN=localhost", "i_sha1", LEAF, { chain: ["i_sha1"] });
  await s.leaf("i_rsa1024", "/CN=adv13a i_rsa1024", "ca", CA, { key: RSA1024 });
  await s.leaf("l_i_rsa1024", "/CN=localhost", "i_rsa1024", LEAF, { chain: ["i_rsa1024"] });
  await s.root("rk", "/CN=adv13a rk", CA);
  // The RSA-1024 root: CertShop's roots are EC, so this one is made here.
  Deno.removeSync(s.P("rk.crt"));
  await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      ...RSA1024,
      "-keyout",
      "rk.key",
      "-out",
      "rk.crt",
      "-days",
      "2",
      "-subj",
      "/CN=adv13a rk",
      "-addext",
      CA[0]!,
      "-addext",
      CA[1]!,
    ],
    cwd: s.dir,
    stdout: "null",
    stderr: "null",
  }).output();
  await s.leaf("l_rk", "/CN=localhost", "rk", LEAF);
  await s.leaf("l_rsa1024", "/CN=localhost", "ca", LEAF, { key: RSA1024 });
  await s.root("ss_sha1", "/CN=localhost", LEAF);
  Deno.removeSync(s.P("ss_sha1.crt"));
  await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "ss_sha1.key",
      "-out",
      "ss_sha1.crt",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-sha1",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    cwd: s.dir,
    stdout: "null",
    stderr: "null",
  }).output();
  Deno.copyFileSync(s.P("ss_sha1.crt"), s.P("ss_sha1.pem"));
  return shop = s;
}

test("adversary13a A13a-2: load_cert_chain() refuses weak keys and SHA-1 signatures in the chain as CPython's (security level 2)", async () => {
  const s = await certs();
  const names = PEERS.map(([p]) => p);
  const py = await python(
    `
import json, ssl, sys
d = sys.argv[1]
out = []
for n in json.loads(sys.argv[2]):
    for proto in (ssl.PROTOCOL_TLS_SERVER, ssl.PROTOCOL_TLS_CLIENT):
        c = ssl.SSLContext(proto)
        try: c.load_cert_chain(f"{d}/{n}.pem", f"{d}/{n}.key"); out.append("ok")
        except ssl.SSLError as e: out.append(f"{type(e).__name__} {e.reason} {e}")
print(json.dumps(out))
`,
    s.dir,
    JSON.stringify(names),
  );
  assert.equal(py.code, 0, py.err);
  const want = JSON.parse(py.out);
  const got: string[] = [];
  for (const n of names) {
    for (const proto of [ssl.PROTOCOL_TLS_SERVER, ssl.PROTOCOL_TLS_CLIENT]) {
      const c = new ssl.SSLContext(proto);
      try {
        c.load_cert_chain(s.P(`${n}.pem`), s.P(`${n}.key`));
        got.push("ok");
      } catch (e) {
        got.push(`${(e as Error).constructor.name} ${(e as ssl.SSLError).reason} ${(e as Error).message}`);
      }
    }
  }
  assert.deepEqual(got, want);
  assert.ok(want.filter((w: string) => w !== "ok").length >= 8, "CPython refuses the weak chains");
});

/** A python3 peer at @SECLEVEL=0 (so it can use the weak certificates). */
const PEER = `
import socket, ssl, sys
d, role, port_or_none = sys.argv[1], sys.argv[2], sys.argv[3]
names = sys.argv[4].split(",")
def ctx(proto, n):
    c = ssl.SSLContext(proto); c.set_ciphers("ALL:@SECLEVEL=0")
    c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
    c.load_cert_chain(f"{d}/{n}.pem", f"{d}/{n}.key")
    return c
if role == "server":
    srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    for n in names:
        raw, _ = srv.accept(); raw.settimeout(10)
        try:
            with ctx(ssl.PROTOCOL_TLS_SERVER, n).wrap_socket(raw, server_side=True) as s: s.recv(1)
        except Exception: raw.close()
else:
    for n in names:
        raw = socket.create_connection(("127.0.0.1", int(port_or_none)), timeout=10)
        try:
            with ctx(ssl.PROTOCOL_TLS_CLIENT, n).wrap_socket(raw, server_hostname="localhost") as s: s.recv(1)
        except Exception: raw.close()
`;

/** The judge in CPython: verdicts of a CPython client (or CERT_REQUIRED server) against PEER. */
const JUDGE = `
import json, socket, ssl, subprocess, sys, threading
d, side, peer_py = sys.argv[1], sys.argv[2], sys.argv[3]
cases = json.loads(sys.argv[4])
out = []
def verdict(f):
    try: f(); return "ok"
    except ssl.SSLCertVerificationError as e: return e.verify_code
    except ssl.SSLError as e: return "error " + str(e.reason)
if side == "client":
    p = subprocess.Popen([sys.executable, "-c", peer_py, d, "server", "-", ",".join(n for n, _ in cases)], stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    for n, ca in cases:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(f"{d}/{ca}.crt")
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        def go():
            with c.wrap_socket(raw, server_hostname="localhost"): pass
        out.append(verdict(go)); raw.close()
    p.wait(30)
else:
    srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
    p = subprocess.Popen([sys.executable, "-c", peer_py, d, "client", str(srv.getsockname()[1]), ",".join(n for n, _ in cases)])
    for n, ca in cases:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
        c.verify_mode = ssl.CERT_REQUIRED; c.load_verify_locations(f"{d}/{ca}.crt")
        raw, _ = srv.accept(); raw.settimeout(10)
        def go():
            with c.wrap_socket(raw, server_side=True): pass
        out.append(verdict(go)); raw.close()
    p.wait(30)
print(json.dumps(out))
`;

for (const side of ["client", "server"] as const) {
  test(`adversary13a A13a-2: a pysocket ${side} reports a weak ${side === "client" ? "server" : "client"} certificate's key or digest as CPython does (67/68)`, async () => {
    const s = await certs();
    const py = await python(JUDGE, s.dir, side, PEER, JSON.stringify(PEERS));
    assert.equal(py.code, 0, py.err);
    const want = JSON.parse(py.out);
    const got: (string | number)[] = [];
    const verdict = (e: unknown) =>
      e instanceof ssl.SSLCertVerificationError ? e.verify_code ?? "null" : `error ${(e as ssl.SSLError).reason}`;
    const names = PEERS.map(([n]) => n).join(",");
    if (side === "client") {
      const peer = await python_server(PEER, s.dir, "server", "-", names);
      try {
        for (const [, ca] of PEERS) {
          const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
          c.load_verify_locations(s.P(`${ca}.crt`));
          const raw = await create_connection(["127.0.0.1", Number(peer.first)], 10);
          try {
            (await c.wrap_socket(raw, { server_hostname: "localhost" })).close();
            got.push("ok");
          } catch (e) {
            got.push(verdict(e));
          }
          raw.close();
        }
      } finally {
        await peer.rest();
      }
    } else {
      using l = create_server(["127.0.0.1", 0]);
      const peer = python(PEER, s.dir, "client", String((l.getsockname() as [string, number])[1]), names);
      for (const [, ca] of PEERS) {
        const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        c.load_cert_chain(s.P("good.pem"), s.P("good.key"));
        c.verify_mode = ssl.CERT_REQUIRED;
        c.load_verify_locations(s.P(`${ca}.crt`));
        const [raw] = await l.accept();
        raw.settimeout(10);
        try {
          (await c.wrap_socket(raw, { server_side: true })).close();
          got.push("ok");
        } catch (e) {
          got.push(verdict(e));
        }
        raw.close();
      }
      await peer;
    }
    console.log(PEERS.map(([n], i) => `${n}: CPython ${want[i]}, pysocket ${got[i]}`).join("\n"));
    // Documented (docs/limits.md): a peer whose OWN key is under 2048 bits fails inside Deno's TLS (it cannot check
    // the handshake signature) before the certificate reaches pysocket: 21 where CPython says 66. Refused both.
    const weak_leaf = PEERS.findIndex(([n]) => n === "l_rsa1024");
    assert.deepEqual([want[weak_leaf], got[weak_leaf]], [66, 21]);
    want.splice(weak_leaf, 1);
    got.splice(weak_leaf, 1);
    assert.deepEqual(got, want);
  });
}
