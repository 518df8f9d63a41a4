// port10's findings (the seventh batch of ported programs, tests/ported_more7_test.ts), each beside CPython.
//
// P10-2: OSError had no `args`. Classic programs print `e.args[1]` (Foundations ch. 4 www_ping.py:
// `print('Name service failure:', e.args[1])`, `print('Network failure:', e.args[1])`) or `e.args[0]`; the
// port had no way to say it. Now `args` is Python's: `[errno, strerror]` for an error with an errno, `[text]`
// for a lone text (a timeout's `['timed out']`), `[]` for none. The class: every error a socket operation
// raises (refused connect on TCP and AF_UNIX, a missing Unix path, the resolver, each reader's timeout, a
// non-blocking read, a send after SHUT_WR, a closed socket), the errors a program raises itself, and TLS.

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import { OSError } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { select } from "../selectors.ts";
import { cpython } from "./_twin.ts";
import { TempDir, test_needing } from "./_socket_fixtures.ts";
import { make_certs } from "./_ssl_fixtures.ts";

const test = test_needing("python3", "openssl");

/** `[class name, args]` of what `fn` raised (or ["ok"]). */
async function args_of(fn: () => unknown): Promise<unknown[]> {
  try {
    await fn();
    return ["ok"];
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    return [e.name, e.args];
  }
}

