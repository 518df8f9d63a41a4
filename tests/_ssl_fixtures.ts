// Certificates for the TLS tests, made with openssl at test time in a temp
// dir: a trusted CA, an untrusted CA, leaves signed by each, a self-signed
// certificate, an expired one, a wrong-host one and a client certificate;
// and helpers to run python3 peers.

import { create_connection } from "../connection.ts";
import { create_server } from "../mod.ts";
import { create_default_context, type SSLContext, type SSLSocket } from "../ssl.ts";

const dec = new TextDecoder();

/** Paths of the certificates made by {@linkcode make_certs}. */
export interface Certs {
  dir: string;
  /** `${dir}/${name}` */
  P(name: string): string;
}

/** `req` options for a new EC P-256 key without a passphrase (fast). */
export const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
/** `req` options for a new RSA 2048 key without a passphrase. */
export const RSA_KEY = ["-newkey", "rsa:2048", "-nodes"];
/** `req -x509` extensions of a CA certificate. */
export const CA_EXT = [
  "-addext",
  "basicConstraints=critical,CA:TRUE",
  "-addext",
  "keyUsage=critical,keyCertSign,cRLSign",
];

/** A new temp dir (prefix `prefix`), removed at unload. */
export function cert_dir(prefix: string): string {
  const dir = Deno.makeTempDirSync({ prefix });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  return dir;
}

