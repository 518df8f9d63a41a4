// adv13a (A13a-4): what a TLS server raises when a hostile or outdated client's first flight is refused. CPython's
// server (OpenSSL) names the cause: HTTP_REQUEST for an HTTP request sent to a TLS port (programs test
// `e.reason == "HTTP_REQUEST"` to answer with a redirect), HTTPS_PROXY_REQUEST, UNEXPECTED_MESSAGE for a first record
// that is no handshake, PACKET_LENGTH_TOO_LONG, UNSUPPORTED_PROTOCOL for a TLS 1.0/1.1 ClientHello, NO_SHARED_CIPHER
// when no suite is common. pysocket said WRONG_VERSION_NUMBER or SSLV3_ALERT_HANDSHAKE_FAILURE for all of them.
// Every case: the same client (raw bytes from python3, or `openssl s_client`) against a CPython server, then a
// pysocket server; the servers' exceptions (class and str) must be equal.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const CLIENT = `
import socket, subprocess, sys
port, d, which = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def raw(b):
    s = socket.create_connection(("127.0.0.1", port), timeout=10); s.sendall(b)
    try: s.recv(100)
    except OSError: pass
    s.close()
def s_client(*args):
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", d + "/ca.pem", *args],
                   input=b"", capture_output=True, timeout=20)
cases = {
    "GET": lambda: raw(b"GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n"),
    "POST": lambda: raw(b"POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n"),
    "CONNECT": lambda: raw(b"CONNECT example.org:443 HTTP/1.1\\r\\n\\r\\n"),
    "application data first": lambda: raw(b"\\x17\\x03\\x03\\x00\\x05hello"),
    "change cipher spec first": lambda: raw(b"\\x14\\x03\\x03\\x00\\x01\\x01"),
    "alert first": lambda: raw(b"\\x15\\x03\\x01\\x00\\x02\\x02\\x28"),
    "record of 65535 bytes": lambda: raw(b"\\x16\\x03\\x01\\xff\\xff" + b"\\x01" * 100),
    "TLS 1.1 client": lambda: s_client("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"),
    "TLS 1.0 client": lambda: s_client("-tls1", "-cipher", "DEFAULT@SECLEVEL=0"),
    "TLS 1.2 CBC suite only": lambda: s_client("-tls1_2", "-cipher", "AES128-SHA"),
    "TLS 1.2 RSA key exchange only": lambda: s_client("-tls1_2", "-cipher", "AES128-GCM-SHA256"),
    "TLS 1.3 CCM suite only": lambda: s_client("-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"),
    "TLS 1.3 client (control)": lambda: s_client("-tls1_3"),
    "TLS 1.2 client (control)": lambda: s_client("-tls1_2"),
}
if which == "list": print("\\n".join(cases))
else: cases[which]()
`;

const SERVER = `
import socket, ssl, sys
d, n = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
for _ in range(n):
    raw, _ = srv.accept(); raw.settimeout(10)
    try:
        s = ctx.wrap_socket(raw, server_side=True); print("ok", s.version(), flush=True); s.close()
    except Exception as e:
        print(type(e).__name__, str(e), flush=True); raw.close()
`;

test("adversary13a A13a-4: a TLS server names a refused first flight (HTTP request, proxy CONNECT, no handshake, old TLS, no common suite) as CPython's", async () => {
  const certs = await make_certs();
  const list = await python(CLIENT, "0", certs.dir, "list");
  const cases = list.out.trim().split("\n");
  const py = await python_server(SERVER, certs.dir, String(cases.length));
  for (const k of cases) await python(CLIENT, py.first, certs.dir, k);
  const want = (await py.rest()).out.trim().split("\n");
  using l = create_server(["127.0.0.1", 0]);
  const port = String((l.getsockname() as [string, number])[1]);
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  const got: string[] = [];
  for (const k of cases) {
    const client = python(CLIENT, port, certs.dir, k);
    const [raw] = await l.accept();
    raw.settimeout(10);
    try {
      const s = await ctx.wrap_socket(raw, { server_side: true });
      got.push(`ok ${s.version()}`);
      s.close();
    } catch (e) {
      got.push(`${(e as Error).constructor.name} ${(e as Error).message}`);
      raw.close();
    }
    await client;
  }
  const rows = cases.map((k, i) => `${k}: ${got[i]}${got[i] === want[i] ? "" : ` (CPython: ${want[i]})`}`);
  console.log(rows.join("\n"));
  assert.deepEqual(got, want);
  assert.ok(want.filter((w) => w.startsWith("SSLError")).length >= 10);
});

test("adversary13a A13a-4: a wrapped listener's accept() raises the same named error for an HTTP request (CPython twin)", async () => {
  const certs = await make_certs();
  const py = await python_server(
    `
import socket, ssl, sys
d = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
srv = ctx.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True); srv.settimeout(30)
print(srv.getsockname()[1], flush=True)
try: srv.accept()
except Exception as e: print(type(e).__name__, str(e), flush=True)
`,
    certs.dir,
  );
  await python(CLIENT, py.first, certs.dir, "GET");
  const want = (await py.rest()).out.trim();
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  using l = await ctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
  l.settimeout(30);
  const client = python(CLIENT, String((l.getsockname() as [string, number])[1]), certs.dir, "GET");
  let got = "accepted";
  try {
    (await l.accept())[0].close();
  } catch (e) {
    got = `${(e as Error).constructor.name} ${(e as Error).message}`;
  }
  await client;
  assert.equal(got, want);
});
