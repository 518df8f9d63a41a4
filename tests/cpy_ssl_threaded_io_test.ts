// CPython 3.11's test_ssl.ThreadedTests, the I/O half (recv/send and friends, zero-length reads, non-blocking sends,
// handshake timeouts, a TLS listener's accept, ENOTCONN, versions, ALPN, SNI callbacks, close, sendfile), ported onto
// pysocket beside python3 twins (tests/_cpy_ssl.ts).

import assert from "node:assert/strict";
import { create_connection, create_server, socket } from "../mod.ts";
import {
  _create_unverified_context,
  ALERT_DESCRIPTION_ACCESS_DENIED,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLSocket,
  TLSVersion,
} from "../ssl.ts";
import { attempt, Echo, make_cpy_certs, server_params_test, testing_context, twin } from "./_cpy_ssl.ts";
import { python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_cpy_certs())!;
const P = (n: string) => certs.P(n);
const enc = new TextEncoder();
const dec = new TextDecoder("latin1");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPython's test_wrap_socket(sock, **kw) for a client: an unverified client context (CERT_NONE). */
function unverified(): SSLContext {
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.check_hostname = false;
  c.verify_mode = 0;
  return c;
}
/** CPython's ThreadedEchoServer(CERTFILE): a server context with the self-signed CERTFILE. */
function certfile_server(): SSLContext {
  const sc = new SSLContext(PROTOCOL_TLS_SERVER);
  sc.load_cert_chain(P("keycert.pem"));
  return sc;
}
const PY_HELPERS = `
def unverified():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE; return c
def certfile_server():
    sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(CERTFILE); return sc
`;

test("ThreadedTests.test_recv_send: send/sendall/recv/recv_into echo; sendto/recvfrom/recvfrom_into, dup, sendmsg, recvmsg refused", async () => {
  const want = await twin(
    certs,
    PY_HELPERS + `
out = {}
with Echo(certfile_server()) as server:
    s = unverified().wrap_socket(socket.socket()); s.settimeout(10); s.connect((HOST, server.port))
    out["send"] = attempt(lambda: [s.send(b"PREFIX_send"), s.read().decode()])
    out["sendto"] = attempt(lambda: s.sendto(b"PREFIX_sendto", "some.address"))
    out["sendall"] = attempt(lambda: [s.sendall(b"PREFIX_sendall"), s.read().decode()])
    s.send(b"PREFIX_recv"); out["recv"] = attempt(lambda: s.recv())
    s.send(b"PREFIX_recvfrom"); out["recvfrom"] = attempt(lambda: s.recvfrom("some.address")); s.read()
    b = bytearray(100); s.send(b"PREFIX_recv_into"); out["recv_into"] = attempt(lambda: bytes(b[:s.recv_into(b)]))
    s.send(b"PREFIX_recvfrom_into"); out["recvfrom_into"] = attempt(lambda: s.recvfrom_into(bytearray(100))); s.read()
    s.send(b"data"); buf = bytearray(4); out["read_-1_buffer"] = attempt(lambda: [s.read(-1, buf), bytes(buf).decode()])
    s.sendall(memoryview(b"data")); out["sendall_view"] = attempt(lambda: s.read())
    for name, f in [("dup", lambda: s.dup()), ("sendmsg", lambda: s.sendmsg([b"data"])), ("recvmsg", lambda: s.recvmsg(100)),
                    ("recvmsg_into", lambda: s.recvmsg_into([bytearray(100)]))]:
        out[name] = attempt(f)
    s.write(b"over\\n")
    out["recv_-1"] = attempt(lambda: s.recv(-1)); out["read_-1"] = attempt(lambda: s.read(-1))
    s.close()
print(json.dumps(out))
`,
  ) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  {
    await using server = new Echo(certfile_server());
    const s = await unverified().wrap_socket(socket());
    try {
      s.settimeout(10);
      await s.connect(["127.0.0.1", server.port]);
      out.send = await attempt(async () => [await s.send(enc.encode("PREFIX_send")), dec.decode(await s.read())]);
      // deno-lint-ignore no-explicit-any
      out.sendto = await attempt(() => s.sendto(enc.encode("PREFIX_sendto"), "some.address" as any));
      out.sendall = await attempt(
        async () => [await s.sendall(enc.encode("PREFIX_sendall")) ?? null, dec.decode(await s.read())],
      );
      await s.send(enc.encode("PREFIX_recv"));
      out.recv = await attempt(() => s.recv(1024));
      await s.send(enc.encode("PREFIX_recvfrom"));
      // deno-lint-ignore no-explicit-any
      out.recvfrom = await attempt(() => (s.recvfrom as any)("some.address"));
      await s.read();
      const b = new Uint8Array(100);
      await s.send(enc.encode("PREFIX_recv_into"));
      out.recv_into = await attempt(async () => b.slice(0, await s.recv_into(b)));
      await s.send(enc.encode("PREFIX_recvfrom_into"));
      out.recvfrom_into = await attempt(() => s.recvfrom_into(new Uint8Array(100)));
      await s.read();
      await s.send(enc.encode("data"));
      const buf = new Uint8Array(4);
      out["read_-1_buffer"] = await attempt(async () => [await s.read(-1, buf), dec.decode(buf)]);
      await s.sendall(new DataView(enc.encode("data").buffer));
      out.sendall_view = await attempt(() => s.read());
      out.dup = await attempt(() => s.dup());
      out.sendmsg = await attempt(() => s.sendmsg([enc.encode("data")]));
      out.recvmsg = await attempt(() => s.recvmsg(100));
      out.recvmsg_into = await attempt(() => s.recvmsg_into([new Uint8Array(100)]));
      await s.write(enc.encode("over\n"));
      out["recv_-1"] = await attempt(() => s.recv(-1));
      out["read_-1"] = await attempt(() => s.read(-1));
    } finally {
      s.close();
    }
  }
  // dup() and recv(-1) are compared too (C3-3, C3-4: fixed).
  assert.deepEqual(out, want);
});

