// Shared by the second security adversary's tests (tests/adversary_ssl2_*):
// certificates with crafted names and chains, made with openssl at test
// time (subjectAltName given as raw DER where openssl's syntax cannot say
// it), CPython's verdict on each from in-memory handshakes (ssl.MemoryBIO,
// so hundreds take a second), and pysocket's verdict from a real handshake
// over a socketpair().

import { socketpair } from "../mod.ts";
import {
  CERT_NONE,
  CERT_REQUIRED,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLCertVerificationError,
  SSLContext,
} from "../ssl.ts";
import { cert_dir, openssl } from "./_ssl_fixtures.ts";

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** DER of a GeneralName: context tag `tag` (2 DNS, 7 IP, 1 email, 6 URI) over `body`. */
export function gn(tag: number, body: string | number[]): number[] {
  const b = typeof body === "string" ? [...new TextEncoder().encode(body)] : body;
  return [0x80 | tag, ...len(b.length), ...b];
}

function len(n: number): number[] {
  return n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}

/** `subjectAltName=DER:...` for these GeneralNames. */
export function san_der(...names: number[][]): string {
  const body = names.flat();
  const all = [0x30, ...len(body.length), ...body];
  return "subjectAltName=DER:" + all.map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Where the certificates are, and how to make more. */
export class CertShop {
  readonly dir: string;
  #serial = 100;
  private constructor(dir: string) {
    this.dir = dir;
  }

  /** A shop with a root `ca` (CA:TRUE, keyCertSign). */
  static async open(prefix: string): Promise<CertShop> {
    const s = new CertShop(cert_dir(prefix));
    await s.root("ca", "/CN=adversary2 root", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return s;
  }

  P(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** A self-signed root `name`.crt/.key with these extension lines (explicit dates via `openssl ca` when given). */
  async root(name: string, subj: string, ext: string[], dates?: [string, string]): Promise<void> {
    Deno.writeTextFileSync(this.P(`${name}.ext`), ext.join("\n") + "\n");
    if (!dates) {
      Deno.writeTextFileSync(
        this.P(`${name}.cnf`),
        ["[req]", "distinguished_name=dn", "[dn]", "[v3]", ...ext, ""].join("\n"),
      );
      await openssl(
        this.dir,
        "req",
        "-x509",
        ...KEY,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
        "-days",
        "3",
        "-subj",
        subj,
        "-config",
        `${name}.cnf`,
        "-extensions",
        "v3",
      );
    } else {
      const db = `db_${name}`;
      Deno.mkdirSync(this.P(db));
      Deno.writeTextFileSync(this.P(`${db}/index.txt`), "");
      Deno.writeTextFileSync(this.P(`${db}/serial`), "1000\n");
      Deno.writeTextFileSync(
        this.P(`${name}.cnf`),
        [
          "[ca]",
          "default_ca=d",
          "[d]",
          `database=${db}/index.txt`,
          `new_certs_dir=${db}`,
          `serial=${db}/serial`,
          "default_md=sha256",
          "policy=p",
          "unique_subject=no",
          "[p]",
          "commonName=supplied",
          "[x]",
          ...ext,
          "",
        ].join("\n"),
      );
      await openssl(this.dir, "req", ...KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
      await openssl(
        this.dir,
        "ca",
        "-batch",
        "-config",
        `${name}.cnf`,
        "-selfsign",
        "-keyfile",
        `${name}.key`,
        "-in",
        `${name}.csr`,
        "-out",
        `${name}.crt`,
        "-extensions",
        "x",
        "-notext",
        "-startdate",
        dates[0],
        "-enddate",
        dates[1],
      );
    }
    Deno.copyFileSync(this.P(`${name}.crt`), this.P(`${name}.pem`));
  }

  /**
   * A certificate `name` for `subj` signed by `issuer` with these extension
   * lines; `name.pem` is it followed by `chain` (names of certificates).
   */
  async leaf(
    name: string,
    subj: string,
    issuer: string,
    ext: string[],
    { chain = [] as string[], key = KEY, md = "sha256", extra = [] as string[] } = {},
  ): Promise<void> {
    Deno.writeTextFileSync(this.P(`${name}.ext`), ext.join("\n") + "\n");
    await openssl(this.dir, "req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj, ...extra);
    await openssl(
      this.dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.crt`,
      "-CAkey",
      `${issuer}.key`,
      "-set_serial",
      String(this.#serial++),
      "-out",
      `${name}.crt`,
      // No extension lines: an X.509 v1 certificate.
      ...(ext.length ? ["-extfile", `${name}.ext`] : []),
      "-days",
      "2",
      `-${md}`,
    );
    Deno.writeTextFileSync(
      this.P(`${name}.pem`),
      [name, ...chain].map((n) => Deno.readTextFileSync(this.P(`${n}.crt`))).join(""),
    );
  }
}

/**
 * One verification: by default a client trusting `ca` (.crt) checks the
 * server's `cert` (.pem/.key) against `host`; with `client_cert` a server
 * (CERT_REQUIRED, trusting `ca`, serving `good`) checks the client's `cert`.
 */
export interface Case {
  cert: string;
  ca: string;
  host: string;
  client_cert?: boolean;
}

/** What a client said: "ok", a verify_code, or "wrap <Error class>" when wrapping refused the host. */
export type Verdict = string | number;

const TWIN = `
import json, ssl, sys
d = sys.argv[1]
cases = json.loads(sys.stdin.read())
def hs(c):
    if c.get("client_cert"):
        return hs_client(c)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.set_ciphers("ALL:@SECLEVEL=0")
    sctx.load_cert_chain(f"{d}/{c['cert']}.pem", f"{d}/{c['cert']}.key")
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(f"{d}/{c['ca']}.crt")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    try:
        cl = cctx.wrap_bio(ci, co, server_hostname=c["host"])
    except Exception as e:
        return "wrap " + {"UnicodeError": "ValueError"}.get(type(e).__name__, type(e).__name__)
    sv = sctx.wrap_bio(si, so, server_side=True)
    cd = sd = False
    for _ in range(20):
        if not cd:
            try:
                cl.do_handshake(); cd = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLCertVerificationError as e:
                return e.verify_code
            except ssl.SSLError as e:
                return "error " + str(e.reason)
        si.write(co.read())
        if not sd:
            try:
                sv.do_handshake(); sd = True
            except ssl.SSLError:
                pass
        ci.write(so.read())
        if cd and sd:
            return "ok"
    return "ok" if cd else "stuck"
def hs_client(c):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
    sctx.load_verify_locations(f"{d}/{c['ca']}.crt")
    sctx.verify_mode = ssl.CERT_REQUIRED
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.load_cert_chain(f"{d}/{c['cert']}.pem", f"{d}/{c['cert']}.key")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = cctx.wrap_bio(ci, co, server_hostname="localhost")
    sv = sctx.wrap_bio(si, so, server_side=True)
    cd = sd = False
    for _ in range(20):
        if not cd:
            try:
                cl.do_handshake(); cd = True
            except ssl.SSLError:
                pass
        si.write(co.read())
        if not sd:
            try:
                sv.do_handshake(); sd = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLCertVerificationError as e:
                return e.verify_code
            except ssl.SSLError as e:
                return "error " + str(e.reason)
        ci.write(so.read())
        if sd:
            return "ok"
    return "stuck"
print(json.dumps([hs(c) for c in cases]))
`;

/** CPython's verdicts (in-memory handshakes, one python3 process). */
export async function cpython_verdicts(dir: string, cases: Case[]): Promise<Verdict[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", TWIN, dir],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(cases)));
  await w.close();
  const o = await child.output();
  const text = new TextDecoder().decode(o.stdout);
  if (!o.success) throw new Error(`python3: ${new TextDecoder().decode(o.stderr)}`);
  return JSON.parse(text) as Verdict[];
}

/** pysocket's verdict: a pysocket client (trusting `ca`) and server (serving `cert`) over a socketpair. */
export async function pysocket_verdict(dir: string, c: Case): Promise<Verdict> {
  if (c.client_cert) return await pysocket_server_verdict(dir, c);
  const [a, b] = await socketpair();
  a.settimeout(10);
  b.settimeout(10);
  try {
    const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(`${dir}/${c.cert}.pem`, `${dir}/${c.cert}.key`);
    const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    cctx.load_verify_locations(`${dir}/${c.ca}.crt`);
    const served = sctx.wrap_socket(b, { server_side: true }).then((s) => s.close(), () => {});
    let v: Verdict;
    try {
      const s = await cctx.wrap_socket(a, { server_hostname: c.host, do_handshake_on_connect: false });
      try {
        await s.do_handshake();
        v = "ok";
        s.close();
      } catch (e) {
        v = e instanceof SSLCertVerificationError ? e.verify_code ?? "null" : `error ${(e as Error).message}`;
      }
    } catch (e) {
      v = `wrap ${e instanceof RangeError ? "ValueError" : (e as Error).constructor.name}`;
    }
    a.close();
    b.close();
    await served;
    return v;
  } finally {
    a.close();
    b.close();
  }
}

/** pysocket's verdict on a client certificate: a pysocket server (CERT_REQUIRED, trusting `ca`), a pysocket client presenting `cert`. */
async function pysocket_server_verdict(dir: string, c: Case): Promise<Verdict> {
  const [a, b] = await socketpair();
  a.settimeout(10);
  b.settimeout(10);
  try {
    const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(`${dir}/good.pem`, `${dir}/good.key`);
    sctx.load_verify_locations(`${dir}/${c.ca}.crt`);
    sctx.verify_mode = CERT_REQUIRED;
    const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    cctx.check_hostname = false;
    cctx.verify_mode = CERT_NONE;
    cctx.load_cert_chain(`${dir}/${c.cert}.pem`, `${dir}/${c.cert}.key`);
    const client = cctx.wrap_socket(a, { server_hostname: "localhost" }).then((s) => s.recv(1)).catch(() => {});
    let v: Verdict;
    try {
      const s = await sctx.wrap_socket(b, { server_side: true });
      v = "ok";
      s.close();
    } catch (e) {
      v = e instanceof SSLCertVerificationError ? e.verify_code ?? "null" : `error ${(e as Error).message}`;
    }
    a.close();
    b.close();
    await client;
    return v;
  } finally {
    a.close();
    b.close();
  }
}
