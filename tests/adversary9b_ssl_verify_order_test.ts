// adv9b: when a certificate has more than one fault, the error is the one OpenSSL (CPython) reports first: the
// chain (an untrusted issuer, 20), then extensions and purpose (26), then the host name (62), then the dates (10,
// 9). pysocket checked the leaf's dates first, so an expired certificate from an untrusted CA, or an expired one
// for another host, said "certificate has expired" where CPython says "unable to get local issuer certificate" or
// "Hostname mismatch". A pysocket client against python3 servers, and a pysocket server against python3 clients.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { ca_leaf, make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const PAST = ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"];
const FUTURE = ["-startdate", "20900101000000Z", "-enddate", "20900102000000Z"];

async function certs() {
  const c = await make_certs();
  const d = c.dir;
  const leaf = (name: string, ca: string, ext: string, dates: string[]) =>
    ca_leaf(d, name, "/CN=localhost", {
      cnf: `${ca}.cnf`,
      issuer_cert: `${ca}.pem`,
      issuer_key: `${ca}.key`,
      ext,
      dates,
    });
  await leaf("expired_other", "other", "good", PAST);
  await leaf("future", "ca", "good", FUTURE);
  await leaf("expired_wrongeku", "ca", "wrong", PAST);
  await leaf("future_other", "other", "good", FUTURE);
  return c;
}

const CASES: [string, string][] = [
  ["expired", "wrong.example"],
  ["expired", "localhost"],
  ["expired_other", "localhost"],
  ["expired_other", "wrong.example"],
  ["future", "wrong.example"],
  ["future", "localhost"],
  ["future_other", "localhost"],
  ["expired_wrongeku", "localhost"],
  ["wrong", "localhost"],
  ["untrusted", "wrong.example"],
];

const PY = `
import json, socket, ssl, sys, threading
d, mode, cases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
def verdict(e):
    return [e.verify_code, e.verify_message] if isinstance(e, ssl.SSLCertVerificationError) else type(e).__name__
if mode == "client-side":
    out = []
    for leaf, host in cases:
        sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/" + leaf + ".pem", d + "/" + leaf + ".key")
        srv = socket.create_server(("127.0.0.1", 0))
        def serve():
            raw, _a = srv.accept(); raw.settimeout(10)
            try: sctx.wrap_socket(raw, server_side=True).recv(1)
            except Exception: raw.close()
        t = threading.Thread(target=serve); t.start()
        c = ssl.create_default_context(cafile=d + "/ca.pem")
        try: c.wrap_socket(socket.create_connection(srv.getsockname(), timeout=10), server_hostname=host).close(); out.append("ok")
        except Exception as e: out.append(verdict(e))
        t.join(); srv.close()
    print(json.dumps(out)); sys.exit()
port = int(sys.argv[4]) if mode == "client" else None
def client(port, leaf):
    c = ssl.create_default_context(cafile=d + "/ca.pem")
    c.load_cert_chain(d + "/" + leaf + ".pem", d + "/" + leaf + ".key")
    try:
        with c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost") as s: s.recv(1)
    except Exception: pass
if mode == "client":
    for leaf, _h in cases: client(port, leaf)
    sys.exit()
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/server.pem", d + "/server.key"); ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(("127.0.0.1", 0)); out = []
def serve():
    for _ in cases:
        raw, _a = srv.accept(); raw.settimeout(10)
        try:
            with ctx.wrap_socket(raw, server_side=True) as s: s.sendall(b"x"); out.append("ok")
        except Exception as e: out.append(verdict(e)); raw.close()
t = threading.Thread(target=serve); t.start()
for leaf, _h in cases: client(srv.getsockname()[1], leaf)
t.join(); print(json.dumps(out))
`;

const verdict = (e: unknown) =>
  e instanceof ssl.SSLCertVerificationError ? [e.verify_code, e.verify_message] : (e as Error).name;

test("adversary9b: a pysocket client reports a server certificate's first fault in OpenSSL's order (chain, purpose, host, dates)", async () => {
  const c = await certs();
  const d = c.dir;
  const got: unknown[] = [];
  for (const [leaf, host] of CASES) {
    const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
    sctx.load_cert_chain(`${d}/${leaf}.pem`, `${d}/${leaf}.key`);
    using l = create_server(["127.0.0.1", 0]);
    const served = (async () => {
      const [raw] = await l.accept();
      raw.settimeout(10);
      try {
        await (await sctx.wrap_socket(raw, { server_side: true })).recv(1);
      } catch { /* refused */ }
      raw.close();
    })();
    const cctx = ssl.create_default_context({ cafile: `${d}/ca.pem` });
    try {
      (await cctx.wrap_socket(await create_connection(l.getsockname() as [string, number], 10), {
        server_hostname: host,
      })).close();
      got.push("ok");
    } catch (e) {
      got.push(verdict(e));
    }
    await served;
  }
  const r = await python(PY, d, "client-side", JSON.stringify(CASES));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(got, JSON.parse(r.out.trim().split("\n").at(-1)!));
});

test("adversary9b: a pysocket server reports a client certificate's first fault in OpenSSL's order", async () => {
  const c = await certs();
  const d = c.dir;
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, { cafile: `${d}/ca.pem` });
  ctx.load_cert_chain(`${d}/server.pem`, `${d}/server.key`);
  ctx.verify_mode = ssl.CERT_REQUIRED;
  using l = create_server(["127.0.0.1", 0]);
  const got: unknown[] = [];
  const serving = (async () => {
    for (const _ of CASES) {
      const [raw] = await l.accept();
      raw.settimeout(10);
      try {
        using s = await ctx.wrap_socket(raw, { server_side: true });
        await s.sendall(new TextEncoder().encode("x"));
        got.push("ok");
      } catch (e) {
        got.push(verdict(e));
        raw.close();
      }
    }
  })();
  const [clients, theirs] = await Promise.all([
    python(PY, d, "client", JSON.stringify(CASES), String(l.getsockname()[1])),
    python(PY, d, "server-side", JSON.stringify(CASES)),
  ]);
  await serving;
  assert.equal(clients.code, 0, clients.err);
  assert.equal(theirs.code, 0, theirs.err);
  assert.deepEqual(got, JSON.parse(theirs.out.trim().split("\n").at(-1)!));
});
