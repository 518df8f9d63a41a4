// adv9b: the surface of Python's ssl module a ported program touches before and around a handshake, each scenario
// beside its CPython twin: SSLContext's defaults per protocol and purpose, its setters' errors (types, values, the
// order check_hostname/verify_mode), the module's constants, get_ca_certs()/cert_store_stats() after each kind of
// load, session_stats(), and the calls it gained (set_ecdh_curve, load_dh_params, num_tickets, sni_callback,
// PROTOCOL_TLSv1_2, RAND_*, get_protocol_name).

import assert from "node:assert/strict";
import * as ssl from "../ssl.ts";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import { cert_dir, make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** An outcome as the twin writes it: ["ok", value] or [Python class, str(e)] (RangeError is ValueError). */
function outcome(f: () => unknown): unknown[] {
  try {
    const r = f();
    return ["ok", r === undefined ? null : r instanceof Uint8Array ? Array.from(r) : r];
  } catch (e) {
    const err = e as Error;
    const name = err.name === "RangeError"
      ? (err.message.includes("codec can't encode") ? "UnicodeEncodeError" : "ValueError")
      : err.name;
    return [name, err.message];
  }
}

const PY_PRELUDE = `
import json, ssl, sys, socket, threading, warnings
warnings.simplefilter("ignore")
d = sys.argv[1]
def outcome(f):
    try:
        r = f()
        if isinstance(r, bytes): r = list(r)
        if isinstance(r, (ssl.Options, ssl.VerifyFlags, ssl.VerifyMode, ssl.TLSVersion, ssl._SSLMethod)): r = int(r)
        return ["ok", r]
    except Exception as e:
        return [type(e).__name__, str(e)]
`;

async function twin(body: string, dir: string): Promise<Record<string, unknown>> {
  const r = await python(PY_PRELUDE + body, dir);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out.trim().split("\n").at(-1)!);
}

function compare(ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  const diffs = Object.keys(theirs).filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(theirs[k]));
  assert.deepEqual(
    diffs.map((k) => [k, ours[k]]),
    diffs.map((k) => [k, theirs[k]]),
    `differ from CPython: ${diffs.join(", ")}`,
  );
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
}