test(
  "ThreadedTests.test_recv_send: SSLSocket.dup() raises NotImplementedError (C3-3, fixed)",
  async () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.check_hostname = false;
    const s = await c.wrap_socket(socket());
    const got = await attempt(() => s.dup());
    s.close();
    assert.equal(got, "NotImplementedError: Can't dup() SSLSocket instances");
  },
);

test(
  "ThreadedTests.test_recv_send: SSLSocket.recv(-1) on a connected TLS socket: SSL read's ValueError (C3-4, fixed)",
  async () => {
    await using server = new Echo(certfile_server());
    const s = await unverified().wrap_socket(socket());
    s.settimeout(10);
    await s.connect(["127.0.0.1", server.port]);
    const got = await attempt(() => s.recv(-1));
    await s.write(enc.encode("over\n"));
    s.close();
    assert.equal(got, "ValueError: size should not be negative");
  },
);

test("ThreadedTests.test_recv_zero and test_recv_into_buffer_protocol_len: zero-length reads, blocking and not; recv_into a typed array", async () => {
  const want = await twin(
    certs,
    PY_HELPERS + `
import array
out = {}
with Echo(certfile_server()) as server:
    s = unverified().wrap_socket(socket.create_connection((HOST, server.port), timeout=10), suppress_ragged_eofs=False)
    s.send(b"data")
    out["recv0"] = attempt(lambda: s.recv(0)); out["read0"] = attempt(lambda: s.read(0)); out["read"] = attempt(lambda: s.read())
    s.setblocking(False)
    out["nb_recv0"] = attempt(lambda: s.recv(0)); out["nb_recv_into0"] = attempt(lambda: s.recv_into(bytearray()))
    out["nb_recv"] = attempt(lambda: s.recv(10))
    s.setblocking(True); s.settimeout(10)
    s.send(b"data"); a = array.array("I", [0, 0]); out["into_array"] = attempt(lambda: [s.recv_into(a), bytes(a).decode("latin1")])
    s.write(b"over\\n"); s.close()
print(json.dumps(out))
`,
  );
  const out: Record<string, unknown> = {};
  {
    await using server = new Echo(certfile_server());
    const s = await unverified().wrap_socket(await create_connection(["127.0.0.1", server.port], 10), {
      suppress_ragged_eofs: false,
    });
    try {
      await s.send(enc.encode("data"));
      out.recv0 = await attempt(() => s.recv(0));
      out.read0 = await attempt(() => s.read(0));
      out.read = await attempt(() => s.read());
      s.setblocking(false);
      out.nb_recv0 = await attempt(() => s.recv(0));
      out.nb_recv_into0 = await attempt(() => s.recv_into(new Uint8Array(0)));
      out.nb_recv = await attempt(() => s.recv(10));
      s.settimeout(10);
      await s.send(enc.encode("data"));
      const a = new Uint32Array(2);
      out.into_array = await attempt(async () => [await s.recv_into(a), dec.decode(new Uint8Array(a.buffer))]);
      await s.write(enc.encode("over\n"));
    } finally {
      s.close();
    }
  }
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_nonblocking_send: a non-blocking send loop ends in SSLWantWriteError or SSLWantReadError", async () => {
  const want = await twin(
    certs,
    PY_HELPERS + `
class Slow(Echo):
    pass
srv = socket.create_server((HOST, 0)); sc = certfile_server(); hold = []
def serve():
    c, _ = srv.accept(); hold.append(sc.wrap_socket(c, server_side=True)); time.sleep(3)
t = threading.Thread(target=serve, daemon=True); t.start()
s = unverified().wrap_socket(socket.socket()); s.settimeout(10); s.connect(srv.getsockname()); s.setblocking(False)
buf = bytearray(8192); n = 0
try:
    for n in range(100000): s.send(buf)
    r = "never full"
except ssl.SSLError as e: r = type(e).__name__
print(json.dumps([r, n > 0]))
`,
  ) as unknown[];
  using srv = create_server(["127.0.0.1", 0]);
  const sc = certfile_server();
  const hold: SSLSocket[] = [];
  const served = (async () => {
    const [c] = await srv.accept();
    hold.push(await sc.wrap_socket(c, { server_side: true }));
  })();
  const s = await unverified().wrap_socket(socket());
  let r = "never full";
  let n = 0;
  try {
    s.settimeout(10);
    await s.connect(srv.getsockname());
    s.setblocking(false);
    const buf = new Uint8Array(8192);
    for (n = 0; n < 100000; n++) await s.send(buf);
  } catch (e) {
    r = (e as Error).constructor.name;
  } finally {
    await served;
    s.close();
    hold.forEach((h) => h.close());
  }
  assert.deepEqual([r, n > 0], want);
});