/** Run `openssl ...args` in `dir`; throw with its stderr if it fails. */
export async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args.join(" ")}: ${dec.decode(out.stderr)}`);
}

/**
 * A self-signed certificate (`req -x509`) in `dir`: `key` and `cert` are file
 * names, `subj` e.g. `/CN=localhost`, `ext` extra `-addext` values (e.g.
 * `CA_EXT`-style or a subjectAltName), valid `days` days.
 */
export async function self_signed(
  dir: string,
  key: string,
  cert: string,
  subj: string,
  { newkey = EC_KEY, ext = [] as string[], days = "2" } = {},
): Promise<void> {
  await openssl(dir, "req", "-x509", ...newkey, "-keyout", key, "-out", cert, "-days", days, "-subj", subj, ...ext);
}

/**
 * Write `${dir}/${cnf}` for `openssl ca` with its own database in
 * `${dir}/${db}` (serial `serial`): policy `p` (commonName supplied, then
 * `policy` lines), `[d]` extra lines `extra`, then `sections` verbatim.
 */
export function ca_config(
  dir: string,
  cnf: string,
  db: string,
  sections: string[],
  { serial = "01", extra = [] as string[], policy = [] as string[] } = {},
): void {
  Deno.mkdirSync(`${dir}/${db}`);
  Deno.writeTextFileSync(`${dir}/${db}/index.txt`, "");
  Deno.writeTextFileSync(`${dir}/${db}/serial`, `${serial}\n`);
  Deno.writeTextFileSync(
    `${dir}/${cnf}`,
    [
      "[ca]",
      "default_ca = d",
      "[d]",
      `database = ${db}/index.txt`,
      `new_certs_dir = ${db}`,
      `serial = ${db}/serial`,
      "default_md = sha256",
      "policy = p",
      "unique_subject = no",
      ...extra,
      "[p]",
      "commonName = supplied",
      ...policy,
      ...sections,
      "",
    ].join("\n"),
  );
}

/**
 * A new key `${name}.key` and a certificate `${name}${suffix}` for `subj`,
 * signed with `openssl ca` (config `cnf`, issuer `issuer_cert`/`issuer_key`,
 * extensions section `ext`, validity `dates`: `["-days", n]` or
 * `-startdate`/`-enddate`).
 */
export async function ca_leaf(
  dir: string,
  name: string,
  subj: string,
  { cnf, issuer_cert, issuer_key, ext, dates, newkey = EC_KEY, suffix = ".pem" }: {
    cnf: string;
    issuer_cert: string;
    issuer_key: string;
    ext: string;
    dates: string[];
    newkey?: string[];
    suffix?: string;
  },
): Promise<void> {
  await openssl(dir, "req", ...newkey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
  await openssl(
    dir,
    "ca",
    "-batch",
    "-config",
    cnf,
    "-cert",
    issuer_cert,
    "-keyfile",
    issuer_key,
    "-in",
    `${name}.csr`,
    "-out",
    `${name}${suffix}`,
    "-extensions",
    ext,
    "-notext",
    ...dates,
  );
}

/**
 * A new temp dir (removed at unload) with a CA (`ca.pem`, `ca.key`: EC P-256, `/CN=ca`, 2 days) and a `/CN=localhost`
 * key and signing request (`<leaf>.key`, `<leaf>.csr`) for {@linkcode ca_sign}.
 */
export async function ca_and_request(prefix: string, leaf = "server"): Promise<string> {
  const dir = cert_dir(prefix);
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC_KEY,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=ca",
    ...CA_EXT,
  );
  await openssl(dir, "req", ...EC_KEY, "-keyout", `${leaf}.key`, "-out", `${leaf}.csr`, "-subj", "/CN=localhost");
  return dir;
}

/** Sign `<leaf>.csr` in `dir` with its CA ({@linkcode ca_and_request}) into `out`, 2 days, extensions from the file `ext`. */
export async function ca_sign(dir: string, leaf: string, out: string, ext: string): Promise<void> {
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${leaf}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    out,
    "-days",
    "2",
    "-extfile",
    ext,
  );
}

/**
 * A self-signed `cert.pem` + `key.pem` for `/CN=localhost` (with SANs
 * localhost and 127.0.0.1 unless `san` is false) in a new temp dir removed
 * at unload. With `missing("openssl")` pass `make: false`: the dir is made,
 * no openssl is spawned.
 */
export async function localhost_cert(
  prefix: string,
  { san = true, make = true } = {},
): Promise<{ dir: string; cert: string; key: string }> {
  const dir = cert_dir(prefix);
  const ext = san ? ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"] : [];
  if (make) await self_signed(dir, "key.pem", "cert.pem", "/CN=localhost", { ext });
  return { dir, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

/**
 * Make every certificate in a new temp dir (removed at unload): `ca`,
 * `other` (an untrusted CA), `server` (localhost, 127.0.0.1), `wrong`
 * (wrong.example), `expired`, `client` (CN=pysocket client), `evil_client`
 * (CN=admin, signed by `other`), `self` (self-signed CN=localhost), each
 * `.pem` + `.key`. EC P-256 keys keep it fast.
 */
export async function make_certs(): Promise<Certs> {
  const dir = cert_dir("pysocket_ssl_");
  for (const [name, cn] of [["ca", "pysocket test CA"], ["other", "untrusted CA"]]) {
    await self_signed(dir, `${name}.key`, `${name}.pem`, `/CN=${cn}`, { ext: CA_EXT });
  }
  await self_signed(dir, "self.key", "self.pem", "/CN=localhost", {
    ext: ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
  });
  for (const ca of ["ca", "other"]) {
    ca_config(dir, `${ca}.cnf`, `db_${ca}`, [
      "[good]",
      "subjectAltName = DNS:localhost,IP:127.0.0.1",
      "extendedKeyUsage = serverAuth,clientAuth",
      "[wrong]",
      "subjectAltName = DNS:wrong.example",
      "extendedKeyUsage = serverAuth",
    ], { extra: ["preserve = yes"], policy: ["organizationName = optional", "organizationalUnitName = optional"] });
  }
  const leaf = (name: string, subj: string, ext: string, dates: string[], ca = "ca") =>
    ca_leaf(dir, name, subj, { cnf: `${ca}.cnf`, issuer_cert: `${ca}.pem`, issuer_key: `${ca}.key`, ext, dates });
  await leaf("server", "/CN=localhost/O=pysocket/OU=one/OU=two", "good", ["-days", "2"]);
  await leaf("wrong", "/CN=wrong.example", "wrong", ["-days", "2"]);
  await leaf("expired", "/CN=localhost", "good", ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]);
  await leaf("client", "/CN=pysocket client", "good", ["-days", "2"]);
  await leaf("evil_client", "/CN=admin", "good", ["-days", "2"], "other");
  await leaf("untrusted", "/CN=localhost", "good", ["-days", "2"], "other");
  return { dir, P: (name: string) => `${dir}/${name}` };
}

/** Read `reader` until its first newline (at most 100 chunks); return all text read. */
export async function read_first_line(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let buf = "";
  for (let i = 0; i < 100 && !buf.includes("\n"); i++) {
    const r = await reader.read();
    if (r.done) break;
    buf += dec.decode(r.value);
  }
  return buf;
}

/** Run a python3 script with a time limit. */
export async function python(script: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const o = await child.output();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/**
 * Start a python3 script that prints one line first (e.g. its port), and
 * return that line and the child (its remaining stdout/stderr can be read
 * with `rest()`).
 */
export async function python_server(
  script: string,
  ...args: string[]
): Promise<{ first: string; rest(): Promise<{ code: number; out: string; err: string }>; kill(): void }> {
  const child = new Deno.Command("python3", {
    args: ["-u", "-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    // A bound on a hung twin, not a time limit of the scenario: a server that serves a test's whole sequence of
    // clients (14 openssl s_client runs in adversary13a_ssl_hello) took over 30 s on a loaded CI machine.
    signal: AbortSignal.timeout(90_000),
  }).spawn();
  const reader = child.stdout.getReader();
  const buf = await read_first_line(reader);
  const nl = buf.indexOf("\n");
  const first = nl >= 0 ? buf.slice(0, nl) : buf;
  let out = nl >= 0 ? buf.slice(nl + 1) : "";
  return {
    first,
    async rest() {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        out += dec.decode(r.value);
      }
      const err = await new Response(child.stderr).text();
      const st = await child.status;
      return { code: st.code, out, err };
    },
    kill() {
      try {
        child.kill();
      } catch { /* ended */ }
    },
  };
}

/**
 * A python3 TLS server on loopback for the bulk tests: prints its port, accepts one client (30 s timeouts), wraps
 * it as `s` with `certs`' server certificate and runs `body` (indented into the `with` block). `setup` lines run on
 * `ctx` first (a maximum version, say); `args` follow the certificate directory in `sys.argv`.
 */
export async function py_tls_server(
  certs: Certs,
  body: string,
  opts: { setup?: string; args?: string[] } = {},
): ReturnType<typeof python_server> {
  return await python_server(
    `
