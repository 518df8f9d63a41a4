// Trust with Deno's default roots beside a context's own CAs (issue 17):
// a client context made by create_default_context() and given one more CA
// trusts Deno's roots AND that CA, nothing else; a context given only a CA
// trusts that CA alone (never Deno's roots); a server verifies client
// certificates against its own CAs only. A "public" root is simulated with
// DENO_CERT (Deno adds it to its own root store) in a subprocess: loopback
// only, our own CAs. CPython twins give the verify codes for the same cases.

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import {
  CERT_REQUIRED,
  create_default_context,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  type SSLSocket,
} from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;
const dec = new TextDecoder();

/** A pysocket TLS server with the leaf `name`; returns its port and a closer. */
async function serve(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const ctx = new SSLContext(17);
  ctx.load_cert_chain(P(`${name}.pem`), P(`${name}.key`));
  const lsn = await ctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
  const port = (lsn.getsockname() as [string, number])[1];
  const accepts = (async () => {
    for (let i = 0; i < 20; i++) {
      try {
        const [c] = await lsn.accept();
        c.close();
      } catch (e) {
        if (lsn.fileno() === -1) return;
        if (!(e instanceof SSLError)) return;
      }
    }
  })();
  return {
    port,
    async close() {
      lsn.close();
      await accepts;
    },
  };
}

/** "ok" or the verify code of the client's refusal. */
async function outcome(ctx: SSLContext, port: number): Promise<string> {
  try {
    const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port]), { server_hostname: "localhost" });
    s.close();
    return "ok";
  } catch (e) {
    if (e instanceof SSLCertVerificationError) return `refused ${e.verify_code}`;
    throw e;
  }
}

const PY_CLIENT = `
import socket, ssl, sys
d, roots, port = sys.argv[1], sys.argv[2] == "roots", int(sys.argv[3])
ctx = ssl.create_default_context(cafile=d + "/ca.pem") if roots else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
if not roots: ctx.load_verify_locations(d + "/ca.pem")
try:
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost"):
        print("ok")
except ssl.SSLCertVerificationError as e:
    print("refused", e.verify_code)
`;

test("the default roots plus one CA trust a server signed by that CA and refuse an untrusted one, as CPython's", async () => {
  for (const leaf of ["server", "untrusted", "self"]) {
    const srv = await serve(leaf);
    try {
      for (const roots of [true, false]) {
        const ctx = roots ? create_default_context() : new SSLContext(16 /* PROTOCOL_TLS_CLIENT */);
        ctx.load_verify_locations(P("ca.pem"));
        const twin = await python(PY_CLIENT, certs.dir, roots ? "roots" : "ca", String(srv.port));
        assert.equal(twin.code, 0, twin.err);
        assert.equal(await outcome(ctx, srv.port), twin.out.trim(), `${leaf}, ${roots ? "roots + CA" : "CA only"}`);
      }
    } finally {
      await srv.close();
    }
  }
});

test("a root Deno trusts (DENO_CERT) is trusted beside a context's CA by create_default_context(), never by a CA-only context", async () => {
  // `other` plays a public root: in Deno's own store through DENO_CERT.
  const code = `
const [root, dir] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { create_default_context, SSLContext, SSLCertVerificationError } = await import(root + "ssl.ts");
const out = [];
for (const leaf of ["server", "untrusted", "self"]) {
  const sctx = new SSLContext(17);
  sctx.load_cert_chain(dir + "/" + leaf + ".pem", dir + "/" + leaf + ".key");
  const lsn = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), true);
  for (const kind of ["roots+ca", "roots", "ca"]) {
    const ctx = kind === "ca" ? new SSLContext(16) : create_default_context();
    if (kind !== "roots") ctx.load_verify_locations(dir + "/ca.pem");
    const acc = lsn.accept().then(([c]) => c.close(), () => {});
    try {
      const s = await ctx.wrap_socket(await create_connection(lsn.getsockname()), { server_hostname: "localhost" });
      s.close();
      out.push(leaf + " " + kind + " ok");
    } catch (e) {
      out.push(leaf + " " + kind + " " + (e instanceof SSLCertVerificationError ? "refused " + e.verify_code : String(e)));
    }
    await acc;
  }
  lsn.close();
}
console.log(out.join("\\n"));
`;
  const path = `${certs.dir}/roots_${crypto.randomUUID()}.ts`;
  Deno.writeTextFileSync(path, code);
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-net", "--allow-read", path, new URL("..", import.meta.url).href, certs.dir],
    env: { DENO_CERT: P("other.pem") },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(run.code, 0, dec.decode(run.stderr));
  assert.deepEqual(dec.decode(run.stdout).trim().split("\n"), [
    "server roots+ca ok",
    "server roots refused 20",
    "server ca ok",
    "untrusted roots+ca ok", // signed by `other`, a root of Deno's store
    "untrusted roots ok",
    "untrusted ca refused 20", // a CA-only context never trusts Deno's roots
    "self roots+ca refused 18",
    "self roots refused 18",
    "self ca refused 18",
  ]);
});

test("a server with the default roots and CERT_REQUIRED completes CPython's handshake and verifies against its own CA only", async () => {
  // node:tls would put every root in its certificate request: OpenSSL refused that with EXCESSIVE_MESSAGE_SIZE.
  const ctx = create_default_context(Purpose.CLIENT_AUTH, { cafile: P("ca.pem") });
  ctx.load_default_certs(Purpose.CLIENT_AUTH); // with a cafile, create_default_context() loads none itself
  ctx.load_cert_chain(P("server.pem"), P("server.key"));
  ctx.verify_mode = CERT_REQUIRED;
  const lsn = await ctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
  try {
    const port = String((lsn.getsockname() as [string, number])[1]);
    for (const [cert, want] of [["client", "ok pysocket client"], ["evil_client", "refused 20"]] as const) {
      const py = await python_server(
        `
import socket, ssl, sys
d, port, cert = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
print("start", flush=True)
try:
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost") as s:
        print("handshake", s.version(), s.recv(10))
except (OSError, ssl.SSLError) as e:
    print("client error", type(e).__name__, e)
`,
        certs.dir,
        port,
        cert,
      );
      assert.equal(py.first, "start");
      let got: string;
      try {
        const [c] = await lsn.accept();
        const subject = Object.fromEntries(
          ((c as SSLSocket).getpeercert() as { subject: [string, string][][] }).subject.flat(),
        );
        got = `ok ${subject.commonName}`;
        await c.sendall(new TextEncoder().encode("hi"));
        c.close();
      } catch (e) {
        got = e instanceof SSLCertVerificationError ? `refused ${e.verify_code}` : String(e);
      }
      const rest = await py.rest();
      assert.equal(got, want, rest.out + rest.err);
      // The client finished its handshake (TLS 1.3: before the server's check), never EXCESSIVE_MESSAGE_SIZE.
      assert.match(rest.out, /handshake TLSv1\.3|client error/);
      assert.doesNotMatch(rest.out, /EXCESSIVE_MESSAGE_SIZE/);
      if (cert === "client") assert.match(rest.out, /handshake TLSv1\.3 b'hi'/);
    }
  } finally {
    lsn.close();
  }
});