test("ThreadedTests.test_handshake_timeout: wrap of a timed connected socket, and connect() of a wrapped one with a timeout", async () => {
  const want = await twin(
    certs,
    `
server = socket.create_server((HOST, 0)); port = server.getsockname()[1]
out = []
c = socket.socket(); c.settimeout(0.2); c.connect((HOST, port))
out.append(attempt(lambda: ssl._create_unverified_context().wrap_socket(c))); c.close()
c = ssl._create_unverified_context().wrap_socket(socket.socket()); c.settimeout(0.2)
out.append(attempt(lambda: c.connect((HOST, port)))); c.close()
server.close()
print(json.dumps(out))
`,
  );
  using server = create_server(["127.0.0.1", 0]); // never accepts: the kernel completes the TCP handshakes
  const port = (server.getsockname() as [string, number])[1];
  const out = [];
  const c = socket();
  c.settimeout(0.2);
  await c.connect(["127.0.0.1", port]);
  out.push(await attempt(() => _create_unverified_context().wrap_socket(c)));
  c.close();
  const c2 = await _create_unverified_context().wrap_socket(socket());
  c2.settimeout(0.2);
  out.push(await attempt(() => c2.connect(["127.0.0.1", port])));
  c2.close();
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_server_accept: a server-side wrapped listener's accept() gives an SSLSocket and the client's address", async () => {
  const want = await twin(
    certs,
    `
cc, sc, h = testing_context()
server = sc.wrap_socket(socket.socket(socket.AF_INET), server_side=True); server.bind((HOST, 0))
out = {"server_side": server.server_side}
res = {}
def serve():
    server.listen(); remote, peer = server.accept(); res["remote"], res["peer"] = remote, peer
    remote.send(remote.recv(4))
t = threading.Thread(target=serve); t.start(); time.sleep(0.1)
client = cc.wrap_socket(socket.socket(), server_hostname=h); client.settimeout(10)
client.connect(("localhost", server.getsockname()[1])); client.send(b"data")
out["echo"] = client.recv().decode(); addr = client.getsockname(); client.close(); t.join()
out["is_ssl"] = isinstance(res["remote"], ssl.SSLSocket); out["peer_is_client"] = res["peer"] == addr
out["remote_side"] = res["remote"].server_side
res["remote"].close(); server.close()
print(json.dumps(out))
`,
  );
  const [cc, sc, h] = testing_context(certs);
  const raw = socket();
  raw.bind(["127.0.0.1", 0]);
  const server = await sc.wrap_socket(raw, { server_side: true });
  const out: Record<string, unknown> = { server_side: server.server_side };
  server.listen();
  const served = (async () => {
    const [remote, peer] = await server.accept();
    await remote.send(await remote.recv(4));
    return [remote as SSLSocket, peer] as const;
  })();
  const client = await cc.wrap_socket(socket(), { server_hostname: h });
  client.settimeout(10);
  await client.connect(["localhost", (server.getsockname() as [string, number])[1]]);
  await client.send(enc.encode("data"));
  out.echo = dec.decode(await client.recv(1024));
  const addr = client.getsockname();
  client.close();
  const { SSLSocket } = await import("../ssl.ts");
  const [remote, peer] = await served;
  out.is_ssl = remote instanceof SSLSocket;
  out.peer_is_client = JSON.stringify(peer) === JSON.stringify(addr);
  out.remote_side = remote.server_side;
  remote.close();
  server.close();
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_getpeercert_enotconn, test_do_handshake_enotconn, test_version_basic: an unconnected wrapped socket", async () => {
  const want = await twin(
    certs,
    PY_HELPERS + `
out = {}
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False
with c.wrap_socket(socket.socket()) as s:
    out["getpeercert"] = attempt(lambda: s.getpeercert()); out["do_handshake"] = attempt(lambda: s.do_handshake())
    out["cipher"] = s.cipher(); out["version"] = s.version(); out["pending"] = attempt(lambda: s.pending())
    out["selected_alpn"] = s.selected_alpn_protocol(); out["shared_ciphers"] = s.shared_ciphers()
    out["recv"] = attempt(lambda: s.recv(1)); out["send"] = attempt(lambda: s.send(b"x"))
c.verify_mode = ssl.CERT_NONE
with Echo(certfile_server()) as server:
    with c.wrap_socket(socket.socket()) as s:
        s.settimeout(10); s.connect((HOST, server.port)); out["connected_version"] = s.version()
    out["closed_version"] = s.version()
print(json.dumps(out))
`,
  );
  const out: Record<string, unknown> = {};
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.check_hostname = false;
  {
    const s = await c.wrap_socket(socket());
    try {
      out.getpeercert = await attempt(() => s.getpeercert());
      out.do_handshake = await attempt(() => s.do_handshake());
      out.cipher = s.cipher();
      out.version = s.version();
      out.pending = await attempt(() => s.pending());
      out.selected_alpn = s.selected_alpn_protocol();
      out.shared_ciphers = s.shared_ciphers();
      out.recv = await attempt(() => s.recv(1));
      out.send = await attempt(() => s.send(enc.encode("x")));
    } finally {
      s.close();
    }
  }
  c.verify_mode = 0;
  {
    await using server = new Echo(certfile_server());
    const s = await c.wrap_socket(socket());
    s.settimeout(10);
    await s.connect(["127.0.0.1", server.port]);
    out.connected_version = s.version();
    s.close();
    out.closed_version = s.version();
  }
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_tls1_3 and test_min_max_version_*: TLS 1.3 only, 1.2 only, and a 1.2 client against a 1.3 server", async () => {
  const ROWS: [string, number | null, number | null, number | null, number | null][] = [
    ["tls1_3", TLSVersion.TLSv1_3, null, null, null],
    ["tlsv1_2", TLSVersion.TLSv1_2, TLSVersion.TLSv1_2, TLSVersion.TLSv1_2, TLSVersion.TLSv1_2],
    ["client_max_1_2", null, TLSVersion.TLSv1_2, null, null],
    ["server_max_1_2", null, null, null, TLSVersion.TLSv1_2],
    ["mismatch_client12_server13", null, TLSVersion.TLSv1_2, TLSVersion.TLSv1_3, null],
    ["mismatch_client13_server12", TLSVersion.TLSv1_3, null, null, TLSVersion.TLSv1_2],
  ];
  const want = await twin(
    certs,
    `
out = {}
for name, cmin, cmax, smin, smax in ${JSON.stringify(ROWS).replaceAll("null", "None")}:
    c, sc, h = testing_context()
    if cmin: c.minimum_version = cmin
    if cmax: c.maximum_version = cmax
    if smin: sc.minimum_version = smin
    if smax: sc.maximum_version = smax
    def go():
        with Echo(sc) as server:
            with c.wrap_socket(socket.socket(), server_hostname=h) as s:
                s.settimeout(10); s.connect((HOST, server.port))
                return [s.version(), s.cipher()[0] in ("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256")]
    r = attempt(go)
    out[name] = r if isinstance(r, list) else [r.split(":")[0], "alert" in r]
print(json.dumps(out))
`,
  );
  const out: Record<string, unknown> = {};
  for (const [name, cmin, cmax, smin, smax] of ROWS) {
    const [c, sc, h] = testing_context(certs);
    if (cmin) c.minimum_version = cmin;
    if (cmax) c.maximum_version = cmax;
    if (smin) sc.minimum_version = smin;
    if (smax) sc.maximum_version = smax;
    const r = await attempt(async () => {
      await using server = new Echo(sc);
      const s = await c.wrap_socket(socket(), { server_hostname: h });
      try {
        s.settimeout(10);
        await s.connect(["127.0.0.1", server.port]);
        return [
          s.version(),
          ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"].includes(s.cipher()![0]),
        ];
      } finally {
        s.close();
      }
    });
    out[name] = Array.isArray(r) ? r : [(r as string).split(":")[0], (r as string).includes("alert")];
  }
  // A version mismatch: CPython's client reads the server's protocol_version alert; pysocket's server closes without
  // it (docs/limits.md, "the server closes without the alert OpenSSL sends"), so its client reads SSLEOFError.
  const w = want as Record<string, unknown>;
  for (const k of ["mismatch_client12_server13", "mismatch_client13_server12"]) {
    assert.deepEqual(w[k], ["SSLError", true], k);
    assert.deepEqual(out[k], ["SSLEOFError", false], k);
    delete w[k];
    delete out[k];
  }
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_selected_alpn_protocol*, test_alpn_protocols: ALPN agreed as CPython agrees it", async () => {
  const ROWS: [string[] | null, string[] | null][] = [
    [null, null],
    [null, ["foo", "bar"]],
    [["foo", "bar"], ["foo", "bar", "milkshake"]],
    [["bar", "foo"], ["foo", "bar", "milkshake"]],
    [["milkshake"], ["foo", "bar", "milkshake"]],
    [["foo"], null],
  ];
  const want = await twin(
    certs,
    `
out = []
for cp, sp in ${JSON.stringify(ROWS).replaceAll("null", "None")}:
    c, sc, h = testing_context()
    if cp is not None: c.set_alpn_protocols(cp)
    if sp is not None: sc.set_alpn_protocols(sp)
    def go():
        st = server_params_test(c, sc, sni_name=h)
        return [st["client_alpn_protocol"], st["server_alpn_protocols"]]
    out.append(attempt(go))
print(json.dumps(out))
`,
  );
  const out = [];
  for (const [cp, sp] of ROWS) {
    const [c, sc, h] = testing_context(certs);
    if (cp) c.set_alpn_protocols(cp);
    if (sp) sc.set_alpn_protocols(sp);
    out.push(
      await attempt(async () => {
        const st = await server_params_test(c, sc, h);
        return [st.client_alpn_protocol, st.server_alpn_protocols];
      }),
    );
  }
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_alpn_protocols, no common protocol: CPython agrees on none, pysocket's server refuses (documented, S11)", async () => {
  const want = await twin(
    certs,
    `
c, sc, h = testing_context(); c.set_alpn_protocols(["http/3.0", "http/4.0"]); sc.set_alpn_protocols(["foo", "bar", "milkshake"])
def go():
    st = server_params_test(c, sc, sni_name=h)
    return [st["client_alpn_protocol"], st["server_alpn_protocols"]]
print(json.dumps(attempt(go)))
`,
  );
  assert.deepEqual(want, ["ok", [null, [null]]]);
  const [c, sc, h] = testing_context(certs);
  c.set_alpn_protocols(["http/3.0", "http/4.0"]);
  sc.set_alpn_protocols(["foo", "bar", "milkshake"]);
  const got = await attempt(() => server_params_test(c, sc, h));
  // docs/limits.md: "A TLS server whose ALPN protocols share none with the client's refuses the handshake".
  assert.match(got as string, /^SSL\w*Error/);
});

