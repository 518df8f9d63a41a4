// adv17c: shared parts of the interop matrix (tests/adversary17c_interop_*_test.ts): certificates made with openssl
// at test time, a bounded child-process runner, and the probe of which peer tools are on PATH.

import { ca_config, CA_EXT, ca_leaf, cert_dir, EC_KEY, RSA_KEY, self_signed } from "./_ssl_fixtures.ts";

const dec = new TextDecoder();

/** Paths of the matrix's certificates. */
export interface MatrixCerts {
  dir: string;
  /** the CA (EC P-256) that signed every leaf */
  ca: string;
  /** leaf for localhost, pysocket.test, 127.0.0.1, ::1 with an RSA 2048 key */
  rsa: string;
  rsa_key: string;
  /** the same names with an EC P-256 key */
  ec: string;
  ec_key: string;
  /** the same names with an EC P-384 key */
  ec384: string;
  ec384_key: string;
  /** other.test only (the SNI second certificate) */
  other: string;
  other_key: string;
  /** leaf + intermediate (an intermediate CA under `ca` signed the leaf; same names as rsa) */
  chain: string;
  /** leaf + intermediate + root */
  chain_root: string;
  chain_key: string;
  /** the intermediate alone, and intermediate + root (for s_server -cert_chain) */
  int: string;
  int_root: string;
  /** an Ed25519 leaf (same names) */
  ed: string;
  ed_key: string;
  /** names xn--bcher-kva.test (bücher.test), strasse.test, *.xn--caf-dma.test (*.café.test) */
  idn: string;
  idn_key: string;
  /** a self-signed localhost certificate no context here trusts */
  self: string;
  self_key: string;
  /** a client certificate (clientAuth) */
  client: string;
  client_key: string;
}