import hashlib, socket, ssl, sys, threading, time
d = sys.argv[1]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
${opts.setup ?? ""}
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(30)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(30)
    s = ctx.wrap_socket(conn, server_side=True)
${body.split("\n").map((l) => "    " + l).join("\n")}
`,
    certs.dir,
    ...(opts.args ?? []),
  );
}

/**
 * The body of a {@linkcode py_tls_server} that reads everything until EOF and prints its byte count, SHA-256
 * and how it ended (`eof`, or the exception's class name).
 */
export const HASH_ALL = `
h = hashlib.sha256(); n = 0; end = "eof"
try:
    while True:
        b = s.recv(1 << 16)
        if not b: break
        h.update(b); n += len(b)
except Exception as e: end = type(e).__name__
print(n, h.hexdigest(), end, flush=True)`;

/**
 * A python3 TLS client's prologue for {@linkcode client_twins}: `s` is connected to `sys.argv[2]` trusting
 * `sys.argv[1]/ca.pem`; `end()` half-closes and reads to EOF before closing (a close with the server's session
 * tickets unread would reset the connection and lose what the server had not read yet).
 */
export const PY_TLS_CLIENT = `
import hashlib, select, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1] + "/ca.pem")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2]))), server_hostname="localhost")
def end():
    s.settimeout(30)
    try:
        s.shutdown(socket.SHUT_WR)
        for _ in range(100000):
            if not s.recv(65536): break
    except OSError: pass
    s.close()