test("ThreadedTests.test_sni_callback: the callback sees the name and can switch the context", async () => {
  const want = await twin(
    certs,
    `
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(SIGNED_CERTFILE)
other = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); other.load_cert_chain(SIGNED_CERTFILE2)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(SIGNING_CA); c.check_hostname = False
calls = []
def cb(sock, name, initial):
    calls.append([name, initial is sc])
    if name is not None: sock.context = other
sc.set_servername_callback(cb)
out = {}
st = server_params_test(c, sc, sni_name="supermessage"); out["named"] = [st["peercert"]["subject"][-1][0][1], calls[:]]
calls.clear()
st = server_params_test(c, sc, sni_name=None); out["unnamed"] = [st["peercert"]["subject"][-1][0][1], calls[:]]
sc.set_servername_callback(None); calls.clear()
st = server_params_test(c, sc, sni_name="notfunny"); out["cleared"] = [st["peercert"]["subject"][-1][0][1], calls[:]]
print(json.dumps(out))
`,
  );
  const sc = new SSLContext(PROTOCOL_TLS_SERVER);
  sc.load_cert_chain(P("keycert3.pem"));
  const other = new SSLContext(PROTOCOL_TLS_SERVER);
  other.load_cert_chain(P("keycert4.pem"));
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.load_verify_locations(P("pycacert.pem"));
  c.check_hostname = false;
  const calls: unknown[] = [];
  sc.set_servername_callback((sock, name, initial) => {
    calls.push([name, initial === sc]);
    if (name !== null) sock.context = other;
    return null;
  });
  const cn = (st: Record<string, unknown>) => ((st.peercert as { subject: string[][][] }).subject.at(-1)![0]![1]);
  const out: Record<string, unknown> = {};
  let st = await server_params_test(c, sc, "supermessage");
  out.named = [cn(st), calls.splice(0)];
  st = await server_params_test(c, sc, null);
  out.unnamed = [cn(st), calls.splice(0)];
  sc.set_servername_callback(null);
  st = await server_params_test(c, sc, "notfunny");
  out.cleared = [cn(st), calls.splice(0)];
  assert.deepEqual(out, want);
});