test({
  name: "P10-2: OSError.args is Python's for every error a socket operation or a program raises",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
out = []
def a(fn):
    try:
        fn()
        out.append(["ok"])
    except OSError as e:
        out.append([type(e).__name__, list(e.args)])
l = socket(); l.bind(("127.0.0.1", 0)); l.listen(); port = l.getsockname()[1]; l.close()
a(lambda: socket().connect(("127.0.0.1", port)))
d = tempfile.mkdtemp()
a(lambda: socket(AF_UNIX).connect(os.path.join(d, "nothing")))
u = socket(AF_UNIX, SOCK_DGRAM); u.bind(os.path.join(d, "gone")); os.unlink(os.path.join(d, "gone"))
a(lambda: socket(AF_UNIX).connect(os.path.join(d, "gone")))
a(lambda: getaddrinfo("127.0.0.1", "no-such-service", 0, SOCK_STREAM))
a(lambda: getaddrinfo("127.0.0.1", 80, 99))
c, s = pair()
c.settimeout(0.05)
a(lambda: c.recv(1))
a(lambda: c.recv_into(bytearray(1)))
a(lambda: c.recvfrom(1))
a(lambda: c.makefile("rb").readline())
c.setblocking(False)
a(lambda: c.recv(1))
l2 = create_server(("127.0.0.1", 0)); l2.settimeout(0.05)
a(lambda: l2.accept())
l2.close()
c.setblocking(True)
c.shutdown(SHUT_WR)
a(lambda: c.send(b"x"))
c.close()
a(lambda: c.recv(1))
s.close()
g = socket(AF_INET, SOCK_DGRAM); g.settimeout(0.05)
a(lambda: g.recvfrom(1))
g.close()
def raise_(e):
    raise e
a(lambda: raise_(OSError("text")))
a(lambda: raise_(OSError(111, "Connection refused")))
a(lambda: raise_(timeout("text")))
a(lambda: raise_(OSError()))
print(json.dumps(out))
`);
    const out: unknown[] = [];
    const l = socket.socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    const port = l.getsockname()[1] as number;
    l.close();
    out.push(await args_of(() => socket.socket().connect(["127.0.0.1", port])));
    using d = new TempDir();
    out.push(await args_of(() => socket.socket(socket.AF_UNIX).connect(d.sock("nothing"))));
    const u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    u.bind(d.sock("gone"));
    Deno.removeSync(d.sock("gone"));
    out.push(await args_of(() => socket.socket(socket.AF_UNIX).connect(d.sock("gone"))));
    u.close();
    out.push(await args_of(() => socket.getaddrinfo("127.0.0.1", "no-such-service", 0, socket.SOCK_STREAM)));
    out.push(await args_of(() => socket.getaddrinfo("127.0.0.1", 80, 99)));
    const l1 = socket.create_server(["127.0.0.1", 0]);
    const c = await socket.create_connection(l1.getsockname() as [string, number]);
    const [s] = await l1.accept();
    l1.close();
    c.settimeout(0.05);
    out.push(await args_of(() => c.recv(1)));
    out.push(await args_of(() => c.recv_into(new Uint8Array(1))));
    out.push(await args_of(() => c.recvfrom(1)));
    out.push(await args_of(() => c.makefile("rb").readline()));
    c.setblocking(false);
    out.push(await args_of(() => c.recv(1)));
    const l2 = socket.create_server(["127.0.0.1", 0]);
    l2.settimeout(0.05);
    out.push(await args_of(() => l2.accept()));
    l2.close();
    c.setblocking(true);
    await c.shutdown(socket.SHUT_WR);
    out.push(await args_of(() => c.send(new Uint8Array([0x78]))));
    c.close();
    out.push(await args_of(() => c.recv(1)));
    s.close();
    const g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    g.settimeout(0.05);
    out.push(await args_of(() => g.recvfrom(1)));
    g.close();
    out.push(
      await args_of(() => {
        throw new OSError("text");
      }),
    );
    out.push(
      await args_of(() => {
        throw new OSError(111, "Connection refused");
      }),
    );
    out.push(
      await args_of(() => {
        throw new socket.timeout("text");
      }),
    );
    out.push(
      await args_of(() => {
        throw new OSError();
      }),
    );
    assert.deepEqual(out, py);
  },
});

test({
  name: "P10-2: an SSLError's args are (errno, str(e)) as CPython's: an untrusted certificate, a plain peer",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const certs = await make_certs();
    const py = await cpython(`
import ssl
out = []
def a(fn):
    try:
        fn()
        out.append(["ok"])
    except OSError as e:
        out.append([type(e).__name__, len(e.args), e.args[0], e.args[-1] == str(e), e.errno, e.strerror == str(e)])
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(${JSON.stringify(certs.P("untrusted.pem"))}, ${
      JSON.stringify(certs.P("untrusted.key"))
    })
l = create_server(("127.0.0.1", 0))
def serve():
    s, _ = l.accept()
    try:
        sctx.wrap_socket(s, server_side=True)
    except OSError:
        pass
threading.Thread(target=serve).start()
cctx = ssl.create_default_context(cafile=${JSON.stringify(certs.P("ca.pem"))})
a(lambda: cctx.wrap_socket(create_connection(l.getsockname()), server_hostname="localhost"))
def plain():
    s, _ = l.accept()
    s.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\n" * 10)
    time.sleep(0.3)
    s.close()
threading.Thread(target=plain).start()
a(lambda: cctx.wrap_socket(create_connection(l.getsockname()), server_hostname="localhost"))
print(json.dumps(out))
`);
    const out: unknown[] = [];
    const a = async (fn: () => unknown) => {
      try {
        await fn();
        out.push(["ok"]);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        out.push([e.name, e.args.length, e.args[0], e.args.at(-1) === e.message, e.errno, e.strerror === e.message]);
      }
    };
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(certs.P("untrusted.pem"), certs.P("untrusted.key"));
    const l = socket.create_server(["127.0.0.1", 0]);
    const serve = (async () => {
      const [s] = await l.accept();
      try {
        await sctx.wrap_socket(s, { server_side: true });
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      }
      s.close();
    })();
    const cctx = ssl.create_default_context({ cafile: certs.P("ca.pem") });
    const addr = l.getsockname() as [string, number];
    await a(async () => cctx.wrap_socket(await socket.create_connection(addr), { server_hostname: "localhost" }));
    await serve;
    const plain = (async () => {
      const [s] = await l.accept();
      await s.sendall(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\n".repeat(10)));
      await new Promise((r) => setTimeout(r, 300));
      s.close();
    })();
    await a(async () => cctx.wrap_socket(await socket.create_connection(addr), { server_hostname: "localhost" }));
    await plain;
    l.close();
    assert.deepEqual(out, py);
  },
});

// P10-3: the errors of a TLS connection whose peer closed without close_notify (suppress_ragged_eofs=False)
// read differently from CPython's: the first read's SSLEOFError lacked OpenSSL's reason and C line
// ("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:2580)"), a send's its
// line ("(_ssl.c:2427)"). Now str(e) and args are CPython's for those two. (Still different, not fixed here: a
// second recv()/recv_into() returns b''/0 where CPython raises "EOF occurred in violation of protocol
// (_ssl.c:2580)" again; the test stops before them.)
test({
  name: "P10-3: SSLEOFError's text and args for a ragged EOF: the first read, then a send (CPython 3.11's)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const certs = await make_certs();
    const py = await cpython(`
import ssl
D = ${JSON.stringify(certs.dir)}
l = create_server(("127.0.0.1", 0))
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(D + "/server.pem", D + "/server.key")
def f():
    s, _ = l.accept(); t = sctx.wrap_socket(s, server_side=True); t.sendall(b"x"); time.sleep(0.2); s.close()
threading.Thread(target=f).start()
c = ssl.create_default_context(cafile=D + "/ca.pem").wrap_socket(create_connection(l.getsockname()),
    server_hostname="localhost", suppress_ragged_eofs=False)
out = [c.recv(10).decode()]
for op in (lambda: c.recv(10), lambda: c.send(b"x")):
    try:
        out.append(op())
    except OSError as e:
        out.append([type(e).__name__, str(e), list(e.args), e.strerror])
print(json.dumps(out))
`);
    const l = socket.create_server(["127.0.0.1", 0]);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
    const server = (async () => {
      const [s] = await l.accept();
      const t = await sctx.wrap_socket(s, { server_side: true });
      await t.sendall(new TextEncoder().encode("x"));
      await new Promise((r) => setTimeout(r, 200));
      s.close();
    })();
    const cctx = ssl.create_default_context({ cafile: certs.P("ca.pem") });
    const c = await cctx.wrap_socket(await socket.create_connection(l.getsockname() as [string, number]), {
      server_hostname: "localhost",
      suppress_ragged_eofs: false,
    });
    const out: unknown[] = [new TextDecoder().decode(await c.recv(10))];
    for (const op of [() => c.recv(10), () => c.send(new TextEncoder().encode("x"))]) {
      try {
        out.push(await op());
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        out.push([e.name, e.message, e.args, e.strerror]);
      }
    }
    await server;
    c.close();
    l.close();
    assert.deepEqual(out, py);
  },
});

// P10-4: a TLS server whose client sends something that is not TLS (an HTTP client at an HTTPS port, the
// classic mistake; tests/ported7/tls_epoll) got WRONG_VERSION_NUMBER from a blocking handshake and
// SSLV3_ALERT_HANDSHAKE_FAILURE from a non-blocking one, where CPython's OpenSSL says HTTP_REQUEST (GET, POST,
// HEAD, PUT), HTTPS_PROXY_REQUEST (CONNECT) or WRONG_VERSION_NUMBER (other text). Now the server's session looks
// at the client's first five bytes as OpenSSL does. Both handshake styles, blocking and non-blocking (the
// class: every way a server handshake runs). (Still different, not fixed here: a TLS-looking first record with
// a bad handshake message, and an alert record before any ClientHello; CPython: UNEXPECTED_MESSAGE.)
const NOT_TLS = [
  "GET / HTTP/1.0\r\n\r\n",
  "POST / HTTP/1.1\r\n\r\n",
  "HEAD / HTTP/1.0\r\n\r\n",
  "PUT /x HTTP/1.0\r\n\r\n",
  "CONNECT a:443 HTTP/1.1\r\n\r\n",
  "hello there friend\r\n",
  "GETTING\r\n",
];

test({
  name: "P10-4: a server handshake with a client that speaks HTTP, CONNECT or other text: OpenSSL's reasons, " +
    "blocking and non-blocking",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const certs = await make_certs();
    const py = await cpython(`
import ssl
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(${JSON.stringify(certs.P("server.pem"))}, ${JSON.stringify(certs.P("server.key"))})
out = []
for blocking in (True, False):
    for payload in ${JSON.stringify(NOT_TLS)}:
        l = create_server(("127.0.0.1", 0))
        c = create_connection(l.getsockname()); c.sendall(payload.encode())
        s, _ = l.accept()
        s.setblocking(blocking)
        t = sctx.wrap_socket(s, server_side=True, do_handshake_on_connect=False)
        for _ in range(50):
            try:
                t.do_handshake()
                out.append("ok")
                break
            except ssl.SSLWantReadError:
                select.select([t], [], [], 5)
            except ssl.SSLError as e:
                out.append([type(e).__name__, e.reason, str(e)])
                break
        c.close(); t.close(); l.close()
print(json.dumps(out))
`);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
    const out: unknown[] = [];
    for (const blocking of [true, false]) {
      for (const payload of NOT_TLS) {
        const l = socket.create_server(["127.0.0.1", 0]);
        const c = await socket.create_connection(l.getsockname() as [string, number]);
        await c.sendall(new TextEncoder().encode(payload));
        const [s] = await l.accept();
        s.setblocking(blocking);
        const t = await sctx.wrap_socket(s, { server_side: true, do_handshake_on_connect: false });
        for (let i = 0; i < 50; i++) {
          try {
            await t.do_handshake();
            out.push("ok");
            break;
          } catch (e) {
            if (e instanceof ssl.SSLWantReadError) {
              await select([t], [], [], 5);
              continue;
            }
            if (!(e instanceof ssl.SSLError)) throw e;
            out.push([e.name, e.reason, e.message]);
            break;
          }
        }
        c.close();
        t.close();
        l.close();
      }
    }
    assert.deepEqual(out, py);
  },
});