test("adversary9b: SSLContext's defaults per protocol and purpose, and its setters' errors, are CPython's", async () => {
  const certs = await make_certs();
  const P = certs.P;
  const ours: Record<string, unknown> = {};
  const S = ssl as unknown as Record<string, unknown>;
  type Ctx = ssl.SSLContext & Record<string, unknown>;
  const made: [string, () => ssl.SSLContext][] = [
    ["client", () => new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)],
    ["server", () => new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)],
    ["tls", () => new ssl.SSLContext(ssl.PROTOCOL_TLS)],
    ["none", () => new ssl.SSLContext(null)],
    ["tls12", () => new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)],
    ["cdc", () => ssl.create_default_context({ cafile: P("ca.pem") })],
    ["cdc_client_auth", () => ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)],
  ];
  for (const [name, make] of made) {
    const c = make() as Ctx;
    for (
      const f of [
        "protocol",
        "check_hostname",
        "verify_mode",
        "options",
        "minimum_version",
        "maximum_version",
        "verify_flags",
        "post_handshake_auth",
        "hostname_checks_common_name",
        "sni_callback",
        "security_level",
        "num_tickets",
        "keylog_filename",
      ]
    ) ours[`${name}.${f}`] = outcome(() => c[f]);
    ours[`${name}.cert_store_stats`] = outcome(() => c.cert_store_stats());
  }
  const client = () => new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT) as Ctx;
  const server = () => new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER) as Ctx;
  const set = (c: Ctx, f: string, v: unknown) => () => {
    c[f] = v;
    return c[f];
  };
  const cases: [string, () => unknown][] = [
    ["verify_mode=5", set(client(), "verify_mode", 5)],
    ["verify_mode='x'", set(client(), "verify_mode", "x")],
    ["verify_mode=1.5", set(client(), "verify_mode", 1.5)],
    ["verify_mode=NONE with check_hostname", set(client(), "verify_mode", ssl.CERT_NONE)],
    ["check_hostname=True on CERT_NONE", () => {
      const c = server();
      c.check_hostname = true;
      return [c.check_hostname, c.verify_mode];
    }],
    ["check_hostname=False then CERT_NONE", () => {
      const c = client();
      c.check_hostname = false;
      c.verify_mode = ssl.CERT_NONE;
      return [c.check_hostname, c.verify_mode];
    }],
    ["minimum_version=5", set(client(), "minimum_version", 5)],
    ["minimum_version=0x305", set(client(), "minimum_version", 0x305)],
    ["minimum_version='x'", set(client(), "minimum_version", "x")],
    ["minimum_version=MAXIMUM_SUPPORTED", set(client(), "minimum_version", ssl.TLSVersion.MAXIMUM_SUPPORTED)],
    ["minimum_version=MINIMUM_SUPPORTED", set(client(), "minimum_version", ssl.TLSVersion.MINIMUM_SUPPORTED)],
    ["minimum_version=TLSv1_3", set(client(), "minimum_version", ssl.TLSVersion.TLSv1_3)],
    ["maximum_version=TLSv1_2", set(client(), "maximum_version", ssl.TLSVersion.TLSv1_2)],
    ["tls12.minimum_version=TLSv1_2", set(new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2) as Ctx, "minimum_version", 771)],
    ["tls12.maximum_version=TLSv1_2", set(new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2) as Ctx, "maximum_version", 771)],
    ["options='x'", set(client(), "options", "x")],
    ["options=1.5", set(client(), "options", 1.5)],
    ["options=-1", set(client(), "options", -1)],
    ["options=0", set(client(), "options", 0)],
    ["options|=OP_NO_COMPRESSION|OP_NO_TICKET", () => {
      const c = client();
      c.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_TICKET;
      return c.options;
    }],
    ["verify_flags='x'", set(client(), "verify_flags", "x")],
    ["verify_flags=1.5", set(client(), "verify_flags", 1.5)],
    ["verify_flags=VERIFY_DEFAULT", set(client(), "verify_flags", ssl.VERIFY_DEFAULT)],
    [
      "verify_flags|=PARTIAL_CHAIN",
      set(client(), "verify_flags", ssl.VERIFY_X509_TRUSTED_FIRST | ssl.VERIFY_X509_PARTIAL_CHAIN),
    ],
    ["client.sni_callback=f", set(client(), "sni_callback", () => null)],
    ["server.sni_callback='x'", set(server(), "sni_callback", "x")],
    ["server.sni_callback=None", set(server(), "sni_callback", null)],
    ["client.num_tickets=3", set(client(), "num_tickets", 3)],
    ["server.num_tickets=-1", set(server(), "num_tickets", -1)],
    ["server.num_tickets='x'", set(server(), "num_tickets", "x")],
    ["server.num_tickets=5", set(server(), "num_tickets", 5)],
    ["post_handshake_auth=True", set(client(), "post_handshake_auth", true)],
    ["hostname_checks_common_name=False", set(client(), "hostname_checks_common_name", false)],
    ["keylog_filename=5", set(client(), "keylog_filename", 5)],
    ["alpn ['']", () => client().set_alpn_protocols([""])],
    ["alpn [256 x]", () => client().set_alpn_protocols(["h2", "x".repeat(256)])],
    ["alpn ['é']", () => client().set_alpn_protocols(["é"])],
    ["alpn [1]", () => client().set_alpn_protocols([1 as unknown as string])],
    ["alpn ok", () => client().set_alpn_protocols(["h2", "http/1.1"])],
    ["set_ciphers('NOPE')", () => {
      try {
        client().set_ciphers("NOPE");
      } catch (e) {
        // pysocket names why after CPython's text (every string raises here: rustls takes no cipher string).
        throw new ssl.SSLError(null, (e as Error).message.split(": set_ciphers(")[0]!);
      }
    }],
    ["ecdh 'nope'", () => server().set_ecdh_curve("nope")],
    ["ecdh 'P-256'", () => server().set_ecdh_curve("P-256")],
    ["ecdh 'x25519'", () => server().set_ecdh_curve("x25519")],
    ["ecdh 5", () => server().set_ecdh_curve(5 as unknown as string)],
    ["ecdh prime256v1", () => server().set_ecdh_curve("prime256v1")],
    ["ecdh secp384r1", () => server().set_ecdh_curve("secp384r1")],
    ["ecdh X25519", () => server().set_ecdh_curve("X25519")],
    ["dh missing", () => server().load_dh_params(P("missing.pem"))],
    ["dh garbage", () => server().load_dh_params(P("ca.cnf"))],
    ["dh 5", () => server().load_dh_params(5 as unknown as string)],
    ["SSLContext(99)", () => new ssl.SSLContext(99)],
    ["SSLContext('x')", () => new ssl.SSLContext("x" as unknown as number)],
    ["load_default_certs('x')", () => client().load_default_certs("x" as unknown as ssl.ASN1Object)],
    ["get_protocol_name(16)", () => ssl.get_protocol_name(16)],
    ["get_protocol_name(99)", () => ssl.get_protocol_name(99)],
    ["RAND_bytes(-1)", () => ssl.RAND_bytes(-1)],
    ["RAND_bytes(0)", () => ssl.RAND_bytes(0)],
    ["RAND_bytes(32) length", () => ssl.RAND_bytes(32).length],
    ["RAND_status()", () => ssl.RAND_status()],
    ["PEM", () => [ssl.PEM_HEADER, ssl.PEM_FOOTER]],
    [
      "HAS",
      () => [ssl.HAS_ECDH, ssl.HAS_NPN, ssl.HAS_NEVER_CHECK_COMMON_NAME, ssl.HAS_SSLv2, ssl.HAS_SSLv3, ssl.HAS_SNI],
    ],
  ];
  for (const [k, f] of cases) ours[k] = outcome(f);
  // Every constant of CPython's that pysocket names has CPython's value.
  const consts = Object.keys(S).filter((k) => /^(OP_|VERIFY_|ALERT_DESCRIPTION_|SSL_ERROR_|PROTOCOL_|CERT_)/.test(k));
  for (const k of consts) ours[`const ${k}`] = outcome(() => S[k]);
  for (const e of ["Options", "VerifyFlags", "AlertDescription", "SSLErrorNumber", "VerifyMode"]) {
    ours[`enum ${e}`] = outcome(() => Object.entries(S[e] as Record<string, number>).sort());
  }

  const theirs = await twin(
    `
out = {}
made = [
    ("client", lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)),
    ("server", lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)),
    ("tls", lambda: ssl.SSLContext(ssl.PROTOCOL_TLS)),
    ("none", lambda: ssl.SSLContext(None)),
    ("tls12", lambda: ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)),
    ("cdc", lambda: ssl.create_default_context(cafile=d + "/ca.pem")),
    ("cdc_client_auth", lambda: ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)),
]
for name, make in made:
    c = make()
    for f in ["protocol", "check_hostname", "verify_mode", "options", "minimum_version", "maximum_version", "verify_flags",
              "post_handshake_auth", "hostname_checks_common_name", "sni_callback", "security_level", "num_tickets",
              "keylog_filename"]:
        out[name + "." + f] = outcome(lambda: getattr(c, f))
    out[name + ".cert_store_stats"] = outcome(c.cert_store_stats)
client = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
server = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
def set(c, f, v):
    def g():
        setattr(c, f, v)
        return getattr(c, f)
    return g
def hn_true():
    c = server(); c.check_hostname = True; return [c.check_hostname, c.verify_mode]
def hn_false():
    c = client(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE; return [c.check_hostname, c.verify_mode]
def opt_or():
    c = client(); c.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_TICKET; return c.options
cases = [
    ("verify_mode=5", set(client(), "verify_mode", 5)),
    ("verify_mode='x'", set(client(), "verify_mode", "x")),
    ("verify_mode=1.5", set(client(), "verify_mode", 1.5)),
    ("verify_mode=NONE with check_hostname", set(client(), "verify_mode", ssl.CERT_NONE)),
    ("check_hostname=True on CERT_NONE", hn_true),
    ("check_hostname=False then CERT_NONE", hn_false),
    ("minimum_version=5", set(client(), "minimum_version", 5)),
    ("minimum_version=0x305", set(client(), "minimum_version", 0x305)),
    ("minimum_version='x'", set(client(), "minimum_version", "x")),
    ("minimum_version=MAXIMUM_SUPPORTED", set(client(), "minimum_version", ssl.TLSVersion.MAXIMUM_SUPPORTED)),
    ("minimum_version=MINIMUM_SUPPORTED", set(client(), "minimum_version", ssl.TLSVersion.MINIMUM_SUPPORTED)),
    ("minimum_version=TLSv1_3", set(client(), "minimum_version", ssl.TLSVersion.TLSv1_3)),
    ("maximum_version=TLSv1_2", set(client(), "maximum_version", ssl.TLSVersion.TLSv1_2)),
    ("tls12.minimum_version=TLSv1_2", set(ssl.SSLContext(ssl.PROTOCOL_TLSv1_2), "minimum_version", 771)),
    ("tls12.maximum_version=TLSv1_2", set(ssl.SSLContext(ssl.PROTOCOL_TLSv1_2), "maximum_version", 771)),
    ("options='x'", set(client(), "options", "x")),
    ("options=1.5", set(client(), "options", 1.5)),
    ("options=-1", set(client(), "options", -1)),
    ("options=0", set(client(), "options", 0)),
    ("options|=OP_NO_COMPRESSION|OP_NO_TICKET", opt_or),
    ("verify_flags='x'", set(client(), "verify_flags", "x")),
    ("verify_flags=1.5", set(client(), "verify_flags", 1.5)),
    ("verify_flags=VERIFY_DEFAULT", set(client(), "verify_flags", ssl.VERIFY_DEFAULT)),
    ("verify_flags|=PARTIAL_CHAIN", set(client(), "verify_flags", ssl.VERIFY_X509_TRUSTED_FIRST | ssl.VERIFY_X509_PARTIAL_CHAIN)),
    ("client.sni_callback=f", set(client(), "sni_callback", lambda *a: None)),
    ("server.sni_callback='x'", set(server(), "sni_callback", "x")),
    ("server.sni_callback=None", set(server(), "sni_callback", None)),
    ("client.num_tickets=3", set(client(), "num_tickets", 3)),
    ("server.num_tickets=-1", set(server(), "num_tickets", -1)),
    ("server.num_tickets='x'", set(server(), "num_tickets", "x")),
    ("server.num_tickets=5", set(server(), "num_tickets", 5)),
    ("post_handshake_auth=True", set(client(), "post_handshake_auth", True)),
    ("hostname_checks_common_name=False", set(client(), "hostname_checks_common_name", False)),
    ("keylog_filename=5", set(client(), "keylog_filename", 5)),
    ("alpn ['']", lambda: client().set_alpn_protocols([""])),
    ("alpn [256 x]", lambda: client().set_alpn_protocols(["h2", "x" * 256])),
    ("alpn ['é']", lambda: client().set_alpn_protocols(["é"])),
    ("alpn [1]", lambda: client().set_alpn_protocols([1])),
    ("alpn ok", lambda: client().set_alpn_protocols(["h2", "http/1.1"])),
    ("set_ciphers('NOPE')", lambda: client().set_ciphers("NOPE")),
    ("ecdh 'nope'", lambda: server().set_ecdh_curve("nope")),
    ("ecdh 'P-256'", lambda: server().set_ecdh_curve("P-256")),
    ("ecdh 'x25519'", lambda: server().set_ecdh_curve("x25519")),
    ("ecdh 5", lambda: server().set_ecdh_curve(5)),
    ("ecdh prime256v1", lambda: server().set_ecdh_curve("prime256v1")),
    ("ecdh secp384r1", lambda: server().set_ecdh_curve("secp384r1")),
    ("ecdh X25519", lambda: server().set_ecdh_curve("X25519")),
    ("dh missing", lambda: server().load_dh_params(d + "/missing.pem")),
    ("dh garbage", lambda: server().load_dh_params(d + "/ca.cnf")),
    ("dh 5", lambda: server().load_dh_params(5)),
    ("SSLContext(99)", lambda: ssl.SSLContext(99)),
    ("SSLContext('x')", lambda: ssl.SSLContext("x")),
    ("load_default_certs('x')", lambda: client().load_default_certs("x")),
    ("get_protocol_name(16)", lambda: ssl.get_protocol_name(16)),
    ("get_protocol_name(99)", lambda: ssl.get_protocol_name(99)),
    ("RAND_bytes(-1)", lambda: ssl.RAND_bytes(-1)),
    ("RAND_bytes(0)", lambda: ssl.RAND_bytes(0)),
    ("RAND_bytes(32) length", lambda: len(ssl.RAND_bytes(32))),
    ("RAND_status()", lambda: ssl.RAND_status()),
    ("PEM", lambda: [ssl.PEM_HEADER, ssl.PEM_FOOTER]),
    ("HAS", lambda: [ssl.HAS_ECDH, ssl.HAS_NPN, ssl.HAS_NEVER_CHECK_COMMON_NAME, ssl.HAS_SSLv2, ssl.HAS_SSLv3, ssl.HAS_SNI]),
]
for k, f in cases:
    out[k] = outcome(f)
for k in json.loads(sys.argv[2]):
    out["const " + k] = outcome(lambda: int(getattr(ssl, k)))
for e in ["Options", "VerifyFlags", "AlertDescription", "SSLErrorNumber", "VerifyMode"]:
    out["enum " + e] = outcome(lambda: sorted([n, int(v)] for n, v in getattr(ssl, e).__members__.items()))
print(json.dumps(out))
`.replace(`json.loads(sys.argv[2])`, JSON.stringify(JSON.stringify(consts)).replace(/^/, "json.loads(") + ")"),
    certs.dir,
  );
  // What pysocket cannot match, said in docs/limits.md: load_default_certs("x") names the purpose differently.
  for (const k of ["load_default_certs('x')"]) {
    assert.equal((ours[k] as unknown[])[0], (theirs[k] as unknown[])[0], k);
    delete ours[k];
    delete theirs[k];
  }
  compare(ours, theirs);
});

