// The second security adversary: handshake settings against CPython's and
// openssl's peers. Versions (TLS 1.2 only / 1.3 only peers), ALPN with no
// protocol in common, CERT_OPTIONAL on a client, check_hostname without a
// server_hostname, a server that peeked at (or consumed) the ClientHello
// before wrapping, and session resumption.

import assert from "node:assert/strict";
import { create_connection, create_server, MSG_PEEK, socket } from "../mod.ts";
import {
  CERT_OPTIONAL,
  create_default_context,
  OSError,
  PROTOCOL_TLS_CLIENT,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  TLSVersion,
} from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { CertShop } from "./_adversary2.ts";

const test = test_needing("python3", "openssl");

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv2_misc_");
  await s.root("other", "/CN=adversary2 other root", [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await s.leaf("good", "/CN=localhost", "ca", [
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "extendedKeyUsage=serverAuth",
  ]);
  return shop = s;
}

/** `openssl s_server` on a free loopback port with these options; resolves once it listens. */
/** True when /proc/net/tcp lists a listener (state 0A) on 127.0.0.1:`port`. */
function listening(port: number): boolean {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  try {
    return Deno.readTextFileSync("/proc/net/tcp").split("\n").some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === want && f[3] === "0A";
    });
  } catch {
    return true; // no /proc: the old fixed wait's assumption
  }
}