/** Make the certificates in a new temp dir (removed at unload). */
export async function matrix_certs(): Promise<MatrixCerts> {
  const dir = cert_dir("pysocket-adv17c-");
  await self_signed(dir, "ca.key", "ca.pem", "/CN=adv17c CA", { ext: CA_EXT });
  ca_config(dir, "ca.cnf", "db", [
    "[srv]",
    "basicConstraints = critical,CA:FALSE",
    "subjectAltName = DNS:localhost,DNS:pysocket.test,IP:127.0.0.1,IP:::1",
    "extendedKeyUsage = serverAuth",
    "[other]",
    "basicConstraints = critical,CA:FALSE",
    "subjectAltName = DNS:other.test",
    "extendedKeyUsage = serverAuth",
    "[idn]",
    "basicConstraints = critical,CA:FALSE",
    "subjectAltName = DNS:xn--bcher-kva.test,DNS:strasse.test,DNS:*.xn--caf-dma.test",
    "extendedKeyUsage = serverAuth",
    "[int]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "[cli]",
    "basicConstraints = critical,CA:FALSE",
    "extendedKeyUsage = clientAuth",
  ]);
  const leaf = (name: string, cn: string, ext: string, newkey: string[]) =>
    ca_leaf(dir, name, `/CN=${cn}`, {
      cnf: "ca.cnf",
      issuer_cert: "ca.pem",
      issuer_key: "ca.key",
      ext,
      dates: ["-days", "2"],
      newkey,
    });
  await leaf("rsa", "localhost", "srv", RSA_KEY);
  await leaf("ec", "localhost", "srv", EC_KEY);
  await leaf("ec384", "localhost", "srv", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes"]);
  await leaf("other", "other.test", "other", EC_KEY);
  await leaf("client", "adv17c client", "cli", EC_KEY);
  await leaf("idn", "xn--bcher-kva.test", "idn", EC_KEY);
  await leaf("ed", "localhost", "srv", ["-newkey", "ed25519", "-nodes"]);
  await leaf("int", "adv17c intermediate", "int", EC_KEY);
  ca_config(dir, "int.cnf", "db_int", [
    "[srv]",
    "basicConstraints = critical,CA:FALSE",
    "subjectAltName = DNS:localhost,DNS:pysocket.test,IP:127.0.0.1,IP:::1",
    "extendedKeyUsage = serverAuth",
  ]);
  await ca_leaf(dir, "leaf", "/CN=localhost", {
    cnf: "int.cnf",
    issuer_cert: "int.pem",
    issuer_key: "int.key",
    ext: "srv",
    dates: ["-days", "2"],
    newkey: EC_KEY,
  });
  await self_signed(dir, "self.key", "self.pem", "/CN=localhost", {
    ext: ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
  });
  const read = (n: string) => Deno.readTextFileSync(`${dir}/${n}`);
  Deno.writeTextFileSync(`${dir}/chain.pem`, read("leaf.pem") + read("int.pem"));
  Deno.writeTextFileSync(`${dir}/int_root.pem`, read("int.pem") + read("ca.pem"));
  Deno.writeTextFileSync(`${dir}/chain_root.pem`, read("leaf.pem") + read("int.pem") + read("ca.pem"));
  const p = (n: string) => `${dir}/${n}`;
  return {
    dir,
    ca: p("ca.pem"),
    rsa: p("rsa.pem"),
    rsa_key: p("rsa.key"),
    ec: p("ec.pem"),
    ec_key: p("ec.key"),
    ec384: p("ec384.pem"),
    ec384_key: p("ec384.key"),
    other: p("other.pem"),
    other_key: p("other.key"),
    chain: p("chain.pem"),
    chain_root: p("chain_root.pem"),
    chain_key: p("leaf.key"),
    int: p("int.pem"),
    int_root: p("int_root.pem"),
    ed: p("ed.pem"),
    ed_key: p("ed.key"),
    idn: p("idn.pem"),
    idn_key: p("idn.key"),
    self: p("self.pem"),
    self_key: p("self.key"),
    client: p("client.pem"),
    client_key: p("client.key"),
  };
}

/** True when `cmd args` runs and exits 0 (a tool's presence). */
export function has_tool(cmd: string, args: string[] = ["--version"]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** What a finished child said. */
export interface RunOut {
  code: number;
  out: string;
  err: string;
  timed_out: boolean;
}

/** Run `cmd args` with `input` on stdin (then closed), killed after `ms`; never throws for the child's failure. */
export async function run(
  cmd: string,
  args: string[],
  input = "",
  ms = 20_000,
  env?: Record<string, string>,
): Promise<RunOut> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    ...(env ? { env } : {}),
  }).spawn();
  let timed_out = false;
  const timer = setTimeout(() => {
    timed_out = true;
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
  }, ms);
  try {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input)).catch(() => {});
    await w.close().catch(() => {});
  } catch { /* the child closed its stdin */ }
  const o = await child.output();
  clearTimeout(timer);
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr), timed_out };
}

/**
 * A long-running child (a server) whose stdout is gathered; `first_match` waits (bounded) for a line matching `re`
 * and returns its match; `stop()` kills it (SIGKILL) and returns everything it wrote.
 */
export class Child {
  #child: Deno.ChildProcess;
  #out = "";
  #err = "";
  #done: Promise<void>;
  constructor(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
    this.#child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    }).spawn();
    const pump = async (s: ReadableStream<Uint8Array>, err: boolean) => {
      for await (const b of s) {
        if (err) this.#err += dec.decode(b);
        else this.#out += dec.decode(b);
      }
    };
    this.#done = Promise.all([pump(this.#child.stdout, false), pump(this.#child.stderr, true)]).then(() => {});
  }
  /** Write `text` to the child's stdin (kept open until stop()). */
  async write(text: string): Promise<void> {
    const w = this.#child.stdin.getWriter();
    try {
      await w.write(new TextEncoder().encode(text));
    } finally {
      w.releaseLock();
    }
  }
  get out(): string {
    return this.#out;
  }
  get err(): string {
    return this.#err;
  }
  async first_match(re: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = (this.#out + this.#err).match(re);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    this.stop();
    throw new Error(`no ${re} within ${ms} ms; stdout ${this.#out} stderr ${this.#err}`);
  }
  async stop(): Promise<{ out: string; err: string }> {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* ended */ }
    await Promise.race([this.#done, new Promise((r) => setTimeout(r, 3000))]);
    try {
      await this.#child.stdin.close();
    } catch { /* closed */ }
    await this.#child.status;
    return { out: this.#out, err: this.#err };
  }
}

/** A free loopback TCP port (bound and released; for tools that cannot report the port they bound). */
export function free_port(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