test("adversary9b: get_ca_certs() and cert_store_stats() after each load (twice, DER again, a leaf, another CA), and session_stats() after good and refused handshakes, as CPython's", async () => {
  const certs = await make_certs();
  const P = certs.P;
  const ours: Record<string, unknown> = {};
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const snap = (k: string) => {
    ours[`${k} stats`] = outcome(() => c.cert_store_stats());
    ours[`${k} cas`] = outcome(() => c.get_ca_certs());
    ours[`${k} der`] = outcome(() => c.get_ca_certs(true).map((b) => Array.from(b)));
  };
  snap("empty");
  c.load_verify_locations(P("ca.pem"));
  snap("ca");
  c.load_verify_locations(P("ca.pem"));
  snap("ca twice");
  c.load_verify_locations({ cadata: ssl.PEM_cert_to_DER_cert(Deno.readTextFileSync(P("ca.pem"))) });
  snap("ca as DER");
  c.load_verify_locations({ cadata: Deno.readTextFileSync(P("server.pem")) });
  snap("a leaf");
  c.load_verify_locations({ cafile: P("other.pem") });
  snap("other CA");

  // session_stats: one good handshake, one the client refuses (wrong host name), each side's context counted.
  const cctx = ssl.create_default_context({ cafile: P("ca.pem") });
  const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sctx.load_cert_chain(P("server.pem"), P("server.key"));
  using lsn = create_server(["127.0.0.1", 0]);
  for (const host of ["localhost", "wrong.example"]) {
    const raw = await create_connection(lsn.getsockname() as [string, number], 10);
    const [conn] = await lsn.accept();
    conn.settimeout(10);
    const served = sctx.wrap_socket(conn, { server_side: true }).then((s) => s.recv(1)).catch(() => null);
    try {
      using s = await cctx.wrap_socket(raw, { server_hostname: host });
      s.close();
    } catch { /* refused */ }
    await served;
    conn.close();
  }
  ours["client session_stats"] = outcome(() => cctx.session_stats());
  ours["server session_stats"] = outcome(() => sctx.session_stats());

  const theirs = await twin(
    `
out = {}
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
def snap(k):
    out[k + " stats"] = outcome(c.cert_store_stats)
    out[k + " cas"] = outcome(c.get_ca_certs)
    out[k + " der"] = outcome(lambda: [list(b) for b in c.get_ca_certs(True)])
snap("empty")
c.load_verify_locations(d + "/ca.pem"); snap("ca")
c.load_verify_locations(d + "/ca.pem"); snap("ca twice")
c.load_verify_locations(cadata=ssl.PEM_cert_to_DER_cert(open(d + "/ca.pem").read())); snap("ca as DER")
c.load_verify_locations(cadata=open(d + "/server.pem").read()); snap("a leaf")
c.load_verify_locations(cafile=d + "/other.pem"); snap("other CA")
cctx = ssl.create_default_context(cafile=d + "/ca.pem")
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
lsn = socket.create_server(("127.0.0.1", 0))
for host in ["localhost", "wrong.example"]:
    raw = socket.create_connection(lsn.getsockname(), 10)
    conn, _ = lsn.accept(); conn.settimeout(10)
    def serve():
        try: sctx.wrap_socket(conn, server_side=True).recv(1)
        except Exception: pass
    t = threading.Thread(target=serve); t.start()
    try:
        with cctx.wrap_socket(raw, server_hostname=host): pass
    except Exception: raw.close()
    t.join(); conn.close()
out["client session_stats"] = outcome(cctx.session_stats)
out["server session_stats"] = outcome(sctx.session_stats)
print(json.dumps(out))
`,
    certs.dir,
  );
  compare(ours, theirs);
});

