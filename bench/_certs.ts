// Certificates for the TLS rows, made with openssl when the bench starts:
// an ECDSA P-256 CA and a server certificate it signs, for `localhost` and
// 127.0.0.1. TLS 1.3 is what every variant negotiates.

/** Paths and PEM text of the bench's certificates. */
export interface Certs {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  ca_pem: string;
  cert_pem: string;
  key_pem: string;
  cleanup: () => void;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Make the CA and the server certificate in a fresh temporary directory. */
export async function make_certs(): Promise<Certs> {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-bench-tls-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=pysocket bench CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl(dir, ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  Deno.writeTextFileSync(
    `${dir}/ext.cnf`,
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
  const read = (n: string) => Deno.readTextFileSync(`${dir}/${n}`);
  return {
    dir,
    ca: `${dir}/ca.pem`,
    cert: `${dir}/server.pem`,
    key: `${dir}/server.key`,
    ca_pem: read("ca.pem"),
    cert_pem: read("server.pem"),
    key_pem: read("server.key"),
    cleanup: () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* gone */ }
    },
  };
}
