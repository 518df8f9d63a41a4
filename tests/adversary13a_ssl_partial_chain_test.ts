// adv13a (A13a-1): where a trusted path may end. CPython 3.11's contexts leave VERIFY_X509_PARTIAL_CHAIN off, so
// OpenSSL accepts a path only when it ends at a SELF-SIGNED trusted certificate: a trusted intermediate CA alone, or
// the peer's own (CA-signed) leaf loaded as a "CA", is refused (2 "unable to get issuer certificate", 20 for the
// leaf). pysocket accepted both (Deno's verifier takes any trusted certificate as an anchor); a pysocket server even
// accepted a client certificate pinned by loading it as its own trust store. Now each is judged as OpenSSL judges
// it, and `verify_flags |= VERIFY_X509_PARTIAL_CHAIN` accepts them, as it does in CPython. Both sides (a client
// checking a server's chain, a server checking a client's), every case beside CPython's in-memory handshake.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { CertShop } from "./_adversary2.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const CA = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
const LEAF = [
  "basicConstraints=CA:FALSE",
  "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "extendedKeyUsage=serverAuth,clientAuth",
];

/** [peer certificate (.pem: leaf then what it sends), trusted certificates (.crt files, concatenated)]. */
const CASES: [string, string[]][] = [
  ["good", ["ca"]], // control
  ["good", ["good"]], // the CA-signed leaf pinned as its own "CA"
  ["good", ["good", "ca"]],
  ["self", ["self"]], // a self-signed leaf: always its own anchor
  ["l1", ["i1"]], // an intermediate alone
  ["l1", ["i1", "ca"]],
  ["l2", ["i2"]],
  ["l2", ["i1"]],
  ["l2", ["i2", "i1"]], // two intermediates, no root
  ["l2", ["i2", "i1", "ca"]],
  ["l2", ["ca"]],
  ["l2_full", ["i1"]], // the peer sends i2, i1 and the (untrusted) root
  ["l2_full", ["ca"]],
  ["l2_full", ["i2"]],
];

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv13a_partial_");
  await s.leaf("good", "/CN=localhost", "ca", LEAF);
  await s.root("self", "/CN=localhost", LEAF);
  await s.leaf("i1", "/CN=adv13a i1", "ca", CA);
  await s.leaf("i2", "/CN=adv13a i2", "i1", CA);
  await s.leaf("l1", "/CN=localhost", "i1", LEAF, { chain: ["i1"] });
  await s.leaf("l2", "/CN=localhost", "i2", LEAF, { chain: ["i2"] });
  await s.leaf("l2_full", "/CN=localhost", "i2", LEAF, { chain: ["i2", "i1", "ca"] });
  for (const [, trusted] of CASES) {
    Deno.writeTextFileSync(
      s.P(`${trusted.join("+")}.store`),
      trusted.map((n) => Deno.readTextFileSync(s.P(`${n}.crt`))).join(""),
    );
  }
  return shop = s;
}

/** CPython's verdicts: [side, peer, store, partial] -> "ok" or verify_code (in-memory handshakes). */
const TWIN = `
import json, ssl, sys
d = sys.argv[1]
def pump(a, b, ai, ao, bi, bo, watch):
    ad = bd = False
    for _ in range(30):
        for side in (0, 1):
            o, done = (a, ad) if side == 0 else (b, bd)
            if done: continue
            try:
                o.do_handshake()
                if side == 0: ad = True
                else: bd = True
            except ssl.SSLWantReadError: pass
            except ssl.SSLCertVerificationError as e:
                if side == watch: return e.verify_code
            except ssl.SSLError as e:
                if side == watch: return "error " + str(e.reason)
            bi.write(ao.read()); ai.write(bo.read())
        if (ad, bd)[watch] and (ad or bd): return "ok"
    return "stuck"
out = []
for side, peer, store, partial in json.loads(sys.stdin.read()):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    judge = cctx if side == "server" else sctx
    judge.load_verify_locations(f"{d}/{store}.store")
    if partial: judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    if side == "server":
        sctx.load_cert_chain(f"{d}/{peer}.pem", f"{d}/{peer}.key")
    else:
        sctx.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
        sctx.verify_mode = ssl.CERT_REQUIRED
        cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
        cctx.load_cert_chain(f"{d}/{peer}.pem", f"{d}/{peer}.key")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cctx.wrap_bio(ci, co, server_hostname="localhost")
    s = sctx.wrap_bio(si, so, server_side=True)
    out.append(pump(c, s, ci, co, si, so, 0 if side == "server" else 1))
print(json.dumps(out))
`;

type Row = [side: "server" | "client", peer: string, store: string, partial: boolean];

async function cpython(dir: string, rows: Row[]): Promise<(string | number)[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", TWIN, dir],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(rows)));
  await w.close();
  const o = await child.output();
  if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
  return JSON.parse(new TextDecoder().decode(o.stdout));
}