test("ThreadedTests.test_sni_callback_alert, _raising, _wrong_return_type: every failing callback fails the handshake on both sides", async () => {
  const want = await twin(
    certs,
    `
import io
sys.unraisablehook = lambda u: None
out = {}
for kind in ["alert", "raising", "wrong_type"]:
    c, sc, h = testing_context()
    def cb(sock, name, initial, kind=kind):
        if kind == "alert": return ssl.ALERT_DESCRIPTION_ACCESS_DENIED
        if kind == "raising": 1 / 0
        return "foo"
    sc.set_servername_callback(cb)
    r = attempt(lambda: server_params_test(c, sc, sni_name="supermessage"))
    out[kind] = r.split(":")[0] if isinstance(r, str) else "connected"
print(json.dumps(out))
`,
  ) as Record<string, string>;
  // CPython's client reads the alert ([SSL: TLSV1_ALERT_ACCESS_DENIED], SSLV3_ALERT_HANDSHAKE_FAILURE,
  // TLSV1_ALERT_INTERNAL_ERROR); pysocket's server closes without it (docs/limits.md, the sni_callback paragraph):
  // the client fails with SSLEOFError. What is compared: the handshake fails, with an SSLError.
  const out: Record<string, string> = {};
  for (const kind of ["alert", "raising", "wrong_type"]) {
    const [c, sc] = testing_context(certs);
    sc.set_servername_callback(
      (() => {
        if (kind === "alert") return ALERT_DESCRIPTION_ACCESS_DENIED;
        if (kind === "raising") throw new Error("ZeroDivisionError");
        return "foo";
      }) as unknown as Parameters<SSLContext["set_servername_callback"]>[0],
    );
    const r = await attempt(() => server_params_test(c, sc, "supermessage"));
    out[kind] = typeof r === "string" ? r.split(":")[0]! : "connected";
  }
  for (const k of Object.keys(out)) {
    assert.equal(want[k], "SSLError", k);
    assert.match(out[k]!, /^SSL\w*Error$/, k);
  }
});

