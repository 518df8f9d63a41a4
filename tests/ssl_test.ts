// Tests of ssl.ts: certificates are made at test time with openssl in a
// temp dir; python3's ssl module is the peer for interop.

import assert from "node:assert/strict";
import { create_connection, create_server, OSError, type Socket, socket, TimeoutError } from "../mod.ts";
import {
  CERT_NONE,
  CERT_REQUIRED,
  CertificateError,
  create_default_context,
  DER_cert_to_PEM_cert,
  PEM_cert_to_DER_cert,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLSocket,
  TLSVersion,
} from "../ssl.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { select } from "../selectors.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { ca_config, CA_EXT, ca_leaf, cert_dir, RSA_KEY, self_signed } from "./_ssl_fixtures.ts";

const test = test_needing("python3", "openssl");

const enc = new TextEncoder();
const dec = new TextDecoder();

// ---- certificates ------------------------------------------------------

const dir = cert_dir("pysocket_ssl_");

// RSA 2048 keys; `ca` signs server (localhost), wrong (wrong.example),
// expired and client; `other` is an untrusted CA.
async function make_certs(): Promise<void> {
  await self_signed(dir, "ca.key", "ca.pem", "/CN=pysocket test CA", { newkey: RSA_KEY, ext: CA_EXT });
  await self_signed(dir, "other.key", "other.pem", "/CN=untrusted CA", { newkey: RSA_KEY, ext: CA_EXT });
  ca_config(dir, "ca.cnf", "db", [
    "[good]",
    "subjectAltName = DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage = serverAuth,clientAuth",
    "[wrong]",
    "subjectAltName = DNS:wrong.example",
    "extendedKeyUsage = serverAuth",
  ]);
  const leaf = (name: string, cn: string, ext: string, dates: string[]) =>
    ca_leaf(dir, name, `/CN=${cn}`, {
      cnf: "ca.cnf",
      issuer_cert: "ca.pem",
      issuer_key: "ca.key",
      ext,
      dates,
      newkey: RSA_KEY,
    });
  await leaf("server", "localhost", "good", ["-days", "2"]);
  await leaf("wrong", "wrong.example", "wrong", ["-days", "2"]);
  await leaf("expired", "localhost", "good", ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]);
  await leaf("client", "pysocket client", "good", ["-days", "2"]);
}
if (!missing("openssl")) await make_certs(); // without openssl every test here is ignored (test_needing)
const P = (name: string) => `${dir}/${name}`;

function server_context(cert = "server"): SSLContext {
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(P(`${cert}.pem`), P(`${cert}.key`));
  return ctx;
}

function client_context(ca = "ca"): SSLContext {
  return create_default_context({ cafile: P(`${ca}.pem`) });
}

/** A pysocket TLS listener on loopback and its port. */
async function tls_listener(ctx: SSLContext): Promise<[SSLSocket, [string, number]]> {
  const srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  return [await ctx.wrap_socket(srv, true), addr];
}

/** Run a python3 script with a time limit; returns its stdout. */
async function python(script: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  }).spawn();
  const o = await child.output();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

async function recv_exactly(s: Socket, n: number): Promise<string> {
  let got = "";
  for (let i = 0; i < 100 && got.length < n; i++) {
    const b = await s.recv(n - got.length);
    if (b.length === 0) break;
    got += dec.decode(b);
  }
  return got;
}

// ---- contexts ----------------------------------------------------------