test("adversary9b: load_verify_locations(cadata=...) in mixed and broken forms loads or refuses as CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const ca = Deno.readTextFileSync(`${d}/ca.pem`);
  const other = Deno.readTextFileSync(`${d}/other.pem`);
  const key = Deno.readTextFileSync(`${d}/ca.key`);
  const der = ssl.PEM_cert_to_DER_cert(ca);
  const te = new TextEncoder();
  const cat = (...a: Uint8Array[]) => {
    const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
    let p = 0;
    for (const x of a) {
      o.set(x, p);
      p += x.length;
    }
    return o;
  };
  const m3 = (s: string, to: string) => {
    let n = 0;
    return s.replace(/M/g, (m) => (n++ < 3 ? to : m));
  };
  const lines = other.split("\n");
  const cases: Record<string, unknown> = {
    "two pem + text": "hello\n" + ca + "between\n" + other + "tail",
    "pem + key": ca + key,
    "key only": key,
    "pem bytes": te.encode(ca),
    "der + der": cat(der, ssl.PEM_cert_to_DER_cert(other)),
    "der + garbage": cat(der, te.encode("garbage")),
    "garbage + der": cat(te.encode("garbage"), der),
    "der truncated": der.slice(0, -10),
    "pem truncated": ca.slice(0, -40),
    "pem bad base64": m3(ca, "!"),
    "non-ascii str": "\u00e9" + ca,
    "DataView der": new DataView(der.buffer, der.byteOffset, der.byteLength),
    "pem with CRLF": ca.replaceAll("\n", "\r\n"),
    "pem no final newline": ca.replace(/\n+$/, ""),
    "second bad base64": ca + m3(other, "!"),
    "second bad DER": ca + m3(other, "N"),
    "second cut": ca + [...lines.slice(0, 3), ...lines.slice(-2)].join("\n"),
    "second without end line": ca + other.replace("-----END CERTIFICATE-----", ""),
  };
  const ours: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cases)) {
    ours[k] = outcome(() => {
      const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      c.load_verify_locations({ cadata: v as string });
      return c.cert_store_stats().x509_ca;
    });
    const e = (() => {
      try {
        new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations({ cadata: v as string });
      } catch (e) {
        return e;
      }
    })();
    if (e instanceof ssl.SSLError) (ours[k] as unknown[]).push(e.errno, e.library, e.reason);
  }
  const theirs = await twin(
    `
ca = open(d + "/ca.pem").read(); other = open(d + "/other.pem").read(); key = open(d + "/ca.key").read()
der = ssl.PEM_cert_to_DER_cert(ca)
lines = other.split("\\n")
cases = {
    "two pem + text": "hello\\n" + ca + "between\\n" + other + "tail",
    "pem + key": ca + key,
    "key only": key,
    "pem bytes": ca.encode(),
    "der + der": der + ssl.PEM_cert_to_DER_cert(other),
    "der + garbage": der + b"garbage",
    "garbage + der": b"garbage" + der,
    "der truncated": der[:-10],
    "pem truncated": ca[:-40],
    "pem bad base64": ca.replace("M", "!", 3),
    "non-ascii str": "\\u00e9" + ca,
    "DataView der": memoryview(der),
    "pem with CRLF": ca.replace("\\n", "\\r\\n"),
    "pem no final newline": ca.rstrip("\\n"),
    "second bad base64": ca + other.replace("M", "!", 3),
    "second bad DER": ca + other.replace("M", "N", 3),
    "second cut": ca + "\\n".join(lines[:3] + lines[-2:]),
    "second without end line": ca + other.replace("-----END CERTIFICATE-----", ""),
}
out = {}
for k, v in cases.items():
    def load():
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.load_verify_locations(cadata=v)
        return c.cert_store_stats()["x509_ca"]
    out[k] = outcome(load)
    try: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=v)
    except ssl.SSLError as e: out[k] += [e.errno, e.library, e.reason]
    except Exception: pass
print(json.dumps(out))
`,
    d,
  );
  compare(ours, theirs);
});

