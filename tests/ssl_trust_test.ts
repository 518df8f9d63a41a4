// Trust in ssl.ts, against real peers (python3's ssl, CPython 3.11 as the
// reference): a server verifies client certificates (CERT_REQUIRED,
// CERT_OPTIONAL), a client verifies the server before it sends its
// certificate or any application byte (TLS 1.2 and 1.3, with and without
// do_handshake_on_connect), and a failed wrap_socket never leaves a
// half-wrapped socket. Certificates are made with openssl at test time.

import assert from "node:assert/strict";
import { create_connection, create_server, OSError, socket, socketpair } from "../mod.ts";
import {
  CERT_OPTIONAL,
  CERT_REQUIRED,
  create_default_context,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  SSLSocket,
  TLSVersion,
} from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { lone_v4, missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const enc = new TextEncoder();
const dec = new TextDecoder();
// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;

/** What a handshake came to, in a shape both Python and pysocket can print. */
interface Outcome {
  ok?: string | null; // the peer certificate's commonName (null: none)
  err?: string; // exception class name
  reason?: string | null;
  verify_code?: number | null;
}

// ---- the server verifies client certificates ----------------------------

const PY_SERVER = `
import json, socket, ssl, sys
d, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
ctx.verify_mode = ssl.CERT_REQUIRED if mode == "required" else ssl.CERT_OPTIONAL
with socket.create_server(("127.0.0.1", port)) as srv:
    srv.settimeout(20)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(10)
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        c = s.getpeercert()
        cn = dict(x[0] for x in c["subject"])["commonName"] if c else None
        print(json.dumps({"ok": cn}), flush=True)
        s.sendall(b"welcome")
        s.close()
    except ssl.SSLError as e:
        print(json.dumps({"err": type(e).__name__, "reason": e.reason, "verify_code": getattr(e, "verify_code", None)}), flush=True)
        conn.close()
`;

const PY_CLIENT = `
import socket, ssl, sys
d, port, cert = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
if cert != "none":
    ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            print("recv", s.recv(100))
except (OSError, ssl.SSLError) as e:
    print("client error", type(e).__name__)
`;

/** A python3 client presenting `cert` to a python3 server in `mode`: what the server saw. */
async function python_server_outcome(mode: string, cert: string): Promise<Outcome> {
  const srv = await python_server(PY_SERVER, certs.dir, mode, "0");
  const client = await python(PY_CLIENT, certs.dir, srv.first, cert);
  const r = await srv.rest();
  assert.equal(r.code, 0, r.err + client.err);
  return JSON.parse(r.out.trim()) as Outcome;
}

/** The same python3 client presenting `cert` to a pysocket server in `mode`. */
async function pysocket_server_outcome(mode: string, cert: string): Promise<[Outcome, string]> {
  const ctx = create_default_context(Purpose.CLIENT_AUTH, { cafile: P("ca.pem") });
  ctx.load_cert_chain(P("server.pem"), P("server.key"));
  ctx.verify_mode = mode === "required" ? CERT_REQUIRED : CERT_OPTIONAL;
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const lsn = await ctx.wrap_socket(srv, true);
  lsn.settimeout(20);
  const client = python(PY_CLIENT, certs.dir, String(port), cert);
  let out: Outcome;
  try {
    const [conn] = await lsn.accept();
    using c = conn as SSLSocket;
    const pc = c.getpeercert();
    const cn = pc && "subject" in pc ? Object.fromEntries(pc.subject.map((r) => r[0]!))["commonName"] ?? null : null;
    out = { ok: cn };
    await c.sendall(enc.encode("welcome"));
  } catch (e) {
    assert.ok(e instanceof SSLError, String(e));
    out = {
      err: e.constructor.name,
      reason: e.reason,
      verify_code: e instanceof SSLCertVerificationError ? e.verify_code : null,
    };
  }
  const c = await client;
  return [out, c.out];
}

for (const mode of ["required", "optional"]) {
  test(`a pysocket server with CERT_${mode.toUpperCase()} verifies client certificates as CPython does`, async () => {
    for (const cert of ["client", "evil_client", "self", "none"]) {
      const want = await python_server_outcome(mode, cert);
      const [got, client_out] = await pysocket_server_outcome(mode, cert);
      if (want.ok !== undefined) {
        assert.deepEqual(got, want, `${cert}: ${JSON.stringify(got)}`);
        assert.match(client_out, /recv b'welcome'/, cert);
      } else {
        assert.equal(got.err, want.err, `${cert}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
        assert.equal(got.reason, want.reason, cert);
        assert.equal(got.verify_code ?? null, want.verify_code ?? null, cert);
        // The made-up identity (CN=admin) is never accepted, and the client gets no byte.
        assert.doesNotMatch(client_out, /welcome/, cert);
      }
    }
  });
}

test("a server context that trusts nothing refuses every client certificate (fail closed)", async () => {
  const ctx = new SSLContext(); // PROTOCOL_TLS: no CA loaded
  ctx.load_cert_chain(P("server.pem"), P("server.key"));
  ctx.verify_mode = CERT_REQUIRED;
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const lsn = await ctx.wrap_socket(srv, true);
  lsn.settimeout(20);
  const client = python(PY_CLIENT, certs.dir, String(port), "client");
  await assert.rejects(lsn.accept(), SSLCertVerificationError);
  assert.doesNotMatch((await client).out, /welcome/);
});

// ---- the client verifies the server first ------------------------------

const PY_BAD_SERVER = `
import socket, ssl, sys
d, name, ver = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/" + name + ".pem", d + "/" + name + ".key")
ctx.load_verify_locations(d + "/ca.pem")
ctx.verify_mode = ssl.CERT_OPTIONAL
if ver == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(20)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(10)
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        print("HANDSHAKE-DONE cert:", s.getpeercert(), flush=True)
        print("DATA:", s.recv(100), flush=True)
    except (OSError, ssl.SSLError) as e:
        print("server error", type(e).__name__, flush=True)
`;

const PY_CHECK_CLIENT = `
import socket, ssl, sys
d, port, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        ctx.wrap_socket(raw, server_hostname=host)
    print("no error")
except ssl.SSLCertVerificationError as e:
    print(e.verify_code, e.verify_message)
`;

for (const ver of ["1.2", "1.3"]) {
  for (const on_connect of [true, false]) {
    test(`a pysocket client sends nothing but its ClientHello to a bad TLS ${ver} server (do_handshake_on_connect=${on_connect})`, async () => {
      for (
        const [name, host] of [["untrusted", "localhost"], ["self", "localhost"], ["expired", "localhost"], [
          "wrong",
          "localhost",
        ], ["server", "wrong.example"]] as const
      ) {
        // CPython's verdict on the same server.
        const twin_srv = await python_server(PY_BAD_SERVER, certs.dir, name, ver);
        const twin = await python(PY_CHECK_CLIENT, certs.dir, twin_srv.first, host);
        twin_srv.kill();
        await twin_srv.rest();
        const [code, ...msg] = twin.out.trim().split(" ");

        const srv = await python_server(PY_BAD_SERVER, certs.dir, name, ver);
        const ctx = create_default_context({ cafile: P("ca.pem") });
        ctx.load_cert_chain(P("client.pem"), P("client.key"));
        const raw = await create_connection(["127.0.0.1", Number(srv.first)], 10);
        let caught: unknown = null;
        try {
          const s = await ctx.wrap_socket(raw, { server_hostname: host, do_handshake_on_connect: on_connect });
          await s.sendall(enc.encode("SECRET application bytes"));
          await s.do_handshake();
        } catch (e) {
          caught = e;
        }
        raw.close();
        const r = await srv.rest();
        assert.ok(caught instanceof SSLCertVerificationError, `${name}/${host}: ${caught}`);
        assert.equal(String(caught.verify_code), code, `${name}/${host}`);
        assert.equal(caught.verify_message, msg.join(" "), `${name}/${host}`);
        // Neither the client certificate nor an application byte reached the server.
        assert.doesNotMatch(r.out, /HANDSHAKE-DONE|DATA|pysocket client|SECRET/, `${name}/${host}: ${r.out}`);
      }
    });
  }
}

test("a client context that trusts nothing refuses the server before sending anything (fail closed)", async () => {
  const srv = await python_server(PY_BAD_SERVER, certs.dir, "server", "1.2");
  const ctx = new SSLContext(); // PROTOCOL_TLS: CERT_NONE, no CA
  ctx.verify_mode = CERT_REQUIRED;
  ctx.load_cert_chain(P("client.pem"), P("client.key"));
  const raw = await create_connection(["127.0.0.1", Number(srv.first)], 10);
  await assert.rejects(
    ctx.wrap_socket(raw),
    // CPython 3.11: 19, the python server's OpenSSL sends its CA too (auto chain from its trust store), a
    // self-signed root that is not trusted (adv14b A14b-3; pysocket said 20 before).
    (e: unknown) => e instanceof SSLCertVerificationError && e.verify_code === 19,
  );
  const r = await srv.rest();
  assert.doesNotMatch(r.out, /HANDSHAKE-DONE|DATA/);
});

// ---- never half-wrapped ------------------------------------------------

test("a wrap_socket that fails before the handshake leaves the socket exactly as it was", async () => {
  const no_cert = new SSLContext(); // a server side needs a certificate
  const no_protocols = create_default_context({ cafile: P("ca.pem") });
  no_protocols.options |= OP_NO_TLSv1_2 | OP_NO_TLSv1_3;
  const too_low = create_default_context({ cafile: P("ca.pem") });
  too_low.minimum_version = TLSVersion.TLSv1_3;
  too_low.options |= OP_NO_TLSv1_3;
  for (const [ctx, server_side] of [[no_cert, true], [no_protocols, false], [too_low, false]] as const) {
    const [a, b] = await socketpair();
    await assert.rejects(
      ctx.wrap_socket(a, { server_side, server_hostname: server_side ? null : "localhost" }),
      SSLError,
    );
    assert.ok(!(a instanceof SSLSocket), "the socket must not claim to be TLS");
    assert.notEqual(a.fileno(), -1);
    await a.sendall(enc.encode("plain"));
    assert.equal(dec.decode(await b.recv(10)), "plain"); // still the plain socket, as before
    a.close();
    b.close();
  }
});

test("a wrap_socket whose handshake fails closes the socket (as CPython)", async () => {
  const [a, b] = await socketpair();
  const ctx = create_default_context({ cafile: P("ca.pem") });
  ctx.load_cert_chain(P("client.pem"), P("client.key"));
  b.close(); // the peer goes away: the handshake fails
  await assert.rejects(ctx.wrap_socket(a, { server_hostname: "localhost" }), OSError);
  assert.equal(a.fileno(), -1);
});

test("an unconnected SSLSocket whose context can no longer make a session is closed by connect(), not left plain", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const ctx = create_default_context({ cafile: P("ca.pem") });
  const s = await ctx.wrap_socket(socket(), { server_hostname: "localhost" });
  ctx.options |= OP_NO_TLSv1_2 | OP_NO_TLSv1_3; // no protocol left
  await assert.rejects(s.connect(srv.getsockname() as [string, number]), SSLError);
  assert.equal(s.fileno(), -1);
  const [conn] = await srv.accept();
  conn.settimeout(5);
  assert.equal((await conn.recv(10)).length, 0, "not a byte went out in clear");
  conn.close();
});

test("SSLSocket.connect_ex() returns a connection's errno and raises a handshake's failure, as CPython's", async () => {
  // The refused port is freed on a loopback address of this test's own: no other test file (run in parallel) can be
  // given it meanwhile, as it could on 127.0.0.1.
  const lone = lone_v4();
  const twin = await python(
    `
import socket, ssl, sys
d = sys.argv[1]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
lone = sys.argv[2]  # a loopback address of the test's own: a port freed there stays closed
srv = socket.create_server((lone, 0)); port = srv.getsockname()[1]; srv.close()
s = ctx.wrap_socket(socket.socket(), server_hostname="localhost")
print(s.connect_ex((lone, port)))
`,
    certs.dir,
    lone,
  );
  using srv = create_server([lone, 0]);
  const port = (srv.getsockname() as [string, number])[1];
  srv.close();
  using s = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(socket(), {
    server_hostname: "localhost",
  });
  assert.equal(String(await s.connect_ex([lone, port])), twin.out.trim());
  // A handshake failure raises (an untrusted server).
  const srv2 = await python_server(PY_BAD_SERVER, certs.dir, "untrusted", "1.3");
  using s2 = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(socket(), {
    server_hostname: "localhost",
  });
  await assert.rejects(s2.connect_ex(["127.0.0.1", Number(srv2.first)]), SSLCertVerificationError);
  await srv2.rest();
});