test("ThreadedTests.test_read_write_after_close_raises_valuerror and test_sendfile", async () => {
  const want = await twin(
    certs,
    `
out = {}
c, sc, h = testing_context()
with Echo(sc) as server:
    s = c.wrap_socket(socket.socket(), server_hostname=h); s.settimeout(10); s.connect((HOST, server.port)); s.close()
    out["read"] = attempt(lambda: s.read(1024)); out["write"] = attempt(lambda: s.write(b"hello"))
with open(os.path.join(D, "sendfile.bin"), "wb") as f: f.write(b"x" * 512)
with Echo(sc) as server:
    with c.wrap_socket(socket.socket(), server_hostname=h) as s:
        s.settimeout(10); s.connect((HOST, server.port))
        with open(os.path.join(D, "sendfile.bin"), "rb") as f:
            out["sendfile"] = attempt(lambda: s.sendfile(f)); time.sleep(0.2); out["echo"] = len(s.recv(1024))
print(json.dumps(out))
`,
  );
  const out: Record<string, unknown> = {};
  const [c, sc, h] = testing_context(certs);
  {
    await using server = new Echo(sc);
    const s = await c.wrap_socket(socket(), { server_hostname: h });
    s.settimeout(10);
    await s.connect(["127.0.0.1", server.port]);
    s.close();
    out.read = await attempt(() => s.read(1024));
    out.write = await attempt(() => s.write(enc.encode("hello")));
  }
  {
    await using server = new Echo(sc);
    const s = await c.wrap_socket(socket(), { server_hostname: h });
    try {
      s.settimeout(10);
      await s.connect(["127.0.0.1", server.port]);
      using f = await Deno.open(P("sendfile.bin"));
      out.sendfile = await attempt(() => s.sendfile(f));
      await sleep(200);
      out.echo = (await s.recv(1024)).length;
    } finally {
      s.close();
    }
  }
  assert.deepEqual(out, want);
});

