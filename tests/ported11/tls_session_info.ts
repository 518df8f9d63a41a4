// Port of tls_session_info.py (the server thread is a task whose lines are kept and printed after it ends, as the
// original's; dict(x[0] for x in rdns) is Object.fromEntries; time.time() is Date.now() / 1000; `except
// (ssl.SSLError, OSError)` is catch of OSError, SSLError being one).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bjoin, print, repr } from "../ported/_py.ts";

const d = Deno.args[0]!;
const shared = Deno.args.length === 2 && Deno.args[1] === "shared";
const nooverlap = Deno.args.length === 2 && Deno.args[1] === "nooverlap";
const slog: unknown[][] = [];

function server_ctx(alpn: string[] | null, require_cert: boolean) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  if (alpn !== null) ctx.set_alpn_protocols(alpn);
  if (require_cert) {
    ctx.verify_mode = ssl.CERT_REQUIRED;
    ctx.load_verify_locations(d + "/ca.pem");
  }
  return ctx;
}

const cn = (rdns: [string, string][][]) => Object.fromEntries(rdns.map((x) => x[0]!))["commonName"];

async function serve(lsock: socket.Socket, ctx: ssl.SSLContext) {
  const [conn] = await lsock.accept();
  using tls = await ctx.wrap_socket(conn, { server_side: true });
  slog.push(["server: version", tls.version(), "alpn", tls.selected_alpn_protocol()]);
  slog.push(["server: server_side", tls.server_side, "server_hostname", tls.server_hostname]);
  const c = tls.cipher()!;
  slog.push(["server: cipher protocol", c[1], "bits", c[2]]);
  const peer = tls.getpeercert() as ssl.PeerCertificate | null;
  if (peer && Object.keys(peer).length) {
    slog.push(["server: client CN", cn(peer.subject), "issuer CN", cn(peer.issuer)]);
  } else {
    slog.push(["server: no client certificate", peer]);
  }
  if (shared) {
    slog.push(["server: shared ciphers listed", ((tls.shared_ciphers() as unknown[] | null) ?? []).length > 0]);
  }
  await tls.sendall(bjoin([b("hello "), b(tls.version()!)]));
  await tls.recv(16);
}

async function session(client_alpn: string[] | null, server_alpn: string[] | null, client_cert = false) {
  const sctx = server_ctx(server_alpn, client_cert);
  const lsock = socket.create_server(["127.0.0.1", 0]);
  const port = (lsock.getsockname() as [string, number])[1];
  const t = serve(lsock, sctx);
  t.catch(() => {});
  try {
    const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
    if (client_alpn !== null) ctx.set_alpn_protocols(client_alpn);
    if (client_cert) ctx.load_cert_chain(d + "/client.pem", d + "/client.key");
    const raw = await socket.create_connection(["127.0.0.1", port], 5);
    {
      using tls = await ctx.wrap_socket(raw, { server_hostname: "localhost" });
      print("client: version", tls.version(), "alpn", repr(tls.selected_alpn_protocol()));
      print("client: server_side", tls.server_side, "server_hostname", tls.server_hostname);
      const [name, proto, bits] = tls.cipher()!;
      print("client: cipher protocol", proto, "bits", bits, "name is TLS 1.3 style:", name.startsWith("TLS_"));
      print("client: shared_ciphers", tls.shared_ciphers(), "compression", tls.compression());
      const cert = tls.getpeercert() as ssl.PeerCertificate;
      print("client: subject", cert.subject);
      print("client: issuer", cert.issuer);
      print("client: subjectAltName", cert.subjectAltName);
      print("client: version field", cert.version, "serial hex digits", cert.serialNumber.length > 0);
      const left = ssl.cert_time_to_seconds(cert.notAfter) - Date.now() / 1000;
      print(
        "client: notAfter within 3 days",
        0 < left && left < 3 * 86400,
        "notBefore parses",
        ssl.cert_time_to_seconds(cert.notBefore) < Date.now() / 1000 + 60,
      );
      const der = tls.getpeercert(true)!;
      print(
        "client: DER starts",
        der.subarray(0, 1),
        "PEM round trip",
        beq(ssl.PEM_cert_to_DER_cert(ssl.DER_cert_to_PEM_cert(der)), der),
      );
      print("client: got", await tls.recv(64));
      await tls.sendall(b("bye"));
    }
  } finally {
    await t.catch(() => {});
    lsock.close();
  }
  for (const line of slog) print(...line);
  slog.length = 0;
}

const ctx = ssl.create_default_context();
print(
  "default context: protocol",
  ctx.protocol === ssl.PROTOCOL_TLS_CLIENT,
  "verify_mode",
  ctx.verify_mode,
  "check_hostname",
  ctx.check_hostname,
);
print("  minimum", ctx.minimum_version, "maximum", ctx.maximum_version);
print(
  "  OP_NO_SSLv3",
  Boolean(ctx.options & ssl.OP_NO_SSLv3),
  "OP_NO_COMPRESSION",
  Boolean(ctx.options & ssl.OP_NO_COMPRESSION),
);
const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
print(
  "server context: protocol",
  sctx.protocol === ssl.PROTOCOL_TLS_SERVER,
  "verify_mode",
  sctx.verify_mode,
  "check_hostname",
  sctx.check_hostname,
);
ctx.minimum_version = ssl.TLSVersion.TLSv1_2;
ctx.maximum_version = ssl.TLSVersion.TLSv1_2;
print("  pinned:", ctx.minimum_version, ctx.maximum_version);

print("== ALPN h2 and http/1.1, the server prefers http/1.1");
await session(["h2", "http/1.1"], ["http/1.1"]);
if (nooverlap) {
  print("== ALPN with no overlap");
  try {
    await session(["h2"], ["spdy/3"]);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("no overlap:", e.constructor.name);
  }
}
print("== no ALPN");
await session(null, null);
print("== mutual TLS");
await session(null, null, true);