test("SSLContext() has Python's defaults per protocol", () => {
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  assert.equal(c.verify_mode, CERT_REQUIRED);
  assert.equal(c.check_hostname, true);
  assert.equal(c.minimum_version, TLSVersion.TLSv1_2);
  assert.equal(c.maximum_version, TLSVersion.MAXIMUM_SUPPORTED);
  const s = new SSLContext(PROTOCOL_TLS_SERVER);
  assert.equal(s.verify_mode, CERT_NONE);
  assert.equal(s.check_hostname, false);
  assert.throws(() => c.verify_mode = CERT_NONE, RangeError);
  c.check_hostname = false;
  c.verify_mode = CERT_NONE;
  s.check_hostname = true;
  assert.equal(s.verify_mode, CERT_REQUIRED);
  assert.equal(create_default_context().protocol, PROTOCOL_TLS_CLIENT);
  assert.equal(create_default_context(Purpose.CLIENT_AUTH).protocol, PROTOCOL_TLS_SERVER);
  assert.ok(create_default_context().cert_store_stats().x509_ca > 100);
  assert.equal(CertificateError, SSLCertVerificationError);
  assert.ok(new SSLEOFError() instanceof OSError);
});

test("SSLContext raises clear errors for what Deno cannot honour", () => {
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  assert.throws(() => c.maximum_version = TLSVersion.TLSv1_1, /cannot be honoured.*TLS 1\.2 and 1\.3/);
  c.minimum_version = TLSVersion.TLSv1; // a floor below 1.2 is honoured by 1.2
  assert.throws(() => c.set_ciphers("ECDHE+AESGCM"), SSLError);
  assert.throws(() => new SSLContext(3), RangeError);
  assert.throws(() => c.load_verify_locations(), TypeError);
  assert.throws(() => c.load_cert_chain(P("missing.pem")), (e: unknown) => e instanceof OSError && e.errno === 2);
  assert.throws(() => c.load_cert_chain(P("server.pem"), P("wrong.key")), /KEY_VALUES_MISMATCH/);
  assert.throws(() => c.load_cert_chain(P("ca.cnf")), /PEM lib/);
  assert.throws(() => new SSLContext().set_alpn_protocols([""]), SSLError); // as CPython's SSLError
  const der = PEM_cert_to_DER_cert(Deno.readTextFileSync(P("ca.pem")));
  assert.equal(PEM_cert_to_DER_cert(DER_cert_to_PEM_cert(der)).length, der.length);
  assert.throws(() => new (SSLSocket as unknown as new () => SSLSocket)(), TypeError);
});

// ---- pysocket <-> pysocket ----------------------------------------------

test("SSLContext.wrap_socket() does a client/server round trip with ALPN, cert details and makefile", async () => {
  const sctx = server_context();
  sctx.set_alpn_protocols(["h2", "http/1.1"]);
  const [lsn, addr] = await tls_listener(sctx);
  using _l = lsn;
  const served = (async () => {
    const [conn] = await lsn.accept();
    using c = conn;
    assert.ok(c instanceof SSLSocket);
    assert.equal((c as SSLSocket).server_side, true);
    const f = c.makefile("rwb");
    const line = await f.readline();
    await f.write(line);
    await f.write(enc.encode("bye\n"));
    await f.flush();
    return dec.decode(line as Uint8Array);
  })();
  const cctx = client_context();
  cctx.set_alpn_protocols(["http/1.1"]);
  using raw = await create_connection(addr);
  const s = await cctx.wrap_socket(raw, { server_hostname: "localhost" });
  assert.equal(s, raw); // upgraded in place
  assert.ok(s instanceof SSLSocket);
  assert.equal(s.version(), "TLSv1.3");
  assert.equal(s.selected_alpn_protocol(), "http/1.1");
  assert.equal(s.server_hostname, "localhost");
  assert.equal(s.context, cctx);
  const ciph = s.cipher()!;
  assert.equal(ciph[1], "TLSv1.3");
  assert.ok(ciph[2] >= 128);
  const cert = s.getpeercert()!;
  assert.deepEqual(cert.subject, [[["commonName", "localhost"]]]);
  assert.deepEqual(cert.issuer, [[["commonName", "pysocket test CA"]]]);
  assert.deepEqual(cert.subjectAltName, [["DNS", "localhost"], ["IP Address", "127.0.0.1"]]);
  assert.match(cert.notAfter, /GMT$/);
  const der = s.getpeercert(true)!;
  assert.deepEqual(
    der,
    PEM_cert_to_DER_cert(Deno.readTextFileSync(P("server.pem")).match(/-----BEGIN[\s\S]+?END CERTIFICATE-----/)![0]),
  );
  assert.match(String(s), /^<ssl\.SSLSocket fd=/);
  await s.sendall(enc.encode("hello tls\n"));
  assert.equal(await recv_exactly(s, 14), "hello tls\nbye\n");
  assert.equal((await s.recv(10)).length, 0); // the server closed: EOF
  assert.equal(await served, "hello tls\n");
});