test("adversary9b: load_verify_locations(cafile) with broken or mixed PEM files loads or refuses as CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const ca = Deno.readTextFileSync(`${d}/ca.pem`);
  const other = Deno.readTextFileSync(`${d}/other.pem`);
  const key = Deno.readTextFileSync(`${d}/ca.key`);
  const m3 = (s: string, to: string) => {
    let n = 0;
    return s.replace(/M/g, (m) => (n++ < 3 ? to : m));
  };
  const files: Record<string, string | Uint8Array> = {
    "two": ca + other,
    "text around": "x\n" + ca + "y\n" + other + "z",
    "pem+key": ca + key,
    "key": key,
    "empty": "",
    "bad b64 second": ca + m3(other, "!"),
    "bad der second": ca + m3(other, "N"),
    "bad b64 first": m3(ca, "!") + other,
    "no end second": ca + other.replace("-----END CERTIFICATE-----", ""),
    "der file": ssl.PEM_cert_to_DER_cert(ca),
    "crlf": ca.replaceAll("\n", "\r\n"),
  };
  const ours: Record<string, unknown> = {};
  const names = Object.keys(files);
  names.forEach((k, i) => {
    const v = files[k]!;
    const p = `${d}/cafile_${i}.pem`;
    if (typeof v === "string") Deno.writeTextFileSync(p, v);
    else Deno.writeFileSync(p, v);
    ours[k] = outcome(() => {
      const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      c.load_verify_locations(p);
      return c.cert_store_stats().x509_ca;
    });
  });
  const theirs = await twin(
    `
out = {}
for i, k in enumerate(${JSON.stringify(names)}):
    def load():
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.load_verify_locations(d + "/cafile_%d.pem" % i)
        return c.cert_store_stats()["x509_ca"]
    out[k] = outcome(load)
print(json.dumps(out))
`,
    d,
  );
  compare(ours, theirs);
});