async function s_server(s: CertShop, args: string[]): Promise<{ port: number; stop(): Promise<void> }> {
  const probe = create_server(["127.0.0.1", 0]);
  const port = (probe.getsockname() as [string, number])[1];
  probe.close();
  const child = new Deno.Command("openssl", {
    args: [
      "s_server",
      "-accept",
      `127.0.0.1:${port}`,
      "-cert",
      s.P("good.pem"),
      "-key",
      s.P("good.key"),
      "-naccept",
      "1",
      "-quiet",
      ...args,
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await create_connection(["127.0.0.1", port], 0.2)).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // The probe connection used the one accept (-naccept 1): start it again for the real client.
  try {
    child.kill();
  } catch { /* ended */ }
  await child.status;
  const real = new Deno.Command("openssl", {
    args: [
      "s_server",
      "-accept",
      `127.0.0.1:${port}`,
      "-cert",
      s.P("good.pem"),
      "-key",
      s.P("good.key"),
      "-naccept",
      "1",
      "-quiet",
      ...args,
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Listening yet? /proc/net/tcp tells without taking the one accept (a fixed 500 ms wait was too short under CI
  // load once: the client's connect was refused).
  for (let i = 0; i < 200 && !listening(port); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    port,
    async stop() {
      try {
        real.kill();
      } catch { /* ended */ }
      await real.status;
    },
  };
}

const PY_VS_S_SERVER = `
import socket, ssl, sys
d, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = ssl.create_default_context(cafile=f"{d}/ca.crt")
if what == "min13": c.minimum_version = ssl.TLSVersion.TLSv1_3
if what == "max12": c.maximum_version = ssl.TLSVersion.TLSv1_2
if what == "alpn": c.set_alpn_protocols(["h2"])
try:
    s = c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    print("ok", s.version(), s.selected_alpn_protocol())
except ssl.SSLError as e:
    print("SSLError")
`;

test("adversary2: version limits and ALPN against openssl s_server end as CPython's client ends (TLS 1.2-only and 1.3-only servers, no common ALPN)", async () => {
  const s = await certs();
  const cases: [string, string[], (c: SSLContext) => void][] = [
    ["min13", ["-tls1_2"], (c) => c.minimum_version = TLSVersion.TLSv1_3],
    ["max12", ["-tls1_3"], (c) => c.maximum_version = TLSVersion.TLSv1_2],
    ["alpn", ["-alpn", "http/1.1"], (c) => c.set_alpn_protocols(["h2"])],
    ["ok12", ["-tls1_2"], () => {}],
  ];
  for (const [what, args, setup] of cases) {
    const a = await s_server(s, args);
    const py = await new Deno.Command("python3", {
      args: ["-c", PY_VS_S_SERVER, s.dir, String(a.port), what],
      stdout: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    await a.stop();
    const want = new TextDecoder().decode(py.stdout).trim();
    const b = await s_server(s, args);
    const ctx = create_default_context({ cafile: s.P("ca.crt") });
    setup(ctx);
    let got: string;
    try {
      const t = await ctx.wrap_socket(await create_connection(["127.0.0.1", b.port], 5), {
        server_hostname: "localhost",
      });
      got = `ok ${t.version()} ${t.selected_alpn_protocol() ?? "None"}`;
      t.close();
    } catch (e) {
      got = e instanceof SSLError ? "SSLError" : String(e);
    }
    await b.stop();
    assert.equal(got, want, what);
  }
});

const PY_ALPN_CLIENT = `
import socket, ssl, sys
d, port = sys.argv[1], int(sys.argv[2])
c = ssl.create_default_context(cafile=f"{d}/ca.crt"); c.set_alpn_protocols(["http/1.1"])
try:
    s = c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    print("ok", s.selected_alpn_protocol())
except Exception as e:
    print(type(e).__name__)
`;

const PY_ALPN_SERVER = `
import socket, ssl, sys, threading, subprocess
d = sys.argv[1]
s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(f"{d}/good.pem", f"{d}/good.key"); s.set_alpn_protocols(["h2"])
srv = socket.create_server(("127.0.0.1", 0))
p = subprocess.Popen([sys.executable, "-c", sys.argv[2], d, str(srv.getsockname()[1])], stdout=subprocess.PIPE)
c, _ = srv.accept(); c.settimeout(5)
try:
    t = s.wrap_socket(c, server_side=True); print("server ok", t.selected_alpn_protocol())
except Exception as e:
    print("server", type(e).__name__)
print(p.communicate()[0].decode().strip())
`;

const S11_FIXED = false;

Deno.test({
  name: "adversary2: a TLS server whose ALPN list shares nothing with the client's goes on without ALPN, as CPython's",
  ignore: (() => {
    if (!S11_FIXED) {
      console.log(
        "ignored: finding S11: Deno's node:tls server (ssl.ts #server_options ALPNProtocols) refuses a client with no ALPN protocol in common (no_application_protocol); CPython's server goes on with selected_alpn_protocol() None. Not fixable in pysocket on Deno 2.9.6: to document in docs/limits.md",
      );
    }
    return !S11_FIXED;
  })(),
  async fn() {
    const s = await certs();
    const py = await new Deno.Command("python3", {
      args: ["-c", PY_ALPN_SERVER, s.dir, PY_ALPN_CLIENT],
      stdout: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    const want = new TextDecoder().decode(py.stdout).trim().split("\n");
    const ctx = create_default_context(Purpose.CLIENT_AUTH);
    ctx.load_cert_chain(s.P("good.pem"), s.P("good.key"));
    ctx.set_alpn_protocols(["h2"]);
    using srv = create_server(["127.0.0.1", 0]);
    const lsn = await ctx.wrap_socket(srv, true);
    lsn.settimeout(5);
    const client = new Deno.Command("python3", {
      args: ["-c", PY_ALPN_CLIENT, s.dir, String((srv.getsockname() as [string, number])[1])],
      stdout: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    let got: string;
    try {
      const [c] = await lsn.accept();
      got = `server ok ${
        (c as unknown as { selected_alpn_protocol(): string | null }).selected_alpn_protocol() ?? "None"
      }`;
      c.close();
    } catch (e) {
      got = `server ${(e as Error).constructor.name}`;
    }
    lsn.close();
    assert.deepEqual([got, new TextDecoder().decode((await client).stdout).trim()], want);
  },
});

test("adversary2: a CERT_OPTIONAL client refuses an untrusted server as CPython's (OpenSSL clients verify either way); check_hostname needs server_hostname", async () => {
  const s = await certs();
  const py = await new Deno.Command("python3", {
    args: [
      "-c",
      `
import ssl, sys
d = sys.argv[1]
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_OPTIONAL
c.load_verify_locations(f"{d}/other.crt")
sv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sv.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
cl = c.wrap_bio(ci, co); srv = sv.wrap_bio(si, so, server_side=True)
r = "stuck"
for _ in range(10):
    try:
        cl.do_handshake(); r = "ok"; break
    except ssl.SSLWantReadError: pass
    except ssl.SSLCertVerificationError as e: r = str(e.verify_code); break
    si.write(co.read())
    try: srv.do_handshake()
    except ssl.SSLError: pass
    ci.write(so.read())
try:
    import socket
    ssl.create_default_context().wrap_socket(socket.socket()); h = "no error"
except ValueError as e: h = str(e)
print(r); print(h)
`,
      s.dir,
    ],
    stdout: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const [want_code, want_msg] = new TextDecoder().decode(py.stdout).trim().split("\n");
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(s.P("good.pem"), s.P("good.key"));
  using srv = create_server(["127.0.0.1", 0]);
  const lsn = await ctx.wrap_socket(srv, true);
  lsn.settimeout(5);
  const acc = lsn.accept().then(([x]) => x.close(), () => {});
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.check_hostname = false;
  c.verify_mode = CERT_OPTIONAL;
  c.load_verify_locations(s.P("other.crt"));
  const t = await c.wrap_socket(socket(), { server_hostname: null });
  const got = await t.connect(srv.getsockname()).then(
    () => "ok",
    (e) => e instanceof SSLCertVerificationError ? String(e.verify_code) : String(e),
  );
  t.close();
  await acc;
  lsn.close();
  assert.equal(got, want_code);
  await assert.rejects(create_default_context().wrap_socket(socket()), (e: Error) => e.message === want_msg);
});

test("adversary2: a server that peeked at the ClientHello (MSG_PEEK) still shakes hands; one that consumed a byte fails with SSLError, as CPython's", async () => {
  const s = await certs();
  const PY_CLIENT = `
import socket, ssl, sys
c = ssl.create_default_context(cafile=sys.argv[1] + "/ca.crt")
try:
    t = c.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=5), server_hostname="localhost")
    t.sendall(b"ping"); print(t.recv(10).decode())
except Exception as e:
    print(type(e).__name__)
`;
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(s.P("good.pem"), s.P("good.key"));
  for (const how of ["peek", "consume"]) {
    using srv = create_server(["127.0.0.1", 0]);
    const py = new Deno.Command("python3", {
      args: ["-c", PY_CLIENT, s.dir, String((srv.getsockname() as [string, number])[1])],
      stdout: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    const [conn] = await srv.accept();
    conn.settimeout(5);
    const first = how === "peek" ? await conn.recv(5, MSG_PEEK) : await conn.recv(1);
    assert.equal(first[0], 22, "a TLS handshake record");
    if (how === "peek") {
      const t = await ctx.wrap_socket(conn, { server_side: true });
      assert.equal(new TextDecoder().decode(await t.recv(10)), "ping");
      await t.sendall(new TextEncoder().encode("pong"));
      t.close();
      assert.equal(new TextDecoder().decode((await py).stdout).trim(), "pong");
    } else {
      await assert.rejects(ctx.wrap_socket(conn, { server_side: true }), SSLError);
      assert.match(new TextDecoder().decode((await py).stdout).trim(), /SSL|Error/);
    }
  }
});

test("adversary2: a session to resume is refused with a clear OSError (resumption is a documented limit), the socket untouched", async () => {
  const c = create_default_context();
  const sk = socket();
  await assert.rejects(
    c.wrap_socket(sk, { server_hostname: "localhost", session: {} as unknown as null }),
    (e: Error) => e instanceof OSError && /resumption/.test(e.message),
  );
  assert.equal(sk._closed, false);
  sk.close();
});
