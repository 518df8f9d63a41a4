// adv14b: where a trusted path may end, through every way a context comes to trust a certificate (cafile, cadata as
// PEM and DER, capath, load_verify_locations twice), both sides (a client checking a server, a server checking a
// client under CERT_REQUIRED and CERT_OPTIONAL), verify_flags (PARTIAL_CHAIN, TRUSTED_FIRST off, changed after the
// wrap), and legit chains CPython accepts (sent out of order, 4-5 long, Ed25519/P-384/RSA-3072/RSA-PSS keys,
// SHA-384/512 signatures, a root with pathlen, the root both trusted and sent, the same CA loaded twice). Every row
// beside CPython 3.11's verdict on the same certificates (in-memory handshakes, ssl.MemoryBIO).

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");

let dir: string | null = null;
/** The certificates of tests/_adversary14b_certs.sh, made once (openssl, ~1 s). */
function certs(): string {
  if (dir) return dir;
  const d = Deno.makeTempDirSync({ prefix: "pysocket_adv14b_trust_" });
  const o = new Deno.Command("bash", {
    args: [new URL("./_adversary14b_certs.sh", import.meta.url).pathname, d],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  assert.ok(o.success, new TextDecoder().decode(o.stderr));
  return dir = d;
}

/**
 * [side, peer (.pem with its chain, .key), trust (each "file:a+b", "data:a+b", "der:a", "path:dir"), flags]: side
 * "server" is a client judging the server's chain; "client"/"optional" a server judging a client's under
 * CERT_REQUIRED/CERT_OPTIONAL. flags: "p" PARTIAL_CHAIN, "t" TRUSTED_FIRST off, "a" PARTIAL_CHAIN set after the wrap.
 */
export type Row = [side: "server" | "client" | "optional", peer: string, trust: string[], flags: string];

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
                if side == watch: return [e.verify_code, e.verify_message]
            except ssl.SSLError as e:
                if side == watch: return "error " + str(e.reason)
            bi.write(ao.read()); ai.write(bo.read())
        if (ad, bd)[watch] and (ad or bd):
            return "ok " + json.dumps((a, b)[watch].getpeercert()["subject"], separators=(",", ":"))
    return "stuck"
def pem(names): return "".join(open(f"{d}/{n}.crt").read() for n in names.split("+"))
def trust(ctx, ops):
    for op in ops:
        kind, arg = op.split(":")
        if kind == "file":
            open(f"{d}/t.pem", "w").write(pem(arg)); ctx.load_verify_locations(f"{d}/t.pem")
        elif kind == "data": ctx.load_verify_locations(cadata=pem(arg))
        elif kind == "der": ctx.load_verify_locations(cadata=ssl.PEM_cert_to_DER_cert(pem(arg)))
        else: ctx.load_verify_locations(capath=f"{d}/{arg}")
out = []
for side, peer, ops, flags in json.loads(sys.stdin.read()):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    judge = cctx if side == "server" else sctx
    trust(judge, ops)
    if "p" in flags: judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    if "t" in flags: judge.verify_flags &= ~ssl.VERIFY_X509_TRUSTED_FIRST
    if side == "server":
        sctx.load_cert_chain(f"{d}/{peer}.pem", f"{d}/{peer}.key")
    else:
        sctx.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
        sctx.verify_mode = ssl.CERT_REQUIRED if side == "client" else ssl.CERT_OPTIONAL
        cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
        cctx.load_cert_chain(f"{d}/{peer}.pem", f"{d}/{peer}.key")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cctx.wrap_bio(ci, co, server_hostname="localhost")
    s = sctx.wrap_bio(si, so, server_side=True)
    if "a" in flags: judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    out.append(pump(c, s, ci, co, si, so, 0 if side == "server" else 1))
print(json.dumps(out))
`;

export async function cpython(rows: Row[]): Promise<unknown[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", TWIN, certs()],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(rows)));
  await w.close();
  const o = await child.output();
  if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
  return JSON.parse(new TextDecoder().decode(o.stdout));
}

function pem(d: string, names: string): string {
  return names.split("+").map((n) => Deno.readTextFileSync(`${d}/${n}.crt`)).join("");
}

/** A file name of its own for each cafile written (rows run at once, beside the twin writing its t.pem). */
let files = 0;
function trust(d: string, ctx: ssl.SSLContext, ops: string[]): void {
  for (const op of ops) {
    const [kind, arg] = op.split(":") as [string, string];
    if (kind === "file") {
      const f = `${d}/t_ts_${files++}.pem`;
      Deno.writeTextFileSync(f, pem(d, arg));
      ctx.load_verify_locations(f);
    } else if (kind === "data") ctx.load_verify_locations(null, null, pem(d, arg));
    else if (kind === "der") ctx.load_verify_locations(null, null, ssl.PEM_cert_to_DER_cert(pem(d, arg)));
    else ctx.load_verify_locations(null, `${d}/${arg}`);
  }
}

/** pysocket's verdict on the same row: a real handshake over a socketpair. */
export async function pysocket([side, peer, ops, flags]: Row): Promise<unknown> {
  const d = certs();
  const [a, b] = await socketpair();
  a.settimeout(10);
  b.settimeout(10);
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const judge = side === "server" ? cctx : sctx;
  trust(d, judge, ops);
  if (flags.includes("p")) judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
  if (flags.includes("t")) judge.verify_flags &= ~ssl.VERIFY_X509_TRUSTED_FIRST;
  try {
    if (side === "server") sctx.load_cert_chain(`${d}/${peer}.pem`, `${d}/${peer}.key`);
    else {
      sctx.load_cert_chain(`${d}/good.pem`, `${d}/good.key`);
      sctx.verify_mode = side === "client" ? ssl.CERT_REQUIRED : ssl.CERT_OPTIONAL;
      cctx.check_hostname = false;
      cctx.verify_mode = ssl.CERT_NONE;
      cctx.load_cert_chain(`${d}/${peer}.pem`, `${d}/${peer}.key`);
    }
  } catch (e) {
    a.close();
    b.close();
    return `load ${e}`;
  }
  const verdict = (e: unknown) =>
    e instanceof ssl.SSLCertVerificationError
      ? [e.verify_code, e.verify_message]
      : `error ${(e as ssl.SSLError).reason ?? e}`;
  const ok = (s: ssl.SSLSocket) => "ok " + JSON.stringify((s.getpeercert() as { subject: unknown }).subject);
  const client = cctx.wrap_socket(a, { server_hostname: "localhost", do_handshake_on_connect: false }).then(
    async (s) => {
      if (flags.includes("a")) judge.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
      await s.do_handshake();
      const v = side === "server" ? ok(s) : "ok";
      if (side !== "server") await s.recv(1).catch(() => {});
      s.close();
      return v;
    },
    verdict,
  ).catch(verdict);
  const server = sctx.wrap_socket(b, { server_side: true }).then((s) => {
    const v = side === "server" ? "ok" : ok(s);
    s.close();
    return v;
  }, verdict);
  const [cv, sv] = await Promise.all([client, server]);
  a.close();
  b.close();
  return side === "server" ? cv : sv;
}

export async function compare(rows: Row[]): Promise<{ diff: string[]; refused: number }> {
  // CPython's verdicts (one python3 process) come while pysocket's handshakes run, four at a time (each over its own
  // socketpair).
  const twin = cpython(rows);
  const gots = await pooled(rows, 4, (row) => pysocket(row));
  const want = await twin;
  const diff: string[] = [];
  let refused = 0;
  for (const [i, row] of rows.entries()) {
    const got = gots[i];
    if (!String(want[i]).startsWith("ok")) refused++;
    if (JSON.stringify(got) !== JSON.stringify(want[i])) {
      diff.push(`${JSON.stringify(row)}: pysocket ${JSON.stringify(got)}, CPython ${JSON.stringify(want[i])}`);
    }
  }
  return { diff, refused };
}

const ALL_PEERS = ["good", "good_r", "self", "l1", "l1_r", "l1_x", "l1_x2", "l2", "l2_ooo", "l3", "l3_full", "l3_ooo"];
const KEY_PEERS = ["k_ed", "k_p384", "k_r3072", "k_r2048", "l_ed", "l_p384", "l_rsa", "l_pl", "l_pl0"];
const ROOTS = "file:r_ed+r_p384+r_pss+r_rsa+r_pl+ca";

/** Rows CPython accepts and a pysocket CLIENT refuses, documented (docs/limits.md): the server's own certificate as
 * its anchor with PARTIAL_CHAIN (Deno's verifier refuses it). */
function documented([side, peer, trust, flags]: Row): boolean {
  return side === "server" && flags.includes("p") &&
    ((peer.startsWith("good") && trust.join() === "file:good") ||
      (peer.startsWith("l1_x") && trust[0]!.includes("l1")));
}

async function check(rows: Row[], min_refused: number): Promise<void> {
  const { diff, refused } = await compare(rows);
  const left = diff.filter((d) => !documented(JSON.parse(d.slice(0, d.indexOf("]: pysocket") + 1)) as Row));
  assert.deepEqual(left, []);
  assert.ok(refused >= min_refused && refused < rows.length, `CPython refused ${refused} of ${rows.length}`);
}

test("adversary14b A14b-1/2/3: a trusted peer certificate that is not self-signed is no anchor (its chain goes on to a trusted root), a self-signed one is judged by its own signature, an untrusted root the peer sent is 19, as CPython 3.11 (both sides)", async () => {
  const rows: Row[] = [];
  for (const side of ["server", "client", "optional"] as const) {
    for (const flags of ["", "p", "t"]) {
      for (
        const [peer, trust] of [
          ["l1", ["file:l1+ca"]],
          ["l1", ["data:l1", "data:ca"]],
          ["l1_r", ["file:l1+ca"]],
          ["l3", ["file:l3+ca"]],
          ["l3_full", ["file:l3+ca"]],
          ["l3_ooo", ["data:l3", "der:ca"]],
          ["good", ["file:good"]],
          ["good_r", ["file:good"]],
          ["l1_x2", ["file:l1+ca"]],
          ["self", ["file:l1+ca"]],
          ["self", ["file:good"]],
          ["self", ["data:l1", "data:ca"]],
          ["good_r", ["file:i1"]],
          ["good_r", ["file:ca2"]],
          ["l1_x2", ["file:ca"]],
          ["l3_full", ["file:ca2"]],
          ["l1_r", ["file:self"]],
        ] as [string, string[]][]
      ) rows.push([side, peer, trust, flags]);
    }
  }
  await check(rows, 40);
});

test("adversary14b: every way of trusting (cafile, cadata PEM/DER, capath, loaded twice, intermediates too), legit chains (out of order, 4-5 long, root sent), cross-signed intermediates, verify_flags after the wrap: the same verdicts as CPython 3.11", async () => {
  const rows: Row[] = [];
  const trusts = [
    ["file:ca"],
    ["der:ca"],
    ["path:cap_ca"],
    ["file:ca", "data:ca"],
    ["path:cap_i1"],
    ["file:i1", "data:ca"],
    ["path:cap_ca_i1"],
    ["file:ca2"],
    ["file:i1x"],
    ["file:i1x+ca"],
    ["file:i2+ca"],
  ];
  for (const side of ["server", "client"] as const) {
    for (const peer of ALL_PEERS) {
      for (const trust of trusts) rows.push([side, peer, trust, side === "server" ? "" : "a"]);
    }
  }
  for (const peer of ["l1_x", "l1_x2", "l3_ooo"]) {
    for (const trust of [["file:ca"], ["file:i1x+ca"], ["path:cap_i1"]]) rows.push(["server", peer, trust, "ta"]);
  }
  await check(rows, 100);
});

test("adversary14b: Ed25519, P-384, RSA-2048/3072 keys and roots, SHA-384/512 signatures, a root's pathlen: the same verdicts as CPython 3.11", async () => {
  const rows: Row[] = [];
  for (const side of ["server", "client"] as const) {
    for (const peer of KEY_PEERS) rows.push([side, peer, [ROOTS], ""], [side, peer, ["file:ca"], ""]);
  }
  await check(rows, 10);
});

test("adversary14b A14b-5: RSA-PSS keys (documented): CPython serves an RSA-PSS certificate and trusts an RSA-PSS root; pysocket fails closed (load_cert_chain raises, the root's chain is refused), never accepts more", async () => {
  const want = await cpython([["server", "k_pss", ["file:ca"], ""], ["server", "l_pss", [ROOTS], ""]]);
  assert.deepEqual(want.map((w) => String(w).slice(0, 2)), ["ok", "ok"]);
  const loaded = await pysocket(["server", "k_pss", ["file:ca"], ""]);
  assert.match(String(loaded), /^load SSLError: \[SSL\] PEM lib/);
  assert.deepEqual(await pysocket(["server", "l_pss", [ROOTS], ""]), [20, "unable to get local issuer certificate"]);
});

test("adversary14b A14b-1/3: beside Deno's default roots (create_default_context), the same verdicts as CPython 3.11; a refusal's code is 19 when the server sent a self-signed root", async () => {
  const d = certs();
  const rows: [string, string, boolean][] = [];
  for (const partial of [false, true]) {
    for (
      const [peer, store] of [
        ["l1", "l1"],
        ["l1_r", "l1"],
        ["l1", "l1+ca"],
        ["l3_full", "l3"],
        ["l3", "l3+ca"],
        ["self", "good"],
        ["good_r", "good"],
        ["l1", "i1"],
        ["l1_x", "i1x"],
        ["good_r", "i1"],
        ["l1_x2", "ca"],
      ]
    ) rows.push([peer!, store!, partial]);
  }
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
    c = ssl.create_default_context()
    c.load_verify_locations(cadata="".join(open(f"{d}/{n}.crt").read() for n in store.split("+")))
    if partial: c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    try: c.wrap_socket(a, server_hostname="localhost").close(); out.append("ok")
    except ssl.SSLCertVerificationError as e: out.append(e.verify_code)
    a.close(); b.close(); t.join()
print(json.dumps(out))
`,
      d,
      JSON.stringify(rows),
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).outputSync();
  assert.ok(py.success, new TextDecoder().decode(py.stderr));
  const want = JSON.parse(new TextDecoder().decode(py.stdout));
  const diff: string[] = [];
  for (const [i, [peer, store, partial]] of rows.entries()) {
    const [a, b] = await socketpair();
    a.settimeout(10);
    b.settimeout(10);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(`${d}/${peer}.pem`, `${d}/${peer}.key`);
    const c = ssl.create_default_context();
    c.load_verify_locations(null, null, pem(d, store));
    if (partial) c.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
    const served = sctx.wrap_socket(b, { server_side: true }).then((x) => x.close(), () => {});
    let got: unknown;
    try {
      (await c.wrap_socket(a, { server_hostname: "localhost" })).close();
      got = "ok";
    } catch (e) {
      got = e instanceof ssl.SSLCertVerificationError ? e.verify_code : String(e);
    }
    a.close();
    b.close();
    await served;
    // Documented (docs/limits.md, A13a-1): with PARTIAL_CHAIN a pysocket client never takes the server's own
    // certificate as its anchor (CPython does): a refusal, never an acceptance.
    if (partial && store === peer.split("_")[0] && want[i] === "ok") {
      if (got !== 19 && got !== 20) diff.push(`${peer} ${store} ${partial}: pysocket ${got}, documented 19/20`);
      continue;
    }
    if (String(got) !== String(want[i])) diff.push(`${peer} ${store} ${partial}: pysocket ${got}, CPython ${want[i]}`);
  }
  assert.deepEqual(diff, []);
});
