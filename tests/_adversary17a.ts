// Certificates and peers for the adv17a tests (issue 17's verification cache, a client socket's context swap),
// made with openssl at test time: two roots with the SAME subject name and other keys, a third root, an
// intermediate, leaves of several purposes, one that expires a few seconds after it is made.

import { ca_config, CA_EXT, ca_leaf, cert_dir, openssl, python_server, self_signed } from "./_ssl_fixtures.ts";

/** The made certificates: `${dir}/${name}.pem` (the chain a server sends) and `${dir}/${name}.key`. */
export interface Certs17 {
  dir: string;
  /** When the `short` leaf expires (ms since the epoch). */
  short_until: number;
}

/** openssl's `-enddate` form (UTC, to the second). */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
}

/**
 * Roots `root` and `twin` (both "/CN=adv17a root", other keys), `other`, and `pl0` (pathlen 0); `int` (signed by
 * `root`) and `intx` (int's name and key, signed by `pl0`: `leaf_intx.pem` is the leaf with it); leaves
 * (CN=localhost, subjectAltName localhost and 127.0.0.1): `leaf` (by `int`; `leaf_int.pem` is it with `int`,
 * `leaf.pem` alone), `direct` (by `root`), `cli` (clientAuth only), `srv` (serverAuth only), `short` (by `root`,
 * expiring `short_s` seconds from now).
 */