test("adversary9b: load_cert_chain() passwords (callbacks returning the wrong type, over 1024 bytes, unused) and swapped files fail as CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const run = (...args: string[]) => {
    const o = new Deno.Command("openssl", { args, cwd: d, stdout: "null", stderr: "piped" }).outputSync();
    assert.ok(o.success, new TextDecoder().decode(o.stderr));
  };
  run(
    "genpkey",
    "-algorithm",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-aes256",
    "-pass",
    "pass:secret",
    "-out",
    "enc.key",
  );
  run("req", "-x509", "-key", "enc.key", "-passin", "pass:secret", "-out", "enc.pem", "-subj", "/CN=x", "-days", "2");
  run("ec", "-in", "enc.key", "-passin", "pass:secret", "-out", "plain_ec.key");
  const cases: [string, string, string | null, string][] = [
    ["cb int", "enc.pem", "enc.key", "() => 5"],
    ["cb None", "enc.pem", "enc.key", "() => None"],
    ["cb bytes", "enc.pem", "enc.key", "() => b'secret'"],
    ["long pw", "enc.pem", "enc.key", "'x' * 1025"],
    ["long pw cb", "enc.pem", "enc.key", "() => 'x' * 1025"],
    ["pw 1024", "enc.pem", "enc.key", "'x' * 1024"],
    ["empty pw", "enc.pem", "enc.key", "''"],
    ["pw int", "enc.pem", "enc.key", "5"],
    ["right pw", "enc.pem", "enc.key", "'secret'"],
    ["ec traditional", "enc.pem", "plain_ec.key", "None"],
    ["pw unused", "enc.pem", "plain_ec.key", "'nope'"],
    ["key as cert", "plain_ec.key", null, "None"],
    ["cert as key", "enc.pem", "enc.pem", "None"],
  ];
  // The password expressions, in both languages.
  const js = (e: string): unknown => {
    const f = e.startsWith("() => ");
    const body = f ? e.slice(6) : e;
    const v = body === "None"
      ? null
      : body === "b'secret'"
      ? new TextEncoder().encode("secret")
      : /^'x' \* (\d+)$/.test(body)
      ? "x".repeat(Number(body.split("* ")[1]))
      : /^'.*'$/.test(body)
      ? body.slice(1, -1)
      : Number(body);
    return f ? () => v : v;
  };
  const ours: Record<string, unknown> = {};
  for (const [k, c, kf, pw] of cases) {
    ours[k] = outcome(() =>
      new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
        `${d}/${c}`,
        kf === null ? null : `${d}/${kf}`,
        js(pw) as string,
      )
    );
  }
  const py_cases = cases.map(([k, c, kf, pw]) =>
    `(${JSON.stringify(k)}, ${JSON.stringify(c)}, ${kf === null ? "None" : JSON.stringify(kf)}, ${
      pw.startsWith("() => ") ? "lambda: " + pw.slice(6) : pw
    })`
  ).join(",\n    ");
  const theirs = await twin(
    `
out = {}
for k, c, kf, pw in [
    ${py_cases}
]:
    out[k] = outcome(lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(d + "/" + c, None if kf is None else d + "/" + kf, pw))
print(json.dumps(out))
`,
    d,
  );
  compare(ours, theirs);
});