`;

/**
 * Run a CPython client (`PY_TLS_CLIENT` + `py_body`), then pysocket's (`ours` on a connected SSLSocket, which is
 * then half-closed and read to EOF), each against a fresh python3 server that sleeps `sleep_s` (the client's
 * buffers fill) and then reports what it received ({@linkcode HASH_ALL}). Returns [server's report, client's lines].
 */
export async function client_twins(
  certs: Certs,
  sleep_s: number,
  py_body: string,
  ours: (s: SSLSocket) => Promise<string[]>,
): Promise<{ cpython: [string, string]; pysocket: [string, string] }> {
  const server = `time.sleep(float(sys.argv[2]))${HASH_ALL}`;
  const a = await py_tls_server(certs, server, { args: [String(sleep_s)] });
  const c = await python(PY_TLS_CLIENT + py_body, certs.dir, a.first);
  const ra = await a.rest();
  if (c.code !== 0) throw new Error(`the CPython client failed:\n${c.err}${ra.err}`);
  const b = await py_tls_server(certs, server, { args: [String(sleep_s)] });
  const ctx = create_default_context({ cafile: certs.P("ca.pem") });
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", Number(b.first)]), {
    server_hostname: "localhost",
  });
  let lines: string[];
  try {
    lines = await ours(s);
    s.settimeout(30);
    await s.shutdown(1).catch(() => {});
    for (let i = 0; i < 100_000; i++) if (!(await s.recv(65536).catch(() => null))?.length) break;
  } finally {
    s.close();
  }
  const rb = await b.rest();
  return { cpython: [ra.out.trim(), c.out.trim()], pysocket: [rb.out.trim(), lines.join("\n")] };
}

/** Deterministic pseudo-random bytes (an LCG), so a lost, repeated or reordered piece changes the hash. */
export function pattern(total: number, seed = 12345): Uint8Array {
  const b = new Uint8Array(total);
  let x = seed;
  for (let i = 0; i < total; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The SHA-256 of the parts, one after another, in hex (as python's hexdigest()). */
export async function sha256(...parts: Uint8Array[]): Promise<string> {
  const all = parts.length === 1 ? parts[0]! : new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  if (parts.length !== 1) {
    let off = 0;
    for (const p of parts) all.set(p, (off += p.length) - p.length);
  }
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all as Uint8Array<ArrayBuffer>));
  return [...h].map((v) => v.toString(16).padStart(2, "0")).join("");
}

/**
 * A pysocket client with `client` (check_hostname off) judges a pysocket server that serves `cert`/`key` with
 * `server` (a CLIENT_AUTH context of its own): "ok" when the handshake passes, else `verdict` of the client's error.
 */
export async function client_judges(
  server: SSLContext,
  client: SSLContext,
  verdict: (e: unknown) => unknown,
): Promise<unknown> {
  using l = create_server(["127.0.0.1", 0]);
  const served = (async () => {
    const [raw] = await l.accept();
    raw.settimeout(10);
    try {
      using s = await server.wrap_socket(raw, { server_side: true });
      await s.sendall(new TextEncoder().encode("hi"));
      await s.recv(1);
    } catch {
      raw.close();
    }
  })();
  let r: unknown;
  try {
    using s = await client.wrap_socket(await create_connection(l.getsockname() as [string, number], 10));
    r = "ok";
    s.close();
  } catch (e) {
    r = verdict(e);
  }
  await served;
  return r;
}

/**
 * A python3 TLS peer that truncates: TLS up (argv: role "client"|"server", certs dir, end "fin"|"reset", port or
 * "-"), `payload` sent, then the TCP connection ended without close_notify (a FIN, or a reset by SO_LINGER 0).
 * A server prints its port first.
 */
export function truncating_peer(payload: string): string {
  return `
import socket, ssl, struct, sys, time
role, d, end, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if role == "client":
    c = ssl.create_default_context(cafile=d + "/ca.pem")
    s = c.wrap_socket(socket.create_connection(("127.0.0.1", int(port)), timeout=10), server_hostname="localhost")
else:
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(d + "/server.pem", d + "/server.key")
    srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
    raw, _ = srv.accept(); raw.settimeout(10)
    s = c.wrap_socket(raw, server_side=True)
s.sendall(${payload})
time.sleep(0.3)
x = socket.socket(fileno=s.detach())
if end == "reset": x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
x.close()
`;
}