test("SSLSocket carries a 1 MiB transfer both ways intact", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
  const served = (async () => {
    const [c] = await lsn.accept();
    using conn = c;
    let n = 0;
    const back: Uint8Array[] = [];
    while (n < big.length) {
      const b = await conn.recv(65536);
      if (b.length === 0) break;
      back.push(b);
      n += b.length;
    }
    for (const b of back) await conn.sendall(b);
    await conn.shutdown(1);
  })();
  using s = await client_context().wrap_socket(await create_connection(addr), { server_hostname: "localhost" });
  await s.sendall(big);
  const got = new Uint8Array(big.length);
  let n = 0;
  for (let i = 0; i < 10_000 && n < big.length; i++) n += await s.recv_into(got.subarray(n));
  assert.equal(n, big.length);
  assert.deepEqual(got, big);
  await served;
});

test("wrap_socket() on an unconnected socket shakes hands in connect()", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  const served = lsn.accept().then(async ([c]) => {
    await c.sendall(enc.encode("hi"));
    c.close();
  });
  using s = await client_context().wrap_socket(socket(), { server_hostname: "localhost" });
  assert.equal(s.version(), null);
  await s.connect(addr);
  assert.equal(s.version(), "TLSv1.3");
  assert.equal(dec.decode(await s.recv(10)), "hi");
  await served;
});

test("wrap_socket() honours maximum_version TLSv1_2 and do_handshake_on_connect=false", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  const served = lsn.accept().then(([c]) => c.close());
  const cctx = client_context();
  cctx.maximum_version = TLSVersion.TLSv1_2;
  using s = await cctx.wrap_socket(await create_connection(addr), false, false, true, "localhost");
  assert.throws(() => s.getpeercert(), RangeError); // handshake not done yet
  await s.do_handshake();
  assert.equal(s.version(), "TLSv1.2");
  await served;
});

// ---- verification ------------------------------------------------------

async function verify_failure(
  server_cert: string,
  ca: string,
  host: string,
): Promise<SSLCertVerificationError> {
  const [lsn, addr] = await tls_listener(server_context(server_cert));
  using _l = lsn;
  const served = lsn.accept().then(([c]) => c.close(), (e) => e);
  using raw = await create_connection(addr);
  let caught: unknown = null;
  try {
    await client_context(ca).wrap_socket(raw, { server_hostname: host });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SSLCertVerificationError, String(caught));
  assert.ok(caught instanceof SSLError && caught instanceof OSError);
  assert.equal(raw.fileno(), -1); // closed after the failure
  await served;
  return caught;
}

test("wrap_socket() raises SSLCertVerificationError for a wrong host name", async () => {
  const e = await verify_failure("wrong", "ca", "localhost");
  assert.equal(e.verify_code, 62);
  assert.equal(e.verify_message, "Hostname mismatch, certificate is not valid for 'localhost'.");
  assert.equal(e.reason, "CERTIFICATE_VERIFY_FAILED");
  assert.match(e.message, /^\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: Hostname mismatch/);
  const ip = await verify_failure("wrong", "ca", "127.0.0.1");
  assert.equal(ip.verify_code, 64);
});

test("wrap_socket() raises SSLCertVerificationError for an untrusted CA", async () => {
  const e = await verify_failure("server", "other", "localhost");
  assert.equal(e.verify_code, 20);
  assert.equal(e.verify_message, "unable to get local issuer certificate");
});