/** pysocket's verdict on the same row: a real handshake over a socketpair. */
async function pysocket(dir: string, [side, peer, store, partial]: Row): Promise<string | number> {
  const [a, b] = await socketpair();
  a.settimeout(10);
  b.settimeout(10);
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const judge = side === "server" ? cctx : sctx;
  judge.load_verify_locations(`${dir}/${store}.store`);
  if (partial) judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
  if (side === "server") sctx.load_cert_chain(`${dir}/${peer}.pem`, `${dir}/${peer}.key`);
  else {
    sctx.load_cert_chain(`${dir}/good.pem`, `${dir}/good.key`);
    sctx.verify_mode = ssl.CERT_REQUIRED;
    cctx.check_hostname = false;
    cctx.verify_mode = ssl.CERT_NONE;
    cctx.load_cert_chain(`${dir}/${peer}.pem`, `${dir}/${peer}.key`);
  }
  const verdict = (e: unknown) =>
    e instanceof ssl.SSLCertVerificationError ? e.verify_code ?? "null" : `error ${(e as ssl.SSLError).reason}`;
  const client = cctx.wrap_socket(a, { server_hostname: "localhost" }).then(async (s) => {
    if (side === "client") await s.recv(1).catch(() => {});
    s.close();
    return "ok";
  }, verdict);
  const server = sctx.wrap_socket(b, { server_side: true }).then((s) => {
    s.close();
    return "ok";
  }, verdict);
  const [cv, sv] = await Promise.all([client, server]);
  a.close();
  b.close();
  return side === "server" ? cv : sv;
}

test("adversary13a A13a-1: a path must end at a self-signed trusted certificate unless VERIFY_X509_PARTIAL_CHAIN is set, as CPython 3.11 (both sides)", async () => {
  const s = await certs();
  const rows: Row[] = [];
  for (const side of ["server", "client"] as const) {
    for (const partial of [false, true]) {
      for (const [peer, store] of CASES) rows.push([side, peer, store.join("+"), partial]);
    }
  }
  const want = await cpython(s.dir, rows);
  const diff: string[] = [];
  let refused = 0;
  for (const [i, row] of rows.entries()) {
    const got = await pysocket(s.dir, row);
    if (want[i] !== "ok") refused++;
    // Documented (docs/limits.md): a pysocket CLIENT never takes the server's own leaf as its anchor, even with
    // PARTIAL_CHAIN (Deno's verifier refuses it; a refusal, never an acceptance).
    if (row.join(" ") === "server good good true") {
      assert.equal(want[i], "ok");
      assert.equal(got, 20);
      continue;
    }
    if (String(got) !== String(want[i])) diff.push(`${row.join(" ")}: pysocket ${got}, CPython ${want[i]}`);
  }
  assert.deepEqual(diff, []);
  // The twin must judge something both ways (the cases are not all accepted).
  assert.ok(refused >= 8 && refused < rows.length, `CPython refused ${refused} of ${rows.length}`);
});

test("adversary13a A13a-1: verify_flags reads and keeps VERIFY_X509_PARTIAL_CHAIN as CPython's", () => {
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      "import ssl; c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); a = c.verify_flags; c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN; print(a, c.verify_flags)",
    ],
    stdout: "piped",
  }).outputSync();
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const a = c.verify_flags;
  c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
  assert.equal(`${a} ${c.verify_flags}`, new TextDecoder().decode(py.stdout).trim());
});

test("adversary13a A13a-1: beside Deno's default roots too, a loaded intermediate CA alone is refused without VERIFY_X509_PARTIAL_CHAIN, as CPython's", async () => {
  const s = await certs();
  const rows: [string, string, boolean][] = [];
  for (const partial of [false, true]) {
    for (const [peer, store] of [["l1", "i1"], ["l1", "ca"], ["l2_full", "i1"], ["l2", "i1+ca"], ["good", "good"]]) {
      rows.push([peer!, store!, partial]);
    }
  }
  Deno.writeTextFileSync(
    s.P("i1+ca.store"),
    ["i1", "ca"].map((n) => Deno.readTextFileSync(s.P(`${n}.crt`))).join(""),
  );
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      `
import json, socket, ssl, sys, threading
d = sys.argv[1]
out = []
for peer, store, partial in json.loads(sys.argv[2]):
    a, b = socket.socketpair()
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(f"{d}/{peer}.pem", f"{d}/{peer}.key")
    def srv():
        try: sctx.wrap_socket(b, server_side=True).close()
        except Exception: pass
    t = threading.Thread(target=srv); t.start()
    c = ssl.create_default_context(); c.load_verify_locations(f"{d}/{store}.store" if "+" in store else f"{d}/{store}.crt")
    if partial: c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    try: c.wrap_socket(a, server_hostname="localhost").close(); out.append("ok")
    except ssl.SSLCertVerificationError as e: out.append(e.verify_code)
    a.close(); b.close(); t.join()
print(json.dumps(out))
`,
      s.dir,
      JSON.stringify(rows),
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).outputSync();
  assert.ok(py.success, new TextDecoder().decode(py.stderr));
  const want = JSON.parse(new TextDecoder().decode(py.stdout));
  const got: (string | number)[] = [];
  for (const [peer, store, partial] of rows) {
    const [a, b] = await socketpair();
    a.settimeout(10);
    b.settimeout(10);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(s.P(`${peer}.pem`), s.P(`${peer}.key`));
    const c = ssl.create_default_context();
    c.load_verify_locations(store.includes("+") ? s.P(`${store}.store`) : s.P(`${store}.crt`));
    if (partial) c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
    const served = sctx.wrap_socket(b, { server_side: true }).then((x) => x.close(), () => {});
    try {
      (await c.wrap_socket(a, { server_hostname: "localhost" })).close();
      got.push("ok");
    } catch (e) {
      got.push(e instanceof ssl.SSLCertVerificationError ? e.verify_code ?? "null" : String(e));
    }
    a.close();
    b.close();
    await served;
  }
  // The pinned leaf with PARTIAL_CHAIN: a pysocket client refuses it (documented; see the first test).
  const last = rows.length - 1;
  assert.deepEqual([want[last], got[last]], ["ok", 20]);
  assert.deepEqual(got.slice(0, last), want.slice(0, last));
});