export async function make_certs17(short_s: number): Promise<Certs17> {
  const dir = cert_dir("pysocket_adv17a_");
  await self_signed(dir, "root.key", "root.pem", "/CN=adv17a root", { ext: CA_EXT });
  await self_signed(dir, "twin.key", "twin.pem", "/CN=adv17a root", { ext: CA_EXT });
  await self_signed(dir, "other.key", "other.pem", "/CN=adv17a other root", { ext: CA_EXT });
  await self_signed(dir, "pl0.key", "pl0.pem", "/CN=adv17a pathlen 0 root", {
    ext: ["-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  });
  const sections = [
    "[v3ca]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "[good]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth,clientAuth",
    "[cli]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = clientAuth",
    "[v3nc]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "nameConstraints = critical,permitted;DNS:allowed.test",
    "[ipcn]",
    "subjectAltName = IP:127.0.0.1",
    "extendedKeyUsage = serverAuth,clientAuth",
    "[srv]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth",
  ];
  ca_config(dir, "root.cnf", "db_root", sections);
  ca_config(dir, "int.cnf", "db_int", sections);
  ca_config(dir, "pl0.cnf", "db_pl0", sections);
  const by = (issuer: string) => ({ cnf: `${issuer}.cnf`, issuer_cert: `${issuer}.pem`, issuer_key: `${issuer}.key` });
  const days = ["-days", "2"];
  await ca_leaf(dir, "int", "/CN=adv17a int", { ...by("root"), ext: "v3ca", dates: days, suffix: ".crt" });
  await Deno.copyFile(`${dir}/int.crt`, `${dir}/int.pem`);
  // nc: an intermediate permitting DNS names under allowed.test only; nccn: a leaf under it whose commonName (a
  // DNS-like name outside) is its only name but for an IP address.
  await ca_leaf(dir, "nc", "/CN=adv17a nc int", { ...by("root"), ext: "v3nc", dates: days, suffix: ".crt" });
  ca_config(dir, "nc.cnf", "db_nc", sections);
  await Deno.copyFile(`${dir}/nc.crt`, `${dir}/nc.pem`);
  await ca_leaf(dir, "nccn", "/CN=a.outside.test", { ...by("nc"), ext: "ipcn", dates: days, suffix: ".crt" });
  // intx: int's name and key, signed by pl0 (whose pathlen 0 allows no CA below it).
  await openssl(dir, "req", "-new", "-key", "int.key", "-subj", "/CN=adv17a int", "-out", "intx.csr");
  await openssl(
    dir,
    "ca",
    "-batch",
    "-config",
    "pl0.cnf",
    "-cert",
    "pl0.pem",
    "-keyfile",
    "pl0.key",
    "-in",
    "intx.csr",
    "-out",
    "intx.crt",
    "-extensions",
    "v3ca",
    "-notext",
    "-days",
    "2",
  );
  await ca_leaf(dir, "leaf", "/CN=localhost", { ...by("int"), ext: "good", dates: days, suffix: ".crt" });
  for (const [n, ext] of [["direct", "good"], ["cli", "cli"], ["srv", "srv"]]) {
    await ca_leaf(dir, n!, "/CN=localhost", { ...by("root"), ext: ext!, dates: days });
  }
  const now = Date.now();
  const short_until = Math.floor(now / 1000) * 1000 + short_s * 1000;
  await ca_leaf(dir, "short", "/CN=localhost", {
    ...by("root"),
    ext: "good",
    dates: ["-startdate", stamp(now - 3_600_000), "-enddate", stamp(short_until)],
  });
  const text = (n: string) => Deno.readTextFileSync(`${dir}/${n}`);
  Deno.writeTextFileSync(`${dir}/leaf_int.pem`, text("leaf.crt") + text("int.crt"));
  Deno.writeTextFileSync(`${dir}/leaf.pem`, text("leaf.crt"));
  Deno.copyFileSync(`${dir}/leaf.key`, `${dir}/leaf_int.key`);
  Deno.writeTextFileSync(`${dir}/nccn.pem`, text("nccn.crt") + text("nc.crt"));
  Deno.writeTextFileSync(`${dir}/leaf_intx.pem`, text("leaf.crt") + text("intx.crt"));
  Deno.copyFileSync(`${dir}/leaf.key`, `${dir}/leaf_intx.key`);
  return { dir, short_until };
}

/**
 * A python3 TLS server listening once per named chain (argv[2], comma-separated: `${name}.pem` + `${name}.key`)
 * on 127.0.0.1; prints {name: port} first; each connection is answered with the SNI name it sent (None without).
 * It serves until killed (at most argv[3] seconds).
 */
const PY_SERVERS = `
import json, socket, ssl, sys, threading, time
d, names, life = sys.argv[1], sys.argv[2].split(","), float(sys.argv[3])
ports = {}
def serve(srv, ctx):
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        conn.settimeout(10)
        seen = [None]
        ctx.sni_callback = lambda s, name, c: seen.__setitem__(0, name)
        try:
            with ctx.wrap_socket(conn, server_side=True) as s:
                s.sendall(str(seen[0]).encode())
                try: s.recv(10)
                except Exception: pass
        except Exception:
            conn.close()
for n in names:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/{n}.pem", f"{d}/{n}.key")
    srv = socket.create_server(("127.0.0.1", 0))
    ports[n] = srv.getsockname()[1]
    threading.Thread(target=serve, args=(srv, ctx), daemon=True).start()
print(json.dumps(ports), flush=True)
time.sleep(life)
`;

/** Start {@linkcode PY_SERVERS} for `names`: their ports, and a stop(). */
export async function py_servers(
  c: Certs17,
  names: string[],
): Promise<{ ports: Record<string, number>; stop(): Promise<void> }> {
  const srv = await python_server(PY_SERVERS, c.dir, names.join(","), "25");
  return {
    ports: JSON.parse(srv.first) as Record<string, number>,
    async stop() {
      srv.kill();
      await srv.rest();
    },
  };
}

/** A verification outcome as both twins print it: "ok <sni>" or "<verify_code> <verify_message> | <str(e)>". */
export function outcome_of(e: unknown): string {
  const x = e as { verify_code?: unknown; verify_message?: unknown; message?: unknown };
  return `${(e as object)?.constructor?.name} ${x.verify_code ?? "None"} ${x.verify_message ?? "None"} | ${x.message}`;
}

/** The same in python3 (a function `res(e)`). */
export const PY_OUTCOME = `
def res(e):
    return f"{type(e).__name__} {getattr(e, 'verify_code', None)} {getattr(e, 'verify_message', None)} | {e}"
`;