test("wrap_socket() raises SSLCertVerificationError for an expired certificate", async () => {
  const e = await verify_failure("expired", "ca", "localhost");
  assert.equal(e.verify_code, 10);
  assert.equal(e.verify_message, "certificate has expired");
});

test("wrap_socket() with CERT_NONE accepts an untrusted certificate and getpeercert() is {}", async () => {
  const [lsn, addr] = await tls_listener(server_context("wrong"));
  using _l = lsn;
  const served = lsn.accept().then(([c]) => c.close());
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.check_hostname = false;
  ctx.verify_mode = CERT_NONE;
  using s = await ctx.wrap_socket(await create_connection(addr));
  assert.deepEqual(s.getpeercert(), {});
  assert.ok(s.getpeercert(true)!.length > 100);
  await served;
});

// ---- never a hang, never a loss ----------------------------------------

test("a plain-text client gets an error on its connection while the TLS socketserver keeps serving", async () => {
  class Echo extends BaseRequestHandler {
    override async handle(): Promise<void> {
      const req = this.request as Socket;
      const b = await req.recv(100);
      await req.sendall(b);
    }
  }
  await using server = new TCPServer(["127.0.0.1", 0], Echo);
  server.socket = await server_context().wrap_socket(server.socket, { server_side: true });
  const serving = server.serve_forever(0.05);
  const addr = server.server_address as [string, number];
  {
    using plain = await create_connection(addr, 5);
    await plain.sendall(enc.encode("GET / HTTP/1.0\r\n\r\n"));
    const got = await plain.recv(100).catch((e) => e);
    // The server answers with a TLS alert or just hangs up; never plain text, never a hang.
    assert.ok(got instanceof Error || got.length === 0 || got[0] === 0x15, String(got));
  }
  {
    using silent = await create_connection(addr, 5); // a client that never speaks
    for (let i = 0; i < 2; i++) {
      using s = await client_context().wrap_socket(await create_connection(addr, 5), { server_hostname: "localhost" });
      await s.sendall(enc.encode(`ping${i}`));
      assert.equal(dec.decode(await s.recv(100)), `ping${i}`);
    }
    silent.close();
  }
  await server.shutdown();
  await serving;
});

test("SSLSocket.accept() keeps a connection whose handshake outlived a timeout", async () => {
  // The listener's timeout bounds each accept() and each accepted handshake
  // (counted from the connection's acceptance): a connection that arrives
  // late in an accept() that times out is returned by the next one.
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  lsn.settimeout(2);
  const first = lsn.accept();
  await new Promise((r) => setTimeout(r, 1200));
  using raw = await create_connection(addr);
  await assert.rejects(first, TimeoutError); // the handshake had not ended
  const client = client_context().wrap_socket(raw, { server_hostname: "localhost" });
  const [conn] = await lsn.accept();
  using c = conn;
  using s = await client;
  await s.sendall(enc.encode("ok"));
  assert.equal(dec.decode(await c.recv(10)), "ok");
});

test("SSLSocket.recv() times out and then loses nothing", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  const accepting = lsn.accept(); // the server shakes hands inside accept()
  using s = await client_context().wrap_socket(await create_connection(addr), { server_hostname: "localhost" });
  const [conn] = await accepting;
  using c = conn;
  s.settimeout(0.1);
  await assert.rejects(s.recv(10), TimeoutError);
  await c.sendall(enc.encode("late"));
  s.settimeout(5);
  assert.equal(dec.decode(await s.recv(10)), "late");
});

test("select() sees an SSLSocket readable only when decrypted bytes arrive, and a TLS listener when a client connects", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  using raw = await create_connection(addr);
  const [r0] = await select([lsn], [], [], 2);
  assert.deepEqual(r0, [lsn]);
  const client = client_context().wrap_socket(raw, { server_hostname: "localhost" });
  const [conn] = await lsn.accept();
  using c = conn;
  using s = await client;
  assert.equal((await select([s], [], [], 0.05))[0].length, 0); // handshake bytes are not data
  await c.sendall(enc.encode("x"));
  assert.deepEqual((await select([s], [], [], 2))[0], [s]);
  assert.deepEqual((await select([], [s], [], 2))[1], [s]);
  assert.equal(dec.decode(await s.recv(1)), "x");
});

