// CPython's details of ssl.SSLSocket, each compared with python3 (CPython
// 3.11) doing the same: getpeercert() (RDN order, repeated OUs), recv/send
// with flags, sendto/recvfrom, the timed recv's message, pending(), sends
// after the peer's close_notify, shutdown() after the peer's reset, a
// trailing-dot server_hostname; and the permission that Deno's root
// certificates need.

import assert from "node:assert/strict";
import { create_connection, create_server, MSG_OOB, MSG_PEEK, OSError, SHUT_RDWR, socketpair } from "../mod.ts";
import { create_default_context, Purpose, SSLCertVerificationError, type SSLContext, type SSLSocket } from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const dec = new TextDecoder();
// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_certs())!;
const P = certs?.P as typeof certs.P;

function server_context(): SSLContext {
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(P("server.pem"), P("server.key"));
  return ctx;
}

async function pair(host = "localhost"): Promise<[SSLSocket, SSLSocket]> {
  using srv = create_server(["127.0.0.1", 0]);
  const lsn = await server_context().wrap_socket(srv, true);
  const acc = lsn.accept();
  try {
    const c = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(
      await create_connection(srv.getsockname() as [string, number], 10),
      { server_hostname: host },
    );
    return [c, (await acc)[0] as SSLSocket];
  } finally {
    acc.catch(() => {});
    lsn.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Python's `type(e).__name__: str(e)`, with pysocket's RangeError read as ValueError and `(_ssl.c:N)` dropped but for the handshake's `(_ssl.c:1006)` and a send's `(_ssl.c:2427)`, which pysocket shows too (P10-3). */
function py_err(e: unknown): string {
  const err = e as Error & { errno?: number | null; verify_code?: number };
  const name = err.constructor.name === "RangeError" ? "ValueError" : err.constructor.name;
  // As the twin's err(): the C line is left out, except the handshake's 1006 and a send's 2427.
  return `${name}: ${err.message.replace(/ \(_ssl\.c:(?!1006\)|2427\))[0-9]+\)/g, "")}`;
}

const TWIN = `
import json, re, socket, ssl, struct, subprocess, sys, threading, time
d = sys.argv[1]
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
cctx = ssl.create_default_context(cafile=d + "/ca.pem")
out = {}
def err(e):
    return f"{type(e).__name__}: {re.sub(r' [(]_ssl[.]c:(?!1006[)]|2427[)])[0-9]+[)]', '', str(e))}"
def pair(host="localhost"):
    srv = socket.create_server(("127.0.0.1", 0))
    res = {}
    def serve():
        conn, _ = srv.accept()
        try: res["s"] = sctx.wrap_socket(conn, server_side=True)
        except Exception as e: res["e"] = e
    t = threading.Thread(target=serve); t.start()
    raw = socket.create_connection(srv.getsockname(), timeout=10)
    try: c = cctx.wrap_socket(raw, server_hostname=host)
    finally:
        t.join(); srv.close()
    return c, res["s"]
c, s = pair()
out["peercert"] = json.loads(json.dumps(c.getpeercert()))
for name, f in [("recv_flags", lambda: c.recv(10, socket.MSG_PEEK)), ("send_flags", lambda: c.send(b"x", socket.MSG_OOB)),
                ("sendto", lambda: c.sendto(b"x", ("127.0.0.1", 9))), ("recvfrom", lambda: c.recvfrom(10))]:
    try: f(); out[name] = "no error"
    except Exception as e: out[name] = err(e)
c.settimeout(0.1)
try: c.recv(10)
except Exception as e: out["timed_recv"] = err(e)
s.sendall(b"x" * 100); time.sleep(0.2); c.settimeout(5)
n = len(c.recv(10)); out["pending"] = [n, c.pending()]
c.recv(1000)
s.close(); time.sleep(0.2)
out["recv_after_close"] = len(c.recv(10))
try: c.sendall(b"y" * 1000); out["send_after_eof"] = "no error"
except Exception as e: out["send_after_eof"] = err(e)
c.close()
try: pair("localhost."); out["trailing_dot"] = "no error"
except Exception as e: out["trailing_dot"] = err(e)
print(json.dumps(out))
`;

const RESETTER = `
import socket, ssl, struct, sys
d = sys.argv[1]
sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sctx.load_cert_chain(d + "/server.pem", d + "/server.key")
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(20)
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    s = sctx.wrap_socket(conn, server_side=True)
    s.recv(10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
`;

const SHUTDOWN_TWIN = `
import socket, ssl, sys, time
d, port = sys.argv[1], int(sys.argv[2])
c = ssl.create_default_context(cafile=d + "/ca.pem").wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
c.sendall(b"go"); time.sleep(0.3)
try: c.shutdown(socket.SHUT_RDWR); print("no error")
except OSError as e: print(f"{type(e).__name__}: {e}")
`;

test("SSLSocket's details match CPython's: getpeercert, flags, sendto, timed recv, pending, sends after EOF, trailing dot", async () => {
  const twin = await python(TWIN, certs.dir);
  assert.equal(twin.code, 0, twin.err);
  const want = JSON.parse(twin.out) as Record<string, unknown>;
  const got: Record<string, unknown> = {};
  const [c, s] = await pair();
  got.peercert = JSON.parse(JSON.stringify(c.getpeercert()));
  for (
    const [name, f] of [
      ["recv_flags", () => c.recv(10, MSG_PEEK)],
      ["send_flags", () => c.send(new Uint8Array(1), MSG_OOB)],
      ["sendto", () => c.sendto(new Uint8Array(1), ["127.0.0.1", 9])],
      ["recvfrom", () => c.recvfrom(10)],
    ] as const
  ) {
    try {
      await (f as () => Promise<unknown>)();
      got[name] = "no error";
    } catch (e) {
      got[name] = py_err(e);
    }
  }
  c.settimeout(0.1);
  got.timed_recv = await c.recv(10).then(() => "no error", py_err);
  await s.sendall(new Uint8Array(100).fill(120));
  await sleep(200);
  c.settimeout(5);
  const n = (await c.recv(10)).length;
  got.pending = [n, c.pending()];
  await c.recv(1000);
  s.close();
  await sleep(200);
  got.recv_after_close = (await c.recv(10)).length;
  got.send_after_eof = await c.sendall(new Uint8Array(1000)).then(() => "no error", py_err);
  c.close();
  got.trailing_dot = await pair("localhost.").then(([c2, s2]) => {
    c2.close();
    s2.close();
    return "no error";
  }, py_err);
  assert.deepEqual(got, want);
});

test("shutdown() after the peer reset raises OSError ENOTCONN, as CPython's", async () => {
  const py_srv = await python_server(RESETTER, certs.dir);
  const twin = await python(SHUTDOWN_TWIN, certs.dir, py_srv.first);
  await py_srv.rest();
  const srv = await python_server(RESETTER, certs.dir);
  const c = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(
    await create_connection(["127.0.0.1", Number(srv.first)], 10),
    { server_hostname: "localhost" },
  );
  await c.sendall(new TextEncoder().encode("go"));
  await sleep(300);
  const got = await c.shutdown(SHUT_RDWR).then(
    () => "no error",
    (e) => `${(e as OSError).constructor.name}: ${(e as Error).message}`,
  );
  c.close();
  await srv.rest();
  assert.equal(got, twin.out.trim());
});

test("close() during a handshake: the waiting do_handshake() raises EBADF (CPython's blocked thread stays blocked)", async () => {
  // No twin: CPython's do_handshake() in another thread goes on waiting after
  // close() (seen with python3 3.11); pysocket's waiter gets what a recv() on
  // a socket closed under it gets.
  using srv = create_server(["127.0.0.1", 0]); // never answers
  const raw = await create_connection(srv.getsockname() as [string, number]);
  const s = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(raw, {
    server_hostname: "localhost",
    do_handshake_on_connect: false,
  });
  const hs = s.do_handshake();
  await sleep(50);
  s.close();
  await assert.rejects(hs, (e: unknown) => e instanceof OSError && e.errno === 9);
});

// ---- permissions --------------------------------------------------------

async function deno_run(flags: string[], code: string): Promise<string> {
  const path = `${certs.dir}/perm_${crypto.randomUUID()}.ts`;
  Deno.writeTextFileSync(path, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, path, new URL("..", import.meta.url).href, certs.dir],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return dec.decode(out.stdout).trim();
}

test("Deno's root certificates need --allow-sys only for cert_store_stats(): PermissionError naming the flag; the default roots plus a CA connect without it", async () => {
  // The default roots are Deno's own store; CAs given beside them are added
  // to it (addCACert), so a connection never reads tls.rootCertificates.
  const out = await deno_run(
    ["--allow-net", "--allow-read"],
    `
const [root, dir] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { create_default_context, SSLContext } = await import(root + "ssl.ts");
const ctx = create_default_context();
const show = (e) => e.constructor.name + ": " + e.message;
try { ctx.cert_store_stats(); console.log("stats ok"); } catch (e) { console.log(show(e)); }
ctx.load_verify_locations(dir + "/ca.pem"); // the default roots and one more
try { ctx.cert_store_stats(); console.log("stats ok"); } catch (e) { console.log(show(e)); }
const sctx = new SSLContext(17);
sctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const lsn = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), true);
const acc = lsn.accept().then(([c]) => c.close(), () => {});
try {
  const s = await ctx.wrap_socket(await create_connection(lsn.getsockname()), { server_hostname: "localhost" });
  console.log("connected", s.getpeercert().subject[0][0][1]);
  s.close();
} catch (e) { console.log(show(e)); }
await acc; lsn.close();
`,
  );
  const lines = out.split("\n");
  assert.equal(lines.length, 3, out);
  for (const l of lines.slice(0, 2)) {
    assert.match(l, /^PermissionError: \[Errno 13\] Permission denied .*--allow-sys/);
  }
  assert.equal(lines[2], "connected localhost");
});

test("a client context with only Deno's roots needs no --allow-sys, and still refuses a private CA", async () => {
  const out = await deno_run(
    ["--allow-net", "--allow-read"],
    `
const [root, dir] = Deno.args;
const { create_server, create_connection } = await import(root + "mod.ts");
const { create_default_context, Purpose } = await import(root + "ssl.ts");
const sctx = create_default_context(Purpose.CLIENT_AUTH);
sctx.load_cert_chain(dir + "/server.pem", dir + "/server.key");
const srv = create_server(["127.0.0.1", 0]);
const lsn = await sctx.wrap_socket(srv, true);
const acc = lsn.accept().catch(() => null);
try {
  await create_default_context().wrap_socket(await create_connection(srv.getsockname()), { server_hostname: "localhost" });
  console.log("accepted a private CA!");
} catch (e) { console.log(e.constructor.name, e.verify_code); }
await acc; lsn.close();
`,
  );
  assert.equal(out, `${SSLCertVerificationError.name} 20`);
});

test("wrap_socket() of a non-blocking connected socket with do_handshake_on_connect raises CPython's ValueError and closes it", async () => {
  const twin = await python(`
import socket, ssl
a, b = socket.socketpair()
a.setblocking(False)
try: ssl.create_default_context().wrap_socket(a, server_hostname="localhost")
except Exception as e: print(f"{type(e).__name__}: {e}", a.fileno())
`);
  const [a, b] = await socketpair();
  a.setblocking(false);
  const got = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(a, { server_hostname: "localhost" })
    .then(() => "no error", (e) => `${py_err(e)} ${a.fileno()}`);
  b.close();
  assert.equal(got, twin.out.trim());
});

test("a handshake that outlives the socket's timeout raises CPython's TimeoutError and closes the socket", async () => {
  const twin = await python(`
import socket, ssl
srv = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(srv.getsockname(), timeout=0.3)
try: ssl.create_default_context().wrap_socket(c, server_hostname="localhost")
except Exception as e: print(f"{type(e).__name__}: {e}", c.fileno())
`);
  using srv = create_server(["127.0.0.1", 0]); // never answers
  const c = await create_connection(srv.getsockname() as [string, number], 0.3);
  const got = await create_default_context({ cafile: P("ca.pem") }).wrap_socket(c, { server_hostname: "localhost" })
    .then(() => "no error", (e) => `${py_err(e)} ${c.fileno()}`);
  assert.equal(got, twin.out.trim());
});
