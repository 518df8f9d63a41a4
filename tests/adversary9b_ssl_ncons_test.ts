// adv9b: name constraints of an intermediate CA are honoured as OpenSSL (CPython) honours them, by a pysocket
// client checking a server and a pysocket server checking a client certificate: DNS (permitted and excluded),
// email, IP and directoryName subtrees, with OpenSSL's codes (47 permitted / 48 excluded subtree violation, where
// pysocket said 20). A leaf with no DNS subjectAltName and a commonName that looks like a host name outside the
// permitted subtree was accepted by pysocket (Deno's verifier ignores the commonName) and is now refused, as
// OpenSSL refuses it (unless hostname_checks_common_name is off, as in CPython).

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { cert_dir, client_judges, make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const EXT = `
[root]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[int_dns]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;DNS:.example.org
[int_excl]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,excluded;DNS:evil.test
[int_dir]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;dirName:dir_sect
[dir_sect]
O=Good
[int_email]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;email:.example.org
[int_ip]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0
[leaf_dns_evil]
extendedKeyUsage=clientAuth,serverAuth
subjectAltName=DNS:evil.test
[leaf_dns_ok]
extendedKeyUsage=clientAuth,serverAuth
subjectAltName=DNS:a.example.org
[leaf_email_evil]
extendedKeyUsage=clientAuth,serverAuth
subjectAltName=email:x@evil.test
[leaf_ip_evil]
extendedKeyUsage=clientAuth,serverAuth
subjectAltName=IP:127.0.0.1
[leaf_plain]
extendedKeyUsage=clientAuth,serverAuth
`;

/** [leaf name, intermediate, leaf extensions, subject] */
const LEAVES: [string, string, string, string][] = [
  ["c_dns_evil", "int_dns", "leaf_dns_evil", "/O=Good/CN=c1"],
  ["c_dns_ok", "int_dns", "leaf_dns_ok", "/O=Good/CN=c2"],
  ["c_dns_cn_only", "int_dns", "leaf_plain", "/O=Good/CN=evil.test"],
  ["c_cn_one_label", "int_dns", "leaf_plain", "/O=Good/CN=evil"],
  ["c_excl", "int_excl", "leaf_dns_evil", "/O=Good/CN=c3"],
  ["c_excl_cn", "int_excl", "leaf_plain", "/O=Good/CN=EVIL.test"],
  ["c_dir_evil", "int_dir", "leaf_plain", "/O=Evil/CN=c4"],
  ["c_dir_ok", "int_dir", "leaf_plain", "/O=Good/CN=c5"],
  ["c_email_evil", "int_email", "leaf_email_evil", "/O=Good/CN=c6"],
  ["c_ip_evil", "int_ip", "leaf_ip_evil", "/O=Good/CN=c7"],
];

async function make(): Promise<string> {
  const d = cert_dir("pysocket_adv9b_nc_");
  Deno.writeTextFileSync(`${d}/ext.cnf`, EXT);
  const run = async (...args: string[]) => {
    const o = await new Deno.Command("openssl", { args, cwd: d, stdout: "null", stderr: "piped" }).output();
    assert.ok(o.success, `openssl ${args.join(" ")}: ${new TextDecoder().decode(o.stderr)}`);
  };
  const K = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run(
    "req",
    "-x509",
    ...K,
    "-keyout",
    "root.key",
    "-out",
    "root.pem",
    "-subj",
    "/CN=root",
    "-days",
    "2",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  const sign = async (name: string, ca: string, ext: string, subj: string, out: string) => {
    await run("req", ...K, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
    await run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      out,
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
      "-extensions",
      ext,
    );
  };
  for (const i of ["int_dns", "int_excl", "int_dir", "int_email", "int_ip"]) {
    await sign(i, "root", i, `/O=Good/CN=${i}`, `${i}.pem`);
  }
  for (const [name, ca, ext, subj] of LEAVES) {
    await sign(name, ca, ext, subj, `${name}.leaf`);
    Deno.writeTextFileSync(
      `${d}/${name}.pem`,
      Deno.readTextFileSync(`${d}/${name}.leaf`) + Deno.readTextFileSync(`${d}/${ca}.pem`),
    );
  }
  return d;
}

const PY = `
import json, socket, ssl, sys, threading
d, srvcert, mode = sys.argv[1], sys.argv[2], sys.argv[3]
names = json.loads(sys.argv[4])
def verdict(e):
    return [type(e).__name__, getattr(e, "verify_code", None)]
def client(port, n):
    c = ssl.create_default_context(cafile=srvcert + "/ca.pem")
    c.load_cert_chain(d + "/" + n + ".pem", d + "/" + n + ".key")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with c.wrap_socket(raw, server_hostname="localhost") as s:
                return s.recv(10).decode()
    except Exception as e: return type(e).__name__
if mode == "client":
    print(json.dumps([client(int(sys.argv[5]), n) for n in names])); sys.exit()
if mode == "server-side":
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=d + "/root.pem")
    ctx.load_cert_chain(srvcert + "/server.pem", srvcert + "/server.key")
    ctx.verify_mode = ssl.CERT_REQUIRED
    srv = socket.create_server(("127.0.0.1", 0)); out = []
    def serve():
        for _ in names:
            raw, _a = srv.accept(); raw.settimeout(10)
            try:
                with ctx.wrap_socket(raw, server_side=True) as s: s.sendall(b"hi"); s.recv(1); out.append("ok")
            except Exception as e: out.append(verdict(e)); raw.close()
    t = threading.Thread(target=serve); t.start()
    for n in names: client(srv.getsockname()[1], n)
    t.join(); print(json.dumps(out)); sys.exit()
out = []
for cn in [True, False]:
    for n in names:
        sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/" + n + ".pem", d + "/" + n + ".key")
        srv = socket.create_server(("127.0.0.1", 0))
        def serve():
            raw, _a = srv.accept(); raw.settimeout(10)
            try:
                with sctx.wrap_socket(raw, server_side=True) as s: s.sendall(b"hi"); s.recv(1)
            except Exception: raw.close()
        t = threading.Thread(target=serve); t.start()
        c = ssl.create_default_context(cafile=d + "/root.pem"); c.check_hostname = False
        c.hostname_checks_common_name = cn
        try:
            with c.wrap_socket(socket.create_connection(srv.getsockname(), timeout=10)) as s: out.append("ok")
        except Exception as e: out.append(verdict(e))
        t.join(); srv.close()
print(json.dumps(out))
`;

function verdict(e: unknown): unknown {
  return [(e as Error).name, (e as { verify_code?: number | null }).verify_code ?? null];
}

/** Documented (docs/limits.md): Deno's verifier refuses a CA with directoryName constraints, even for names they permit. */
function documented(names: string[], got: unknown[], want: unknown[]): void {
  names.forEach((n, i) => {
    for (let k = i; k < got.length; k += names.length) {
      if (n === "c_dir_ok" && want[k] === "ok") {
        assert.deepEqual(got[k], ["SSLCertVerificationError", 20]);
        got[k] = "ok";
      }
    }
  });
}

test("adversary9b: a pysocket server judges client certificates under name-constrained CAs as CPython's (codes 47/48; a commonName outside the subtree refused)", async () => {
  const d = await make();
  const certs = await make_certs();
  const names = LEAVES.map((l) => l[0]);
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, { cafile: `${d}/root.pem` });
  ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  ctx.verify_mode = ssl.CERT_REQUIRED;
  using l = create_server(["127.0.0.1", 0]);
  const got: unknown[] = [];
  const serving = (async () => {
    for (const _ of names) {
      const [raw] = await l.accept();
      raw.settimeout(10);
      try {
        using s = await ctx.wrap_socket(raw, { server_side: true });
        await s.sendall(new TextEncoder().encode("hi"));
        await s.recv(1);
        got.push("ok");
      } catch (e) {
        got.push(verdict(e));
        raw.close();
      }
    }
  })();
  const [clients, theirs] = await Promise.all([
    python(PY, d, certs.dir, "client", JSON.stringify(names), String(l.getsockname()[1])),
    python(PY, d, certs.dir, "server-side", JSON.stringify(names)),
  ]);
  await serving;
  assert.equal(clients.code, 0, clients.err);
  assert.equal(theirs.code, 0, theirs.err);
  const want = JSON.parse(theirs.out.trim().split("\n").at(-1)!);
  documented(names, got, want);
  assert.deepEqual(got, want);
});

test("adversary9b: a pysocket client judges servers under name-constrained CAs as CPython's, with hostname_checks_common_name on and off", async () => {
  const d = await make();
  const certs = await make_certs();
  const names = LEAVES.map((l) => l[0]);
  const got: unknown[] = [];
  for (const cn of [true, false]) {
    for (const n of names) {
      const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
      sctx.load_cert_chain(`${d}/${n}.pem`, `${d}/${n}.key`);
      const c = ssl.create_default_context({ cafile: `${d}/root.pem` });
      c.check_hostname = false;
      c.hostname_checks_common_name = cn;
      got.push(await client_judges(sctx, c, verdict));
    }
  }
  const r = await python(PY, d, certs.dir, "client-side", JSON.stringify(names));
  assert.equal(r.code, 0, r.err);
  const want = JSON.parse(r.out.trim().split("\n").at(-1)!);
  documented(names, got, want);
  assert.deepEqual(got, want);
});
