// The adversary's TLS tests: hostile peers against what issue 12 fixed.
// A python3 client presents forged, mis-purposed, expired and badly
// chained certificates to pysocket servers (CERT_REQUIRED, CERT_OPTIONAL,
// TLS 1.2 and 1.3); pysocket clients meet python3 servers whose certificate
// must fail check_hostname or the chain (IP SANs, wildcards, IDNA, upper
// case, trailing dots, CN-only, untrusted or CA:FALSE intermediates), with
// CPython's verdict on the same server as the reference, and with the write
// made before the handshake (do_handshake_on_connect=false) that must raise,
// not report bytes as sent that never left.

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import {
  CERT_OPTIONAL,
  CERT_REQUIRED,
  create_default_context,
  Purpose,
  SSLCertVerificationError,
  SSLError,
  SSLSocket,
  SSLWantReadError,
} from "../ssl.ts";
import { make_adversary_certs } from "./_adversary_certs.ts";
import { python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");

const enc = new TextEncoder();
// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_adversary_certs())!;
const P = certs?.P as typeof certs.P;

// A client that presents `cert` (leaf + chain) and trusts anything.
const PY_PRESENT = `
import socket, ssl, sys
ARGV = globals().get("ARGV", sys.argv)  # a thread of one python3 process (Hub) gives ARGV
d, port, cert, ver = ARGV[1], int(ARGV[2]), ARGV[3], ARGV[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"hello")
            print("recv", s.recv(100))
except (OSError, ssl.SSLError) as e:
    print("client error", type(e).__name__)
`;

// CPython's server verdict on the same client certificate.
const PY_JUDGE = `
import socket, ssl, sys
d, cert = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/good.pem", d + "/good.key")
ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(("127.0.0.1", 0))
cli = socket.create_connection(srv.getsockname())
conn, _ = srv.accept()
import threading
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
cctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
def client():
    try:
        s = cctx.wrap_socket(cli, server_hostname="localhost"); s.recv(1)
    except Exception: pass
threading.Thread(target=client, daemon=True).start()
conn.settimeout(10)
try:
    ctx.wrap_socket(conn, server_side=True)
    print("accepted")
except ssl.SSLCertVerificationError as e:
    print(e.verify_code)
`;

const GOOD_CLIENTS = ["good", "under_inter"];
const BAD_CLIENTS = [
  "serveronly", // EKU serverAuth only, used as a client certificate
  "under_notca", // issued by a CA:FALSE leaf of the trusted CA
  "under_evil", // untrusted intermediate
  "under_evil_full", // untrusted intermediate and its root
  "under_old", // expired intermediate
  "expired",
  "future",
  "other_leaf", // untrusted CA
  "other_leaf_plus_ca", // untrusted leaf that also sends the trusted CA
  "fake_ca_name", // self-signed, subject = the trusted CA's name
  "ca", // the trusted CA's own certificate (keyCertSign only) as a client certificate
  "other", // an untrusted self-signed CA
];

async function serve_once(
  hub: Hub,
  mode: number,
  ver: string,
  cert: string,
): Promise<{ got: string; client: string }> {
  const ctx = create_default_context(Purpose.CLIENT_AUTH, { cafile: P("ca.crt") });
  ctx.load_cert_chain(P("good.pem"), P("good.key"));
  ctx.verify_mode = mode;
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const lsn = await ctx.wrap_socket(srv, true);
  lsn.settimeout(20);
  const job = hub.run(certs.dir, String(port), cert, ver);
  const client = job.end().then(() => ({ out: job.lines.join("\n") }));
  let got: string;
  try {
    const [conn] = await lsn.accept();
    using s = conn as SSLSocket;
    const pc = s.getpeercert();
    got = "accepted " + JSON.stringify(pc && "subject" in pc ? pc.subject : null);
    await s.sendall(enc.encode("welcome"));
  } catch (e) {
    assert.ok(e instanceof SSLError, String(e));
    got = e instanceof SSLCertVerificationError ? `refused ${e.verify_code}` : `refused ${e.reason}`;
  }
  const c = await client;
  return { got, client: c.out };
}

for (const [mode, ver] of [[CERT_REQUIRED, "1.2"], [CERT_REQUIRED, "1.3"], [CERT_OPTIONAL, "1.3"]] as const) {
  test(`adversary: hostile client certificates never pass a CERT_${mode === CERT_REQUIRED ? "REQUIRED" : "OPTIONAL"} TLS ${ver} server`, async () => {
    // The certificates are independent (a server and a client each): four at a time, every CPython client a thread
    // of one python3 process.
    const hub = new Hub(PY_PRESENT, { errors: true });
    try {
      await pooled(GOOD_CLIENTS, 4, async (cert) => {
        const r = await serve_once(hub, mode, ver, cert);
        assert.match(r.got, /^accepted/, cert);
        assert.match(r.client, /welcome/, cert);
      });
      await pooled(BAD_CLIENTS, 4, async (cert) => {
        const r = await serve_once(hub, mode, ver, cert);
        assert.match(r.got, /^refused/, `${cert}: ${r.got}`);
        assert.doesNotMatch(r.client, /welcome/, cert);
      });
    } finally {
      await hub.close();
    }
  });
}

test("adversary: a CA certificate (keyCertSign only) used as a client certificate is refused as CPython refuses it", async () => {
  const twin = await python(PY_JUDGE, certs.dir, "ca");
  assert.equal(twin.out.trim(), "26", twin.err);
  const hub = new Hub(PY_PRESENT, { errors: true });
  try {
    const r = await serve_once(hub, CERT_REQUIRED, "1.3", "ca");
    assert.equal(r.got, "refused 26");
  } finally {
    await hub.close();
  }
});

// ---- the client's check of the server ----------------------------------

const PY_BAD_SERVER = `
import json, socket, ssl, sys
ARGV = globals().get("ARGV", sys.argv)  # a thread of one python3 process (Hub) gives ARGV
d, cert, ver, fam = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_verify_locations(d + "/ca.crt")
ctx.verify_mode = ssl.CERT_OPTIONAL
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
srv = socket.create_server(("::1", 0), family=socket.AF_INET6) if fam == "6" else socket.create_server(("127.0.0.1", 0))
with srv:
    srv.settimeout(20)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(3)
    out = {}
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        out["client_cert"] = bool(s.getpeercert())
        data = b""
        try:
            while True:
                b = s.recv(100)
                if not b: break
                data += b
        except Exception:
            pass
        out["data"] = data.decode()
    except Exception as e:
        out["handshake"] = "failed"
    print(json.dumps(out))
`;

const PY_CHECK = `
import socket, ssl, sys
ARGV = globals().get("ARGV", sys.argv)  # a thread of one python3 process (Hub) gives ARGV
d, port, host, fam = ARGV[1], int(ARGV[2]), ARGV[3], ARGV[4]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
try:
    with socket.create_connection(("::1" if fam == "6" else "127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            print("ok")
except ssl.SSLCertVerificationError as e:
    print(e.verify_code)
`;

const SERVER_CASES: [string, string][] = [
  ["good", "localhost"],
  ["good", "127.0.0.1"],
  ["good", "LOCALHOST"], // names match case-insensitively
  ["good", "localhost."], // CPython 3.11: a trailing dot never matches
  ["good", "127.0.0.1."],
  ["good", "127.000.000.001"], // OpenSSL reads it as 127.0.0.1
  ["good", "127.1"], // not an IP for OpenSSL: a name that matches nothing
  ["good", "2130706433"],
  ["good", "local\thost"], // control characters never match (never stripped)
  ["cn_only", "localhost"], // CPython 3.11 falls back on the commonName
  ["wild", "wild"], // a commonName beside subjectAltNames is never used
  ["wild", "a.localhost"], // "*.localhost": too few labels after the star
  ["wild", "a.b.localhost"],
  ["wild", "x.xn--bcher-kva.example"],
  ["wild", "x.bücher.example"], // IDNA-encoded first
  ["wild", "a.b.xn--bcher-kva.example"], // a star never spans a dot
  ["wild", "fxo.example"], // no partial wildcards (f*o)
  ["ip6", "::1"],
  ["ip6", "0:0::1"],
  ["ip6", "[::1]"],
  ["ip6", "127.0.0.1"], // DNS:127.0.0.1 is not an IP address SAN
  ["clientonly", "localhost"], // EKU clientAuth only, used as a server certificate
  ["under_notca", "localhost"],
  ["under_evil_full", "localhost"],
  ["under_old", "localhost"],
  ["expired", "localhost"],
  ["future", "localhost"],
  ["other_leaf_plus_ca", "localhost"],
  ["fake_ca_name", "localhost"],
];

test("adversary: a pysocket client accepts exactly the servers CPython accepts, and a refused one gets no client certificate and no byte", async () => {
  // The cases are independent (a server each), and so are a case's four clients: three cases at a time, a case's
  // clients at once; every python3 server and CPython client is a thread of one python3 process (one for each).
  const servers = new Hub(PY_BAD_SERVER, { errors: true }), checks = new Hub(PY_CHECK, { errors: true });
  try {
    await pooled(SERVER_CASES, 3, async ([cert, host]) => {
      const fam = cert === "ip6" ? "6" : "4";
      const t = servers.run(certs.dir, cert, "1.3", fam);
      const twin = checks.run(certs.dir, await t.line(), host, fam);
      await twin.end();
      await t.end();
      const twin_out = twin.lines.join("\n");
      const cpython_ok = twin_out.trim() === "ok";
      assert.ok(cpython_ok || /^\d+$/.test(twin_out.trim()), `${cert}/${host}: ${twin_out}`);
      const combos = ["1.2", "1.3"].flatMap((ver) => [true, false].map((on_connect) => [ver, on_connect] as const));
      await Promise.all(combos.map(async ([ver, on_connect]) => {
        const what = `${cert}/${host} TLS ${ver} do_handshake_on_connect=${on_connect}`;
        const srv = servers.run(certs.dir, cert, ver, fam);
        const port = Number(await srv.line());
        const ctx = create_default_context({ cafile: P("ca.crt") });
        ctx.load_cert_chain(P("good.pem"), P("good.key"));
        let caught: unknown = null;
        const raw = await create_connection([fam === "6" ? "::1" : "127.0.0.1", port], 10);
        try {
          const s = await ctx.wrap_socket(raw, { server_hostname: host, do_handshake_on_connect: on_connect });
          await s.sendall(enc.encode("SECRET"));
          s.close();
        } catch (e) {
          caught = e;
        }
        raw.close();
        await srv.end();
        const r = JSON.parse(srv.lines.join("").trim() || "{}") as { client_cert?: boolean; data?: string };
        if (cpython_ok) {
          assert.equal(caught, null, `${what}: ${caught}`);
          assert.equal(r.data, "SECRET", what);
        } else {
          // The write before the handshake raises the handshake's error (it is never reported as sent).
          assert.ok(caught instanceof SSLCertVerificationError, `${what}: ${caught}`);
          // The verify_code can differ: Deno's verifier reports every chain or purpose fault of a leaf as
          // one unknown-issuer error (20); OpenSSL says 26 (purpose), 79 (CA:FALSE issuer), 10 (expired issuer).
          assert.notEqual(r.client_cert, true, `${what}: the client certificate reached a refused server`);
          assert.ok(!r.data, `${what}: application bytes reached a refused server`);
        }
      }));
    });
  } finally {
    await servers.close();
    await checks.close();
  }
});

test("adversary: a non-blocking write before the handshake raises SSLWantReadError, never queues bytes", async () => {
  const srv = await python_server(PY_BAD_SERVER, certs.dir, "expired", "1.3", "4");
  const ctx = create_default_context({ cafile: P("ca.crt") });
  const raw = await create_connection(["127.0.0.1", Number(srv.first)], 10);
  const s = await ctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
  s.setblocking(false);
  await assert.rejects(s.send(enc.encode("SECRET")), SSLWantReadError);
  await assert.rejects(s.sendall(enc.encode("SECRET")), SSLWantReadError);
  s.settimeout(10);
  await assert.rejects(s.do_handshake(), SSLCertVerificationError);
  s.close();
  const r = JSON.parse((await srv.rest()).out.trim() || "{}") as { data?: string };
  assert.ok(!r.data);
});

// ---- reads before the handshake has ended --------------------------------

const PY_EVIL_CLIENT = `
import socket, ssl, sys
ARGV = globals().get("ARGV", sys.argv)  # a thread of one python3 process (Hub) gives ARGV
d, port, cert, ver = ARGV[1], int(ARGV[2]), ARGV[3], ARGV[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
try:
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost") as s:
        s.sendall(b"SECRET-CMD\\n"); s.recv(10)
except Exception:
    pass
`;

test("adversary: a server with do_handshake_on_connect=false never reads the application bytes of a refused client (recv, recv_into, readline; TLS 1.2 and 1.3)", async () => {
  const dec = new TextDecoder();
  const rows = ["1.2", "1.3"].flatMap((ver) =>
    [CERT_REQUIRED, CERT_OPTIONAL].flatMap((mode) =>
      ["recv", "recv_into", "readline", "late recv"].map((how) => [ver, mode, how] as const)
    )
  );
  // The rows are independent (a listener and a client each): four at a time, every client a thread of one python3
  // process.
  const hub = new Hub(PY_EVIL_CLIENT, { errors: true });
  await using _hub = { [Symbol.asyncDispose]: () => hub.close() };
  await pooled(rows, 4, async ([ver, mode, how]) => {
    {
      {
        const ctx = create_default_context(Purpose.CLIENT_AUTH, { cafile: P("ca.crt") });
        ctx.load_cert_chain(P("good.pem"), P("good.key"));
        ctx.verify_mode = mode;
        using srv = create_server(["127.0.0.1", 0]);
        const port = (srv.getsockname() as [string, number])[1];
        const client = hub.run(certs.dir, String(port), "other_leaf", ver);
        const [raw] = await srv.accept();
        raw.settimeout(10);
        let got: string | null = null;
        let caught: unknown = null;
        try {
          const s = await ctx.wrap_socket(raw, { server_side: true, do_handshake_on_connect: false });
          if (how === "recv") got = dec.decode(await s.recv(100));
          else if (how === "recv_into") {
            const b = new Uint8Array(100);
            got = dec.decode(b.subarray(0, await s.recv_into(b)));
          } else if (how === "readline") got = dec.decode((await s.makefile("rb").readline()) as Uint8Array);
          else {
            await new Promise((r) => setTimeout(r, 300)); // the bytes have arrived by now
            got = dec.decode(await s.recv(100));
          }
        } catch (e) {
          caught = e;
        }
        raw.close();
        await client.end();
        assert.equal(got, null, `${ver} ${mode} ${how}: read ${JSON.stringify(got)}`);
        assert.ok(caught instanceof SSLCertVerificationError, `${ver} ${mode} ${how}: ${caught}`);
      }
    }
  });
});

test("adversary: a server that answers one byte at a time cannot stretch a client's handshake past its timeout", async () => {
  const srv = await python_server(
    `
import socket, time
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    c, _ = srv.accept()
    c.settimeout(0.3)
    data = bytes([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03]) + bytes(200)
    t0 = time.time()
    for b in data:
        try:
            c.sendall(bytes([b]))
            if c.recv(4096) == b"": break
        except socket.timeout:
            continue
        except OSError:
            break
        if time.time() - t0 > 20: break
    print(round(time.time() - t0, 1), flush=True)
`,
  );
  const raw = await create_connection(["127.0.0.1", Number(srv.first)], 1);
  const ctx = create_default_context({ cafile: P("ca.crt") });
  const t0 = performance.now();
  await assert.rejects(ctx.wrap_socket(raw, { server_hostname: "localhost" }), /timed out/);
  const secs = (performance.now() - t0) / 1000;
  const r = await srv.rest();
  assert.ok(secs < 6, `the handshake lasted ${secs} s with a 1 s timeout`);
  assert.ok(Number(r.out.trim()) < 10, r.out);
});

test("adversary: send() and a makefile write before the handshake raise its error against a bad server; nothing reaches it", async () => {
  for (const how of ["send", "makefile"]) {
    for (const ver of ["1.2", "1.3"]) {
      const srv = await python_server(PY_BAD_SERVER, certs.dir, "expired", ver, "4");
      const ctx = create_default_context({ cafile: P("ca.crt") });
      ctx.load_cert_chain(P("good.pem"), P("good.key"));
      const raw = await create_connection(["127.0.0.1", Number(srv.first)], 10);
      const s = await ctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
      let caught: unknown = null;
      try {
        if (how === "send") await s.send(enc.encode("SECRET"));
        else {
          const f = s.makefile("wb");
          await f.write(enc.encode("SECRET"));
          await f.flush();
        }
      } catch (e) {
        caught = e;
      }
      s.close();
      const r = JSON.parse((await srv.rest()).out.trim() || "{}") as { client_cert?: boolean; data?: string };
      assert.ok(caught instanceof SSLCertVerificationError, `${how} ${ver}: ${caught}`);
      assert.notEqual(r.client_cert, true);
      assert.ok(!r.data, `${how} ${ver}: ${r.data}`);
    }
  }
});

// ---- the client's record gate and unusual but honest ClientHellos --------

const PY_CURVE_SERVER = `
import json, socket, ssl, sys
d, cert, ver, curve = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_verify_locations(d + "/ca.crt")
ctx.verify_mode = ssl.CERT_OPTIONAL
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
if curve != "-": ctx.set_ecdh_curve(curve)
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(20)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(5)
    out = {}
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        out["client_cert"] = bool(s.getpeercert())
        out["data"] = s.recv(100).decode()
    except Exception as e:
        out["handshake"] = "failed"
    print(json.dumps(out))
`;
import { Hub } from "./_hub.ts";

test("adversary: a ClientHello longer than one record (a 20 KB ALPN list) and a HelloRetryRequest pass the client's gate; a bad server still gets nothing", async () => {
  const alpn = Array.from({ length: 100 }, (_, i) => "p" + String(i).padStart(3, "0") + "x".repeat(196));
  for (const ver of ["1.2", "1.3"]) {
    for (
      const [cert, curve, big] of [["good", "-", true], ["good", "secp384r1", false], ["good", "secp384r1", true], [
        "expired",
        "-",
        true,
      ], ["expired", "secp384r1", false]] as const
    ) {
      // A HelloRetryRequest is TLS 1.3's (in TLS 1.2 OpenSSL would refuse our P-256 client certificate there).
      if (ver === "1.2" && curve !== "-") continue;
      const what = `${cert} TLS ${ver} curve=${curve} big=${big}`;
      const srv = await python_server(PY_CURVE_SERVER, certs.dir, cert, ver, curve);
      const ctx = create_default_context({ cafile: P("ca.crt") });
      ctx.load_cert_chain(P("good.pem"), P("good.key"));
      if (big) ctx.set_alpn_protocols(alpn);
      let caught: unknown = null;
      const raw = await create_connection(["127.0.0.1", Number(srv.first)], 10);
      try {
        const s = await ctx.wrap_socket(raw, { server_hostname: "localhost" });
        await s.sendall(enc.encode("SECRET"));
      } catch (e) {
        caught = e;
      }
      raw.close();
      const r = JSON.parse((await srv.rest()).out.trim() || "{}") as { client_cert?: boolean; data?: string };
      if (cert === "good") {
        assert.equal(caught, null, `${what}: ${caught}`);
        assert.equal(r.client_cert, true, what);
        assert.equal(r.data, "SECRET", what);
      } else {
        assert.ok(caught instanceof SSLCertVerificationError, `${what}: ${caught}`);
        assert.notEqual(r.client_cert, true, what);
        assert.ok(!r.data, what);
      }
    }
  }
});

test("adversary: a server with do_handshake_on_connect=false that writes first sends nothing to a client whose certificate is refused (no 0.5-RTT data to an unverified client)", async () => {
  const RECV_CLIENT = `
import socket, ssl, sys
d, port, cert, ver = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key")
got = b""
try:
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost") as s:
        while True:
            b = s.recv(100)
            if not b: break
            got += b
except Exception:
    pass
print(repr(got))
`;
  for (const ver of ["1.2", "1.3"]) {
    for (const [cert, ok] of [["other_leaf", false], ["serveronly", false], ["good", true]] as const) {
      for (const how of ["sendall", "send", "makefile"]) {
        const ctx = create_default_context(Purpose.CLIENT_AUTH, { cafile: P("ca.crt") });
        ctx.load_cert_chain(P("good.pem"), P("good.key"));
        ctx.verify_mode = CERT_REQUIRED;
        using srv = create_server(["127.0.0.1", 0]);
        const port = (srv.getsockname() as [string, number])[1];
        const client = python(RECV_CLIENT, certs.dir, String(port), cert, ver);
        const [raw] = await srv.accept();
        raw.settimeout(10);
        let caught: unknown = null;
        try {
          const s = await ctx.wrap_socket(raw, { server_side: true, do_handshake_on_connect: false });
          if (how === "sendall") await s.sendall(enc.encode("SECRET"));
          else if (how === "send") await s.send(enc.encode("SECRET"));
          else {
            const f = s.makefile("wb");
            await f.write(enc.encode("SECRET"));
            await f.flush();
          }
        } catch (e) {
          caught = e;
        }
        raw.close();
        const c = await client;
        const what = `${cert} TLS ${ver} ${how}`;
        if (ok) {
          assert.equal(caught, null, `${what}: ${caught}`);
          assert.match(c.out, /SECRET/, what);
        } else {
          assert.ok(caught instanceof SSLCertVerificationError, `${what}: ${caught}`);
          assert.doesNotMatch(c.out, /SECRET/, `${what}: the refused client received ${c.out}`);
        }
      }
    }
  }
});

test("adversary: a write before the handshake against a server that never answers ends on the socket's timeout or the caller's signal", async () => {
  using silent = create_server(["127.0.0.1", 0]);
  const port = (silent.getsockname() as [string, number])[1];
  const ctx = create_default_context({ cafile: P("ca.crt") });
  // The socket's timeout, set after wrap_socket: the write gives up after it (CPython: SSL_write's timeout).
  const a = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 10), {
    server_hostname: "localhost",
    do_handshake_on_connect: false,
  });
  a.settimeout(0.5);
  const t0 = performance.now();
  await assert.rejects(a.sendall(enc.encode("SECRET")), /The write operation timed out/);
  assert.ok(performance.now() - t0 < 10_000);
  a.close();
  // The caller's signal.
  const b = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 10), {
    server_hostname: "localhost",
    do_handshake_on_connect: false,
  });
  b.settimeout(null);
  const why = new Error("caller gave up");
  await assert.rejects(b.sendall(enc.encode("SECRET"), { signal: AbortSignal.abort(why) }), (e) => e === why);
  const ac = new AbortController();
  setTimeout(() => ac.abort(why), 300);
  await assert.rejects(b.send(enc.encode("SECRET"), { signal: ac.signal }), (e) => e === why);
  b.close();
});