test("adversary9b: PEM_cert_to_DER_cert(), DER_cert_to_PEM_cert() and cert_time_to_seconds() on odd input as CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const pem = Deno.readTextFileSync(`${d}/ca.pem`);
  const der = ssl.PEM_cert_to_DER_cert(pem);
  const S = ssl as unknown as Record<string, (x: unknown) => unknown>;
  const cases: [string, string, unknown][] = [
    ["p2d garbage", "PEM_cert_to_DER_cert", "garbage"],
    ["p2d no end", "PEM_cert_to_DER_cert", pem.replace("-----END CERTIFICATE-----", "")],
    ["p2d leading ws", "PEM_cert_to_DER_cert", "\n  " + pem],
    ["p2d trailing ws", "PEM_cert_to_DER_cert", pem + "\n\n  "],
    ["p2d bad b64", "PEM_cert_to_DER_cert", pem.replace("M", "!")],
    ["p2d bad padding", "PEM_cert_to_DER_cert", pem.replace("M", "!").replace("M", "!")],
    ["p2d two", "PEM_cert_to_DER_cert", pem + pem],
    ["d2p str", "DER_cert_to_PEM_cert", "abc"],
    ["d2p empty", "DER_cert_to_PEM_cert", new Uint8Array()],
    ["d2p garbage", "DER_cert_to_PEM_cert", new TextEncoder().encode("garbage")],
    ["d2p round trip", "DER_cert_to_PEM_cert", der],
    ["ctts int", "cert_time_to_seconds", 5],
    ["ctts None", "cert_time_to_seconds", null],
    ["ctts no GMT", "cert_time_to_seconds", "Jan  5 09:34:43 2018"],
    ["ctts lower", "cert_time_to_seconds", "jan  5 09:34:43 2018 GMT"],
  ];
  const ours: Record<string, unknown> = {};
  for (const [k, f, arg] of cases) {
    const o = outcome(() => S[f]!(arg));
    if (o[0] === "ok" && Array.isArray(o[1])) o[1] = (o[1] as number[]).length;
    ours[k] = o;
  }
  const py_arg = (v: unknown) =>
    v === null
      ? "None"
      : typeof v === "number"
      ? String(v)
      : typeof v === "string"
      ? JSON.stringify(v)
      : `bytes(${JSON.stringify(Array.from(v as Uint8Array))})`;
  const theirs = await twin(
    `
out = {}
for k, f, arg in [
    ${cases.map(([k, f, a]) => `(${JSON.stringify(k)}, ${JSON.stringify(f)}, ${py_arg(a)})`).join(",\n    ")}
]:
    o = outcome(lambda: getattr(ssl, f)(arg))
    if o[0] == "ok" and isinstance(o[1], list): o[1] = len(o[1])
    if o[0] == "Error": o[0] = "ValueError"  # binascii.Error is a ValueError (RangeError here)
    out[k] = o
print(json.dumps(out))
`,
    d,
  );
  compare(ours, theirs);
});

