// Shared by tests/cpy_ssl_*_test.ts (CPython 3.11's Lib/test/test_ssl.py ported onto pysocket): certificates made
// at test time with openssl, equivalent to what CPython's make_ssl_certs.py makes (its certdata files are neither
// copied nor read), a python3 prelude with CPython's testing_context() and ThreadedEchoServer, and their pysocket
// twins. Each scenario runs the same steps in python3 and in pysocket; the tests compare what each gave.

import { AF_INET, AF_INET6, create_server, type Socket, socket } from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext, type SSLSocket } from "../ssl.ts";
import { missing } from "./_socket_fixtures.ts";
import { CA_EXT, cert_dir, EC_KEY, openssl, python, RSA_KEY } from "./_ssl_fixtures.ts";

/** CPython's certdata names, made by {@linkcode make_cpy_certs} in `dir`. */
export interface CpyCerts {
  dir: string;
  /** `${dir}/${name}` */
  P(name: string): string;
}

const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, "0")).join(":");
const der_len = (n: number) => (n < 128 ? [n] : [0x81, n]);
/** A subjectAltName extension value as `DER:…`: [tag, bytes] entries (2 DNS, 1 email, 6 URI, 7 IP). */
function san_der(entries: [number, number[]][]): string {
  const body = entries.flatMap(([tag, b]) => [0x80 | tag, ...der_len(b.length), ...b]);
  return `DER:${hex([0x30, ...der_len(body.length), ...body])}`;
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * Make, in a new temp dir (removed at unload), CPython's test certificates: `pycacert.pem` (the CA, EC) and
 * `pycakey.pem`; `keycert3.pem` (SIGNED_CERTFILE: RSA, localhost, O=Python Software Foundation), `keycert4.pem`
 * (fakehostname), `keycertecc.pem` (localhost-ecc, EC), `nosan.pem` (CN=localhost, no SAN), `idnsans.pem` (the IDN
 * SANs), `nullbytecert.pem` (SANs with NUL bytes, plus DNS:localhost), all signed by the CA and each holding its key;
 * `keycert.pem` (CERTFILE: self-signed localhost); `revocation.crl` (the CA's CRL revoking keycert4).
 */
export async function make_cpy_certs(): Promise<CpyCerts> {
  const dir = cert_dir("pysocket_cpy_ssl_");
  const P = (n: string) => `${dir}/${n}`;
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC_KEY,
    "-keyout",
    "pycakey.pem",
    "-out",
    "pycacert.pem",
    "-days",
    "3",
    "-subj",
    "/C=XY/O=Python Software Foundation CA/CN=our-ca-server",
    ...CA_EXT,
  );
  const leaves: [string, string[], string, string[]][] = [
    [
      "keycert3",
      RSA_KEY,
      "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=localhost",
      ["subjectAltName = DNS:localhost"],
    ],
    [
      "keycert4",
      EC_KEY,
      "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=fakehostname",
      ["subjectAltName = DNS:fakehostname"],
    ],
    [
      "keycertecc",
      EC_KEY,
      "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=localhost-ecc",
      ["subjectAltName = DNS:localhost-ecc"],
    ],
    ["nosan", EC_KEY, "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=localhost", []],
    [
      "idnsans",
      EC_KEY,
      "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=idnsans",
      [
        "subjectAltName = " + [
          "idnsans",
          "xn--knig-5qa.idn.pythontest.net",
          "xn--knigsgsschen-lcb0w.idna2003.pythontest.net",
          "xn--knigsgchen-b4a3dun.idna2008.pythontest.net",
          "xn--nxasmq6b.idna2003.pythontest.net",
          "xn--nxasmm1c.idna2008.pythontest.net",
        ].map((n) => `DNS:${n}`).join(","),
      ],
    ],
    [
      "nullbytecert",
      EC_KEY,
      "/C=US/ST=Oregon/L=Beaverton/O=Python Software Foundation/OU=Python Core Development/CN=null.python.org",
      [
        "subjectAltName = " + san_der([
          [2, ascii("altnull.python.org\0example.com")],
          [1, ascii("null@python.org\0user@example.org")],
          [6, ascii("http://null.python.org\0http://example.org")],
          [7, [192, 0, 2, 1]],
          [7, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
          [2, ascii("localhost")],
        ]),
      ],
    ],
  ];
  let serial = 0x1000;
  for (const [name, newkey, subj, ext] of leaves) {
    await openssl(dir, "req", ...newkey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
    Deno.writeTextFileSync(P(`${name}.ext`), ["basicConstraints = CA:FALSE", ...ext, ""].join("\n"));
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "pycacert.pem",
      "-CAkey",
      "pycakey.pem",
      "-set_serial",
      String(serial++),
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
    // CPython's files hold the key first, then the certificate.
    Deno.writeTextFileSync(
      P(`${name}.pem`),
      Deno.readTextFileSync(P(`${name}.key`)) + Deno.readTextFileSync(P(`${name}.crt`)),
    );
  }
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC_KEY,
    "-keyout",
    "keycert.key",
    "-out",
    "keycert.crt",
    "-days",
    "2",
    "-subj",
    "/C=XY/L=Castle Anthrax/O=Python Software Foundation/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
  );
  Deno.writeTextFileSync(
    P("keycert.pem"),
    Deno.readTextFileSync(P("keycert.key")) + Deno.readTextFileSync(P("keycert.crt")),
  );
  // The CRL: an `openssl ca` database in which keycert4 is revoked.
  Deno.mkdirSync(P("db"));
  Deno.writeTextFileSync(P("db/index.txt"), "");
  Deno.writeTextFileSync(P("db/crlnumber"), "01\n");
  Deno.writeTextFileSync(
    P("ca.cnf"),
    "[ca]\ndefault_ca = d\n[d]\ndatabase = db/index.txt\ncrlnumber = db/crlnumber\ndefault_md = sha256\n" +
      "default_crl_days = 2\n",
  );
  const ca = ["-config", "ca.cnf", "-cert", "pycacert.pem", "-keyfile", "pycakey.pem"];
  await openssl(dir, "ca", ...ca, "-revoke", "keycert4.crt");
  await openssl(dir, "ca", ...ca, "-gencrl", "-out", "revocation.crl");
  return { dir, P };
}

/** Python's `type(e).__name__: str(e)` with `(_ssl.c:N)` dropped; pysocket's RangeError read as ValueError. */
export function fmt(e: unknown): string {
  const err = e as Error;
  const ctor = err?.constructor?.name;
  const name = ctor === "RangeError" ? "ValueError" : ctor === "Error" ? err.name : ctor ?? String(e);
  return `${name}: ${String(err?.message ?? e).replace(/ \(_ssl\.c:[0-9]+\)/g, "")}`;
}

/**
 * The python3 prelude: `D` the certificate dir (argv[1]), CPython's names for its files, `fmt(e)` (as
 * {@linkcode fmt}), `testing_context()`, `Echo` (CPython's ThreadedEchoServer: one connection at a time, each
 * wrapped server-side, lines echoed lower-cased until `over` or EOF, handshake errors kept in `conn_errors`) and
 * `server_params_test()`. `socket.getaddrinfo` refuses every name but loopback's (nothing leaves the machine).
 */
export const PY = `
import errno, json, os, re, select, socket, ssl, sys, threading, time
D = sys.argv[1]
def P(n): return os.path.join(D, n)
SIGNED_CERTFILE, SIGNED_CERTFILE2, SIGNED_CERTFILE_ECC = P("keycert3.pem"), P("keycert4.pem"), P("keycertecc.pem")
NOSANFILE, IDNSANSFILE, NULLBYTECERT, CERTFILE = P("nosan.pem"), P("idnsans.pem"), P("nullbytecert.pem"), P("keycert.pem")
SIGNING_CA, CRLFILE = P("pycacert.pem"), P("revocation.crl")
HOST = "127.0.0.1"
_gai = socket.getaddrinfo
def _loopback_only(host, *a, **k):
    if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1"):
        raise OSError("twin: refusing to resolve %r" % (host,))
    return _gai(host, *a, **k)
socket.getaddrinfo = _loopback_only
def fmt(e):
    return f"{type(e).__name__}: {re.sub(r' [(]_ssl[.]c:[0-9]+[)]', '', str(e))}"
def attempt(fn):
    try:
        r = fn()
        r = r.decode("latin1") if isinstance(r, (bytes, bytearray)) else r
        try: json.dumps(r)
        except TypeError: r = type(r).__name__
        return ["ok", r]
    except Exception as e:
        return fmt(e)
def testing_context(server_cert=SIGNED_CERTFILE):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(SIGNING_CA)
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(server_cert); s.load_verify_locations(SIGNING_CA)
    return c, s, {SIGNED_CERTFILE: "localhost", SIGNED_CERTFILE2: "fakehostname", NOSANFILE: "localhost"}.get(server_cert)
class Echo:
    def __init__(self, ctx, host=HOST):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.ctx = ctx; self.srv = socket.create_server((host, 0), family=fam); self.port = self.srv.getsockname()[1]
        self.conn_errors = []; self.alpn = []; self.versions = []; self.names = []; self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True); self.t.start()
    def run(self):
        self.srv.settimeout(0.05); end = time.time() + 30
        while not self.stop and time.time() < end:
            try: conn, _ = self.srv.accept()
            except socket.timeout: continue
            conn.settimeout(10)
            try: s = self.ctx.wrap_socket(conn, server_side=True)
            except OSError as e:
                self.conn_errors.append(fmt(e)); conn.close(); continue
            self.alpn.append(s.selected_alpn_protocol()); self.versions.append(s.version())
            try:
                for _ in range(1000):
                    m = s.read()
                    if not m or m.strip() == b"over": break
                    s.write(m.lower())
            except OSError as e: self.conn_errors.append(fmt(e))
            s.close()
        self.srv.close()
    def __enter__(self): return self
    def __exit__(self, *a): self.stop = True; self.t.join(10)
def server_params_test(cc, sc, indata=b"FOO\\n", sni_name=None):
    stats = {}
    with Echo(sc) as server:
        with cc.wrap_socket(socket.socket(), server_hostname=sni_name) as s:
            s.settimeout(10)
            s.connect((HOST, server.port))
            for arg in [indata, bytearray(indata), memoryview(indata)]:
                s.write(arg)
                out = s.read()
                if out != indata.lower(): raise AssertionError("bad data %r" % out)
            s.write(b"over\\n")
            c = s.cipher()
            stats.update(compression=s.compression(), cipher=[c[1], c[2]], peercert=s.getpeercert(),
                         client_alpn_protocol=s.selected_alpn_protocol(), version=s.version(),
                         session_reused=s.session_reused, session=s.session is not None)
    stats["server_alpn_protocols"] = server.alpn
    stats["conn_errors"] = server.conn_errors
    return stats
`;

/** Run `body` after {@linkcode PY} with the certificates' dir; the JSON of its last line. */
export async function twin(certs: CpyCerts, body: string): Promise<unknown> {
  const r = await python(PY + body, certs.dir);
  if (r.code !== 0) throw new Error(`python3 twin failed:\n${r.err}`);
  return JSON.parse(r.out.trim().split("\n").at(-1)!);
}

/** As the twin's attempt(): `["ok", value]` (bytes as latin1 text) or {@linkcode fmt} of the error. */
export async function attempt(fn: () => unknown): Promise<unknown> {
  try {
    const r = await fn();
    if (r instanceof Uint8Array) return ["ok", new TextDecoder("latin1").decode(r)];
    const plain = r === null || r === undefined || typeof r !== "object" || Array.isArray(r) ||
      Object.getPrototypeOf(r) === Object.prototype;
    return ["ok", plain ? r ?? null : (r as object).constructor.name];
  } catch (e) {
    return fmt(e);
  }
}

/** CPython's testing_context(): a client context trusting the CA, a server context serving `server_cert`. */
export function testing_context(certs: CpyCerts, server_cert = "keycert3.pem"): [SSLContext, SSLContext, string] {
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.load_verify_locations(certs.P("pycacert.pem"));
  const s = new SSLContext(PROTOCOL_TLS_SERVER);
  s.load_cert_chain(certs.P(server_cert));
  s.load_verify_locations(certs.P("pycacert.pem"));
  const host = { "keycert3.pem": "localhost", "keycert4.pem": "fakehostname", "nosan.pem": "localhost" }[server_cert];
  return [c, s, host ?? ""];
}

/** The pysocket twin of the prelude's Echo (CPython's ThreadedEchoServer). */
export class Echo implements AsyncDisposable {
  readonly srv: Socket;
  readonly port: number;
  readonly conn_errors: string[] = [];
  readonly alpn: (string | null)[] = [];
  readonly versions: (string | null)[] = [];
  #stop = false;
  readonly #done: Promise<void>;
  constructor(readonly ctx: SSLContext, host = "127.0.0.1") {
    this.srv = create_server([host, 0], { family: host.includes(":") ? AF_INET6 : AF_INET });
    this.port = (this.srv.getsockname() as [string, number])[1];
    this.#done = this.#run();
  }
  async #run(): Promise<void> {
    const end = Date.now() + 30_000;
    this.srv.settimeout(0.05);
    while (!this.#stop && Date.now() < end) {
      let conn: Socket;
      try {
        [conn] = await this.srv.accept();
      } catch {
        continue;
      }
      conn.settimeout(10);
      let s: SSLSocket;
      try {
        s = await this.ctx.wrap_socket(conn, { server_side: true });
      } catch (e) {
        this.conn_errors.push(fmt(e));
        conn.close();
        continue;
      }
      this.alpn.push(s.selected_alpn_protocol());
      this.versions.push(s.version());
      try {
        for (let i = 0; i < 1000; i++) {
          const m = await s.read();
          if (!m.length || new TextDecoder().decode(m).trim() === "over") break;
          await s.write(new TextEncoder().encode(new TextDecoder("latin1").decode(m).toLowerCase()));
        }
      } catch (e) {
        this.conn_errors.push(fmt(e));
      }
      s.close();
    }
    this.srv.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop = true;
    await this.#done;
  }
}

/** The pysocket twin of the prelude's server_params_test(). */
export async function server_params_test(
  cc: SSLContext,
  sc: SSLContext,
  sni_name: string | null = null,
  indata = "FOO\n",
): Promise<Record<string, unknown>> {
  const stats: Record<string, unknown> = {};
  const enc = new TextEncoder();
  const server = new Echo(sc);
  try {
    const s = await cc.wrap_socket(socket(), { server_hostname: sni_name });
    try {
      s.settimeout(10);
      await s.connect(["127.0.0.1", server.port]);
      for (let i = 0; i < 3; i++) {
        await s.write(enc.encode(indata));
        const out = new TextDecoder().decode(await s.read());
        if (out !== indata.toLowerCase()) throw new Error(`bad data ${out}`);
      }
      await s.write(enc.encode("over\n"));
      const c = s.cipher()!;
      Object.assign(stats, {
        compression: s.compression(),
        cipher: [c[1], c[2]],
        peercert: JSON.parse(JSON.stringify(s.getpeercert())),
        client_alpn_protocol: s.selected_alpn_protocol(),
        version: s.version(),
        session_reused: s.session_reused,
        session: s.session !== null,
      });
    } finally {
      s.close();
    }
  } finally {
    await server[Symbol.asyncDispose]();
  }
  stats.server_alpn_protocols = server.alpn;
  stats.conn_errors = server.conn_errors;
  return stats;
}

/** Run the finding tests too (they fail until pysocket is fixed): `CPY_RUN_IGNORED=1`. */
export const RUN_IGNORED: boolean = Deno.env.get("CPY_RUN_IGNORED") === "1";

/**
 * A ported test that differs from CPython (finding `id`): registered as ignored (unless {@linkcode RUN_IGNORED}),
 * the finding printed when the file loads. `fn` asserts CPython's behaviour, so it passes once pysocket is fixed.
 */
export function finding_test(id: string, name: string, finding: string, fn: () => Promise<void>): void {
  console.log(`ignored: ${id}: ${name}: ${finding}`);
  Deno.test({
    name: `${name} (${id}: ${finding})`,
    ignore: !RUN_IGNORED || missing("python3", "openssl"),
    fn,
  });
}
