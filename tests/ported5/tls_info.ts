// Port of tls_info.py (the server thread becomes a task; an enum's .name is the key whose value it is).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, print, repr, str } from "../ported/_py.ts";

const D = Deno.args[0]!;
const name_in = (table: Record<string, unknown>, v: unknown) => Object.entries(table).find(([, x]) => x === v)![0];

function create_ssl_context(
  client: boolean,
  { cafile, certfile, keyfile, verify_client }: {
    cafile?: string;
    certfile?: string;
    keyfile?: string;
    verify_client?: number;
  } = {},
) {
  const purpose = client ? ssl.Purpose.SERVER_AUTH : ssl.Purpose.CLIENT_AUTH;
  const context = ssl.create_default_context(purpose, { cafile: cafile ?? null });
  if (certfile) context.load_cert_chain(certfile, keyfile);
  if (verify_client !== undefined) context.verify_mode = verify_client as 0 | 1 | 2;
  return context;
}

type Rdn = [string, string][];

function describe(ssl_sock: ssl.SSLSocket, hostname: string, server = false) {
  const cert = ssl_sock.getpeercert();
  if (cert === null) {
    print("  Peer certificate: none");
  } else {
    print("  Peer certificate:");
    for (const field of ["subject", "issuer"] as const) {
      const rdns = (cert[field] ?? []) as Rdn[];
      print("   ", field.padEnd(8), rdns.flatMap((rdn) => rdn.map(([k, v]) => `${k}=${v}`)).join(", "));
    }
    const names = (cert.subjectAltName ?? []) as [string, string][];
    print("    names   ", names.map(([k, v]) => `${k}:${v}`).join(", ") || "(none)");
    print("    version ", cert.version, "serial length", String(cert.serialNumber ?? "").length);
    if (!server && names.length) {
      print("    matches", repr(hostname), "->", names.some(([, v]) => v === hostname) ? "True" : "False");
    }
  }
  const cipher = ssl_sock.cipher()!;
  print("  Cipher chosen for this connection...", cipher[0]);
  print("  Cipher defined in TLS version.......", cipher[1]);
  print("  Cipher key has this many bits.......", cipher[2]);
  print("  Compression algorithm in use........", str(ssl_sock.compression()));
  print("  Protocol version....................", ssl_sock.version());
  print("  Server side.........................", str(ssl_sock.server_side));
}

const results = new Map<number, string>();

async function server(listener: socket.Socket, context: ssl.SSLContext, n: number) {
  for (let i = 0; i < n; i++) {
    const [raw] = await listener.accept();
    let ssl_sock: ssl.SSLSocket;
    try {
      ssl_sock = await context.wrap_socket(raw, { server_side: true });
    } catch (e) {
      if (!(e instanceof ssl.SSLError)) throw e;
      results.set(i, repr(["server handshake failed", e.name]));
      raw.close();
      continue;
    }
    const peer = ssl_sock.getpeercert();
    results.set(
      i,
      `(${repr(ssl_sock.version())}, ${str(peer !== null)}, ${
        peer
          ? `(${(peer.subject as Rdn[]).map((rdn) => `(${rdn.map((kv) => repr(kv)).join(", ")},)`).join(", ")},)`
          : "None"
      })`,
    );
    await ssl_sock.sendall(b("Beautiful is better than ugly."));
    await ssl_sock.recv(1);
    ssl_sock.close();
  }
}

async function run(title: string, server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, hostname = "localhost") {
  print(title);
  const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  listener.bind(["127.0.0.1", 0]);
  listener.listen(1);
  const t = server(listener, server_ctx, 1);
  const raw_sock = await socket.create_connection(listener.getsockname() as [string, number]);
  let ssl_sock: ssl.SSLSocket | null = null;
  try {
    ssl_sock = await client_ctx.wrap_socket(raw_sock, { server_hostname: hostname });
  } catch (e) {
    if (!(e instanceof ssl.SSLError)) throw e;
    print("  client handshake failed:", e.name);
    raw_sock.close();
  }
  if (ssl_sock) {
    describe(ssl_sock, hostname);
    print("  server says", await ssl_sock.recv(1024));
    await ssl_sock.sendall(b("."));
    ssl_sock.close();
  }
  await t;
  listener.close();
  print("  server saw", results.get(0));
  results.delete(0);
}

const server_ctx = create_ssl_context(false, { certfile: D + "/server.pem", keyfile: D + "/server.key" });
const client_ctx = create_ssl_context(true, { cafile: D + "/ca.pem" });
await run("TLS 1.3, server authenticated", server_ctx, client_ctx);

const capped = create_ssl_context(true, { cafile: D + "/ca.pem" });
capped.maximum_version = ssl.TLSVersion.TLSv1_2;
await run("client capped at TLS 1.2", server_ctx, capped);

const mutual = create_ssl_context(false, {
  cafile: D + "/ca.pem",
  certfile: D + "/server.pem",
  keyfile: D + "/server.key",
  verify_client: ssl.CERT_REQUIRED,
});
const with_cert = create_ssl_context(true, {
  cafile: D + "/ca.pem",
  certfile: D + "/client.pem",
  keyfile: D + "/client.key",
});
await run("client certificate required and given", mutual, with_cert);

const optional = create_ssl_context(false, {
  cafile: D + "/ca.pem",
  certfile: D + "/server.pem",
  keyfile: D + "/server.key",
  verify_client: ssl.CERT_OPTIONAL,
});
await run("client certificate optional, none given", optional, client_ctx);

print(
  "check_hostname",
  str(client_ctx.check_hostname),
  "verify_mode",
  name_in(ssl.VerifyMode, client_ctx.verify_mode),
  "minimum",
  name_in(ssl.TLSVersion, client_ctx.minimum_version),
  "server verify_mode",
  name_in(ssl.VerifyMode, server_ctx.verify_mode),
);