const RESET_IN_HANDSHAKE = `
import socket, struct, sys, time
l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
a, _ = l.accept(); time.sleep(0.3)
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); a.close()
`;
/** A python3 client that connects, sends nothing or half a record header, then resets (argv: the port). */
const RESETTING_CLIENT = (half: boolean) => `
import socket, struct, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
${half ? 'c.send(bytes.fromhex("160301020001"))' : ""}
time.sleep(0.3); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
`;

test(
  "ThreadedTests.test_rude_shutdown (siblings): a peer that resets the connection during the handshake, either side: " +
    "ConnectionResetError [Errno 104] (C3-2, fixed; the FIN rows in fix19d_reset_test.ts)",
  async () => {
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const mode of ["wrap", "blocking", "timed"]) {
      const a = await python_server(RESET_IN_HANDSHAKE);
      want[`client ${mode}`] = await twin(
        certs,
        `c = socket.create_connection((HOST, ${a.first}), timeout=${mode === "timed" ? 5 : "None"})
ctx = ssl._create_unverified_context()
if "${mode}" == "wrap": r = attempt(lambda: ctx.wrap_socket(c))
else:
    s = ctx.wrap_socket(c, do_handshake_on_connect=False); r = attempt(lambda: s.do_handshake())
print(json.dumps(r))`,
      );
      await a.rest();
      const b = await python_server(RESET_IN_HANDSHAKE);
      const c = await create_connection(["127.0.0.1", Number(b.first)], mode === "timed" ? 5 : null);
      const ctx = _create_unverified_context();
      if (mode === "wrap") got[`client ${mode}`] = await attempt(() => ctx.wrap_socket(c));
      else {
        const s = await ctx.wrap_socket(c, { do_handshake_on_connect: false });
        got[`client ${mode}`] = await attempt(() => s.do_handshake());
      }
      c.close();
      await b.rest();
    }
    for (const half of [false, true]) {
      want[`server half=${half}`] = await twin(
        certs,
        `
import subprocess
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(SIGNED_CERTFILE)
l = socket.create_server((HOST, 0))
p = subprocess.Popen([sys.executable, "-c", ${JSON.stringify(RESETTING_CLIENT(half))}, str(l.getsockname()[1])])
a, _ = l.accept(); a.settimeout(5)
r = attempt(lambda: sc.wrap_socket(a, server_side=True)); p.wait(10)
print(json.dumps(r))`,
      );
      const sc = certfile_server();
      using l = create_server(["127.0.0.1", 0]);
      const p = python(RESETTING_CLIENT(half), String((l.getsockname() as [string, number])[1]));
      const [a] = await l.accept();
      a.settimeout(5);
      got[`server half=${half}`] = await attempt(() => sc.wrap_socket(a, { server_side: true }));
      await p;
      a.close();
    }
    assert.deepEqual(got, want);
  },
);

test("ThreadedTests.test_shared_ciphers and test_session: documented differences (shared_ciphers() None, no sessions) hold", async () => {
  const want = await twin(
    certs,
    `
c, sc, h = testing_context(); c.maximum_version = ssl.TLSVersion.TLSv1_2
srv = socket.create_server((HOST, 0)); res = {}
def serve():
    for i in range(2):
        conn, _ = srv.accept(); conn.settimeout(10); s = sc.wrap_socket(conn, server_side=True)
        res.setdefault("shared", []).append(bool(s.shared_ciphers())); s.recv(10); s.close()
t = threading.Thread(target=serve); t.start()
with c.wrap_socket(socket.socket(), server_hostname=h) as s:
    s.settimeout(10); s.connect(srv.getsockname()); sess = s.session; first = [sess is not None, s.session_reused]; s.send(b"x")
with c.wrap_socket(socket.socket(), server_hostname=h, session=sess) as s:
    s.settimeout(10); s.connect(srv.getsockname()); second = s.session_reused; s.send(b"x")
t.join(10); srv.close()
print(json.dumps([res["shared"], first, second]))
`,
  );
  // CPython: the server shares ciphers; the client holds a session (which it may offer again).
  const w = want as [boolean[], boolean[], boolean];
  console.log(`CPython: shared ${w[0]}, session ${w[1]}, reused ${w[2]}`);
  assert.deepEqual([w[0][0], w[1][0]], [true, true]);
  const [c, sc, h] = testing_context(certs);
  c.maximum_version = TLSVersion.TLSv1_2;
  using srv = create_server(["127.0.0.1", 0]);
  const shared: unknown[] = [];
  const served = (async () => {
    const [conn] = await srv.accept();
    conn.settimeout(10);
    const s = await sc.wrap_socket(conn, { server_side: true });
    shared.push(s.shared_ciphers());
    await s.recv(10);
    s.close();
  })();
  const s = await c.wrap_socket(socket(), { server_hostname: h });
  s.settimeout(10);
  await s.connect(srv.getsockname());
  const first = [s.session, s.session_reused];
  await s.send(enc.encode("x"));
  s.close();
  await served;
  const second = await attempt(() => c.wrap_socket(socket(), { server_hostname: h, session: {} as unknown as null }));
  // docs/limits.md: "a server's shared_ciphers() is None"; "There is no session resumption" (session None,
  // session_reused false, a session given to wrap_socket raises ENOTSUP).
  assert.deepEqual([shared, first, second], [
    [null],
    [null, false],
    "OSError: [Errno 95] Operation not supported: TLS session resumption is not supported",
  ]);
});

