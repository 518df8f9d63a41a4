// Port of tls_sni_client.py (`dict(x[0] for x in cert['subject'])` is spelled out).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, print } from "../ported/_py.ts";

const port = parseInt(Deno.args[0]!);
const certs = Deno.args[1]!;

async function attempt(label: string, ctx: ssl.SSLContext, name: string) {
  using sock = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  try {
    await using tls = await ctx.wrap_socket(sock, { server_hostname: name });
    const cert = tls.getpeercert()!;
    await tls.sendall(bjoin([b("hello "), b(label)]));
    const subject = new Map(cert.subject!.map((x) => x[0]!));
    print(label, tls.server_hostname, subject.get("commonName"), cert.subjectAltName, await tls.recv(1024));
  } catch (e) {
    if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
    print(label, "verify failed:", e.verify_code, e.verify_message);
  }
}

const ctx = ssl.create_default_context({ cafile: certs + "/ca.pem" });
print("check_hostname:", ctx.check_hostname, ctx.verify_mode === ssl.CERT_REQUIRED);
await attempt("localhost", ctx, "localhost");
await attempt("vhost", ctx, "wrong.example");
await attempt("unknown", ctx, "unknown.example");
await attempt("ip", ctx, "127.0.0.1");
const loose = ssl.create_default_context({ cafile: certs + "/ca.pem" });
loose.check_hostname = false;
await attempt("loose", loose, "unknown.example");
await attempt("vhost-again", ctx, "WRONG.example");
await attempt("no-ca", ssl.create_default_context(), "localhost");
