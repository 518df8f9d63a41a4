// Certificates for the TLS tests, made with openssl at test time in a temp
// dir: a trusted CA, an untrusted CA, leaves signed by each, a self-signed
// certificate, an expired one, a wrong-host one and a client certificate;
// and helpers to run python3 peers.

const dec = new TextDecoder();

/** Paths of the certificates made by {@linkcode make_certs}. */
export interface Certs {
  dir: string;
  /** `${dir}/${name}` */
  P(name: string): string;
}

async function sh(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args.join(" ")}: ${dec.decode(out.stderr)}`);
}

/**
 * Make every certificate in a new temp dir (removed at unload): `ca`,
 * `other` (an untrusted CA), `server` (localhost, 127.0.0.1), `wrong`
 * (wrong.example), `expired`, `client` (CN=pysocket client), `evil_client`
 * (CN=admin, signed by `other`), `self` (self-signed CN=localhost), each
 * `.pem` + `.key`. EC P-256 keys keep it fast.
 */
export async function make_certs(): Promise<Certs> {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket_ssl_" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  for (const [name, cn] of [["ca", "pysocket test CA"], ["other", "untrusted CA"]]) {
    await sh(
      dir,
      "req",
      "-x509",
      ...key,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      ...ca_ext,
    );
  }
  await sh(
    dir,
    "req",
    "-x509",
    ...key,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  );
  for (const ca of ["ca", "other"]) {
    Deno.mkdirSync(`${dir}/db_${ca}`);
    Deno.writeTextFileSync(`${dir}/db_${ca}/index.txt`, "");
    Deno.writeTextFileSync(`${dir}/db_${ca}/serial`, "01\n");
    Deno.writeTextFileSync(
      `${dir}/${ca}.cnf`,
      [
        "[ca]",
        "default_ca = d",
        "[d]",
        `database = db_${ca}/index.txt`,
        `new_certs_dir = db_${ca}`,
        `serial = db_${ca}/serial`,
        "default_md = sha256",
        "policy = p",
        "unique_subject = no",
        "preserve = yes",
        "[p]",
        "commonName = supplied",
        "organizationName = optional",
        "organizationalUnitName = optional",
        "[good]",
        "subjectAltName = DNS:localhost,IP:127.0.0.1",
        "extendedKeyUsage = serverAuth,clientAuth",
        "[wrong]",
        "subjectAltName = DNS:wrong.example",
        "extendedKeyUsage = serverAuth",
        "",
      ].join("\n"),
    );
  }
  const leaf = async (name: string, subj: string, ext: string, dates: string[], ca = "ca") => {
    await sh(dir, "req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj);
    await sh(
      dir,
      "ca",
      "-batch",
      "-config",
      `${ca}.cnf`,
      "-cert",
      `${ca}.pem`,
      "-keyfile",
      `${ca}.key`,
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.pem`,
      "-extensions",
      ext,
      "-notext",
      ...dates,
    );
  };
  await leaf("server", "/CN=localhost/O=pysocket/OU=one/OU=two", "good", ["-days", "2"]);
  await leaf("wrong", "/CN=wrong.example", "wrong", ["-days", "2"]);
  await leaf("expired", "/CN=localhost", "good", ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]);
  await leaf("client", "/CN=pysocket client", "good", ["-days", "2"]);
  await leaf("evil_client", "/CN=admin", "good", ["-days", "2"], "other");
  await leaf("untrusted", "/CN=localhost", "good", ["-days", "2"], "other");
  return { dir, P: (name: string) => `${dir}/${name}` };
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
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const reader = child.stdout.getReader();
  let buf = "";
  for (let i = 0; i < 100 && !buf.includes("\n"); i++) {
    const r = await reader.read();
    if (r.done) break;
    buf += dec.decode(r.value);
  }
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
