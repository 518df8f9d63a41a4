// adv18b: a server judging hostile client certificate chains (CERT_REQUIRED and CERT_OPTIONAL), beside CPython 3.11's
// server judging the same python3 client: a leaf for serverAuth only, an intermediate with CA:FALSE, an expired
// intermediate, a pathlen:0 root above two intermediates, a self-signed client certificate, a leaf of an untrusted
// root, the chain sent without its intermediate, and the good chains.

import assert from "node:assert/strict";
import { create_server, type Socket } from "../mod.ts";
import { CERT_OPTIONAL, CERT_REQUIRED, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { ca_config, CA_EXT, ca_leaf, cert_dir, python, python_server, self_signed } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** The server's certificate (`srv`), the trusted roots (`root`, `p0`) and the client chains (`<name>.chain`). */
async function make(): Promise<string> {
  const dir = cert_dir("pysocket_adv18b_chain_");
  await self_signed(dir, "root.key", "root.pem", "/CN=adv18b root", { ext: CA_EXT });
  await self_signed(dir, "p0.key", "p0.pem", "/CN=adv18b p0 root", {
    ext: ["-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  });
  await self_signed(dir, "evil.key", "evil.pem", "/CN=adv18b evil root", { ext: CA_EXT });
  await self_signed(dir, "self.key", "self.pem", "/CN=self client", {
    ext: ["-addext", "extendedKeyUsage=clientAuth"],
  });
  const sections = [
    "[cax]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "[notca]",
    "basicConstraints = critical,CA:FALSE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "[cli]",
    "extendedKeyUsage = clientAuth",
    "[srvonly]",
    "extendedKeyUsage = serverAuth",
    "[srv]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth",
  ];
  for (const ca of ["root", "p0", "evil", "int", "notca", "exp", "p0int", "p0int2"]) {
    ca_config(dir, `${ca}.cnf`, `db_${ca}`, sections, { serial: ca.length.toString(16).padStart(2, "0") + "01" });
  }
  const by = (i: string) => ({ cnf: `${i}.cnf`, issuer_cert: `${i}.pem`, issuer_key: `${i}.key` });
  const days = ["-days", "2"];
  const old = ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"];
  await ca_leaf(dir, "srv", "/CN=localhost", { ...by("root"), ext: "srv", dates: days });
  await ca_leaf(dir, "int", "/CN=adv18b int", { ...by("root"), ext: "cax", dates: days });
  await ca_leaf(dir, "notca", "/CN=adv18b notca int", { ...by("root"), ext: "notca", dates: days });
  await ca_leaf(dir, "exp", "/CN=adv18b expired int", { ...by("root"), ext: "cax", dates: old });
  await ca_leaf(dir, "p0int", "/CN=adv18b p0 int", { ...by("p0"), ext: "cax", dates: days });
  await ca_leaf(dir, "p0int2", "/CN=adv18b p0 int2", { ...by("p0int"), ext: "cax", dates: days });
  const leaves: [string, string, string][] = [
    ["direct", "root", "cli"],
    ["l_int", "int", "cli"],
    ["l_srvonly", "int", "srvonly"],
    ["l_notca", "notca", "cli"],
    ["l_exp", "exp", "cli"],
    ["l_p0", "p0int2", "cli"],
    ["l_p0ok", "p0int", "cli"],
    ["l_evil", "evil", "cli"],
  ];
  for (const [name, issuer, ext] of leaves) {
    await ca_leaf(dir, name, `/CN=${name}`, { ...by(issuer), ext, dates: days });
  }
  const t = (n: string) => Deno.readTextFileSync(`${dir}/${n}.pem`);
  const chain = (name: string, ...parts: string[]) => {
    Deno.writeTextFileSync(`${dir}/${name}.chain`, parts.map(t).join(""));
    Deno.copyFileSync(`${dir}/${parts[0]}.key`, `${dir}/${name}.chain.key`);
  };
  chain("direct", "direct");
  chain("int", "l_int", "int");
  chain("int_missing", "l_int");
  chain("srvonly", "l_srvonly", "int");
  chain("notca", "l_notca", "notca");
  chain("exp", "l_exp", "exp");
  chain("p0", "l_p0", "p0int2", "p0int");
  chain("p0ok", "l_p0ok", "p0int");
  chain("evil", "l_evil");
  chain("self", "self");
  Deno.writeTextFileSync(`${dir}/trust.pem`, t("root") + t("p0"));
  return dir;
}

const CHAINS = ["direct", "int", "int_missing", "srvonly", "notca", "exp", "p0", "p0ok", "evil", "self", "none"];
const ROWS: [number, string][] = [CERT_REQUIRED, CERT_OPTIONAL].flatMap((m) =>
  CHAINS.map((c) => [m, c] as [number, string])
);

const PY_CLIENT = `
import json, socket, ssl, struct, sys
d, port, rows = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
for i, (mode, chain) in enumerate(rows):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(d + "/root.pem")
    if chain != "none": c.load_cert_chain(d + "/" + chain + ".chain", d + "/" + chain + ".chain.key")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(struct.pack("!I", i))
            with c.wrap_socket(raw, server_hostname="localhost") as s:
                s.recv(10)
    except Exception:
        pass
`;

const PY_SERVER = `
import json, socket, ssl, struct, sys
d, rows = sys.argv[1], json.loads(sys.argv[2])
out = [None] * len(rows)
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    for _ in rows:
        raw, _a = srv.accept(); raw.settimeout(10)
        h = b""
        while len(h) < 4: h += raw.recv(4 - len(h))
        i = struct.unpack("!I", h)[0]
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(d + "/srv.pem", d + "/srv.key"); c.load_verify_locations(d + "/trust.pem")
        c.verify_mode = rows[i][0]
        try:
            with c.wrap_socket(raw, server_side=True) as s:
                pc = s.getpeercert()
                out[i] = "ok " + (dict(x[0] for x in pc["subject"])["commonName"] if pc else "none")
                s.sendall(b"ok")
        except ssl.SSLCertVerificationError as e:
            out[i] = "refused %s" % e.verify_code
        except Exception as e:
            out[i] = type(e).__name__ + " " + str(getattr(e, "reason", ""))
print(json.dumps(out))
`;

async function read4(raw: Socket): Promise<number> {
  const b = new Uint8Array(4);
  let n = 0;
  for (let k = 0; k < 8 && n < 4; k++) {
    const r = await raw.recv(4 - n);
    if (!r.length) break;
    b.set(r, n);
    n += r.length;
  }
  return new DataView(b.buffer).getUint32(0);
}

async function serve(dir: string, l: Socket): Promise<string[]> {
  const out: string[] = new Array(ROWS.length).fill("missing");
  for (let k = 0; k < ROWS.length; k++) {
    const [raw] = await l.accept();
    raw.settimeout(10);
    const i = await read4(raw);
    const c = new SSLContext(PROTOCOL_TLS_SERVER);
    c.load_cert_chain(`${dir}/srv.pem`, `${dir}/srv.key`);
    c.load_verify_locations(`${dir}/trust.pem`);
    c.verify_mode = ROWS[i]![0];
    try {
      const s = await c.wrap_socket(raw, { server_side: true });
      const pc = s.getpeercert() as { subject?: [string, string][][] } | null;
      out[i] = "ok " + (pc?.subject ? Object.fromEntries(pc.subject.map((x) => x[0]!))["commonName"] : "none");
      await s.sendall(new TextEncoder().encode("ok")).catch(() => {});
      s.close();
    } catch (e) {
      raw.close();
      const o = e as { name?: string; verify_code?: number; reason?: string };
      out[i] = o.name === "SSLCertVerificationError" ? `refused ${o.verify_code}` : `${o.name} ${o.reason ?? ""}`;
    }
  }
  return out;
}

test("adv18b: a server judges hostile client certificate chains (CERT_REQUIRED, CERT_OPTIONAL) as CPython's", async () => {
  const dir = await make();
  const rows = JSON.stringify(ROWS);
  const ps = await python_server(PY_SERVER, dir, rows);
  let want: string[];
  try {
    const c = await python(PY_CLIENT, dir, ps.first, rows);
    assert.equal(c.code, 0, c.err);
    const r = await ps.rest();
    assert.equal(r.code, 0, r.err);
    want = JSON.parse(r.out.trim());
  } finally {
    ps.kill();
  }
  using l = create_server(["127.0.0.1", 0]);
  const served = serve(dir, l);
  const c = await python(PY_CLIENT, dir, String((l.getsockname() as [string, number])[1]), rows);
  assert.equal(c.code, 0, c.err);
  const got = await served;
  const diffs = ROWS.flatMap(([m, chain], i) =>
    got[i] === want[i] ? [] : [`mode ${m} chain ${chain}: pysocket ${got[i]}, CPython ${want[i]}`]
  );
  console.log(`${ROWS.length} client chains judged; CPython: ${want.join(", ")}`);
  assert.deepEqual(diffs, []);
});