test("STARTTLS: a plain-text exchange, then TLS, with reads already in flight on both sides", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const sctx = server_context();
  const served = (async () => {
    const [conn] = await srv.accept();
    conn.settimeout(5);
    assert.equal(dec.decode(await conn.recv(100)), "STARTTLS\r\n");
    // A recv that times out leaves a read in flight: the ClientHello arrives into it.
    conn.settimeout(0.05);
    await conn.sendall(enc.encode("220 go ahead\r\n"));
    await assert.rejects(conn.recv(100), TimeoutError);
    conn.settimeout(5);
    const s = await sctx.wrap_socket(conn, { server_side: true });
    const line = await s.recv(100);
    await s.sendall(line);
    s.close();
  })();
  using c = await create_connection(addr, 5);
  await c.sendall(enc.encode("STARTTLS\r\n"));
  assert.equal(dec.decode(await c.recv(100)), "220 go ahead\r\n");
  c.settimeout(0.05);
  await assert.rejects(c.recv(100), TimeoutError); // in flight when wrapping
  c.settimeout(5);
  const s = await client_context().wrap_socket(c, { server_hostname: "localhost" });
  await s.sendall(enc.encode("MAIL FROM:<a@b>"));
  assert.equal(dec.decode(await s.recv(100)), "MAIL FROM:<a@b>");
  await served;
});

// ---- python3 as the peer -------------------------------------------------

test("a python3 ssl client talks to a pysocket TLS server", async () => {
  const [lsn, addr] = await tls_listener(server_context());
  using _l = lsn;
  const served = (async () => {
    const [conn] = await lsn.accept();
    using c = conn;
    const b = await c.recv(100);
    await c.sendall(enc.encode(`echo:${dec.decode(b)}:${(c as SSLSocket).version()}`));
  })();
  const r = await python(
    `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(b"from python")
        print(s.recv(100).decode(), s.version(), s.getpeercert()["subject"])
`,
    P("ca.pem"),
    String(addr[1]),
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^echo:from python:TLSv1\.3 TLSv1\.3 \(\(\('commonName', 'localhost'\),\),\)/);
  await served;
});

test("a pysocket client talks to a python3 TLS server, and verifies a client certificate", async () => {
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      `
import socket, ssl, sys
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=sys.argv[1] + "/ca.pem")
ctx.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server.key")
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.set_alpn_protocols(["x-test"])
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(10)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    with ctx.wrap_socket(conn, server_side=True) as s:
        data = s.recv(100)
        s.sendall(data.upper() + b" " + s.getpeercert()["subject"][0][0][1].encode())
`,
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  const port = Number(dec.decode(first.value!).trim());
  const cctx = client_context();
  cctx.load_cert_chain(P("client.pem"), P("client.key"));
  cctx.set_alpn_protocols(["x-test"]);
  using s = await cctx.wrap_socket(await create_connection(["127.0.0.1", port], 10), { server_hostname: "localhost" });
  assert.equal(s.selected_alpn_protocol(), "x-test");
  await s.sendall(enc.encode("shout"));
  assert.equal(await recv_exactly(s, 21), "SHOUT pysocket client");
  await reader.cancel();
  const err = await new Response(child.stderr).text();
  const status = await child.status;
  assert.equal(status.code, 0, err);
});

test("examples/https_get.ts fetches from its own local TLS server", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../examples/https_get.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = dec.decode(out.stdout);
  assert.equal(out.code, 0, dec.decode(out.stderr));
  assert.match(text, /HTTP\/1\.1 200 OK/);
  assert.match(text, /body: \d+ bytes/);
});