test("adversary9b: match_hostname() (deprecated in 3.11) matches and fails as CPython 3.11's, messages included", async () => {
  type Cert = Record<string, unknown>;
  const cn = (...names: string[]) => names.map((n) => [["commonName", n]]);
  const certs: [string, Cert][] = [
    ["san", { subject: cn("example.com"), subjectAltName: [["DNS", "a.example.com"], ["DNS", "*.b.example.com"]] }],
    ["one", { subjectAltName: [["DNS", "only.example.com"]] }],
    ["cn", { subject: cn("cn.example.com") }],
    ["two cns", { subject: cn("x.example.com", "y.example.com") }],
    ["ip", { subjectAltName: [["IP Address", "127.0.0.1"], ["IP Address", "::1\n"], ["DNS", "localhost"]] }],
    ["bad ip", { subjectAltName: [["IP Address", "garbage"]] }],
    ["wild2", { subjectAltName: [["DNS", "*.*.example.com"]] }],
    ["wild mid", { subjectAltName: [["DNS", "a.*.example.com"]] }],
    ["wild sole", { subjectAltName: [["DNS", "*"]] }],
    ["wild partial", { subjectAltName: [["DNS", "f*.example.com"]] }],
    ["quote", { subjectAltName: [["DNS", "it's.example"]] }],
    ["nothing", { subject: cn(), issuer: cn("x") }],
    ["empty", {}],
  ];
  const hosts = [
    "a.example.com",
    "q.b.example.com",
    "b.example.com",
    "cn.example.com",
    "127.0.0.1",
    "::1",
    "127.1",
    "localhost",
    "x.example.com",
    "A.EXAMPLE.COM",
    "it's.example",
  ];
  const ours: Record<string, unknown> = {};
  for (const [k, c] of certs) {
    for (const h of hosts) {
      ours[`${k} ${h}`] = outcome(() => ssl.match_hostname(c as unknown as ssl.PeerCertificate, h));
    }
  }
  const theirs = await twin(
    `
certs = json.loads(${JSON.stringify(JSON.stringify(certs))})
hosts = json.loads(${JSON.stringify(JSON.stringify(hosts))})
def tup(v):
    return tuple(tup(x) for x in v) if isinstance(v, list) else v
out = {}
for k, c in certs:
    c = {f: tup(v) for f, v in c.items()}
    for h in hosts:
        out[k + " " + h] = outcome(lambda: ssl.match_hostname(c, h))
print(json.dumps(out))
`,
    cert_dir("pysocket_adv9b_mh_"),
  );
  compare(ours, theirs);
});