test("ThreadedTests.test_starttls: clear text, STARTTLS, TLS echo; ENDTLS's unwrap() is documented ENOTSUP", async () => {
  // The STARTTLS server of CPython's ThreadedEchoServer: echoes lower-cased, answers "ok" to STARTTLS and wraps, to
  // ENDTLS answers "ok" and unwraps. Each side is its own language's (server and client).
  const MSGS = ["msg 1", "MSG 2", "STARTTLS", "MSG 3", "msg 4", "ENDTLS", "msg 5"];
  const want = await twin(
    certs,
    PY_HELPERS + `
srv = socket.create_server((HOST, 0)); sc = certfile_server(); res = []
def serve():
    conn, _ = srv.accept(); conn.settimeout(10); s = conn
    for _ in range(20):
        m = s.recv(1024)
        if not m or m.strip() == b"over": break
        if m.strip() == b"STARTTLS": s.sendall(b"ok\\n"); s = sc.wrap_socket(s, server_side=True)
        elif m.strip() == b"ENDTLS":
            s.sendall(b"ok\\n")
            try: s = s.unwrap()
            except Exception as e: res.append(fmt(e)); break
        else: s.sendall(m.lower())
    s.close()
t = threading.Thread(target=serve); t.start()
out = []; s = socket.create_connection(srv.getsockname(), timeout=10); conn = None
for m in ${JSON.stringify(MSGS)}:
    w = conn or s
    w.sendall(m.encode()); r = w.recv(1024).decode(); out.append(r)
    if m == "STARTTLS" and r.startswith("ok"): conn = unverified().wrap_socket(s)
    elif m == "ENDTLS" and r.startswith("ok"):
        out.append(attempt(lambda: conn.unwrap()).__class__.__name__); break
(conn or s).close(); t.join(10); srv.close()
print(json.dumps([out, res]))
`,
  ) as [unknown[], unknown[]];
  const { create_server: cs } = await import("../mod.ts");
  using srv = cs(["127.0.0.1", 0]);
  const sc = certfile_server();
  const res: unknown[] = [];
  const served = (async () => {
    const [conn] = await srv.accept();
    conn.settimeout(10);
    let s: ReturnType<typeof socket> | SSLSocket = conn;
    for (let i = 0; i < 20; i++) {
      const m = new TextDecoder().decode(await s.recv(1024)).trim();
      if (!m || m === "over") break;
      if (m === "STARTTLS") {
        await s.sendall(enc.encode("ok\n"));
        s = await sc.wrap_socket(s, { server_side: true });
      } else if (m === "ENDTLS") {
        await s.sendall(enc.encode("ok\n"));
        const r = await attempt(() => (s as SSLSocket).unwrap());
        res.push(r);
        break;
      } else await s.sendall(enc.encode(m.toLowerCase()));
    }
    s.close();
  })();
  const out: unknown[] = [];
  const s = await create_connection(srv.getsockname() as [string, number], 10);
  let conn: SSLSocket | null = null;
  for (const m of MSGS) {
    const w = conn ?? s;
    await w.sendall(enc.encode(m));
    const r = new TextDecoder().decode(await w.recv(1024));
    out.push(r);
    if (m === "STARTTLS" && r.startsWith("ok")) conn = await unverified().wrap_socket(s);
    else if (m === "ENDTLS" && r.startsWith("ok")) {
      out.push(await attempt(() => conn!.unwrap()));
      break;
    }
  }
  (conn ?? s).close();
  await served;
  // Up to ENDTLS both echo the same; then CPython's unwrap() succeeds on both sides and pysocket's raises ENOTSUP
  // (docs/limits.md: "unwrap() raises ENOTSUP").
  assert.deepEqual(out.slice(0, 6), want[0].slice(0, 6));
  assert.deepEqual(want[1], []);
  assert.match(String(res[0]), /^OSError: \[Errno 95\]/);
});
