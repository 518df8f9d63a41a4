// Adversary round 4 (adv4): differences from CPython found by the probe, fixed in socket.ts and ssl.ts; each
// test runs the CPython twin. What they were:
//   A4-5: recvmsg()/recvmsg_into() of a datagram longer than the buffers report msg_flags 0 (CPython: MSG_TRUNC).
//   A4-6: getsockopt(SOL_SOCKET, SO_DOMAIN / SO_PROTOCOL) raise ENOPROTOOPT (CPython: the family, the protocol).
//   A4-7: sendto(data) without an address says "AF_INET address must be tuple, not NoneType" (CPython:
//         "sendto() takes 2 or 3 arguments (1 given)").
//   A4-8: SSLSocket.sendmsg() sends through TLS and recvmsg()/recvmsg_into() raise "recvfrom not allowed"
//         (CPython: NotImplementedError "sendmsg not allowed on instances of <class 'ssl.SSLSocket'>", …).
//   A4-9: sendfile() on a datagram socket raises OSError EINVAL (CPython: ValueError "only SOCK_STREAM type
//         sockets are supported"); and a sendfile() that sends nothing (an offset past the end) leaves the file
//         at that offset (CPython's os.sendfile path leaves the file's position alone when nothing was sent).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import { SSLContext } from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { make_certs } from "./_ssl_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3", "openssl");

test({
  name: "adversary3: recvmsg()/recvmsg_into() report MSG_TRUNC for a datagram longer than the buffer (A4-5)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const want = await cpython(`
r = socket(AF_INET, SOCK_DGRAM); r.bind(("127.0.0.1", 0)); s = socket(AF_INET, SOCK_DGRAM)
out = []
for payload, size in [(b"0123456789", 4), (b"0123", 4), (b"", 4)]:
    s.sendto(payload, r.getsockname()); d, anc, flags, _ = r.recvmsg(size); out.append([d.decode(), flags])
s.sendto(b"hello world", r.getsockname())
n, anc, flags, _ = r.recvmsg_into([bytearray(3), bytearray(4)]); out.append([n, flags])
s.sendto(b"abc", r.getsockname())
n, anc, flags, _ = r.recvmsg_into([bytearray(3), bytearray(4)]); out.append([n, flags])
print(json.dumps(out))
`);
    using r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    r.bind(["127.0.0.1", 0]);
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const enc = (t: string) => new TextEncoder().encode(t);
    const got: unknown[] = [];
    for (const [payload, size] of [["0123456789", 4], ["0123", 4], ["", 4]] as [string, number][]) {
      await s.sendto(enc(payload), r.getsockname());
      const [d, , flags] = await r.recvmsg(size);
      got.push([new TextDecoder().decode(d), flags]);
    }
    for (const payload of ["hello world", "abc"]) {
      await s.sendto(enc(payload), r.getsockname());
      const [n, , flags] = await r.recvmsg_into([new Uint8Array(3), new Uint8Array(4)]);
      got.push([n, flags]);
    }
    assert.deepEqual(got, want);
  },
});

test({
  name: "adversary3: getsockopt(SO_DOMAIN) and getsockopt(SO_PROTOCOL) read the family and protocol (A4-6)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const kinds: [number, number, number][] = [
      [socket.AF_INET, socket.SOCK_STREAM, 0],
      [socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP],
      [socket.AF_INET6, socket.SOCK_STREAM, 0],
      [socket.AF_INET, socket.SOCK_DGRAM, 0],
      [socket.AF_UNIX, socket.SOCK_STREAM, 0],
      [socket.AF_UNIX, socket.SOCK_DGRAM, 0],
    ];
    const want = await cpython(`
print(json.dumps([[x.getsockopt(SOL_SOCKET, SO_DOMAIN), x.getsockopt(SOL_SOCKET, SO_PROTOCOL)]
                  for x in [socket(f, t, p) for f, t, p in ${JSON.stringify(kinds)}]]))
`);
    const got = kinds.map(([f, t, p]) => {
      using x = socket.socket(f, t, p);
      return [x.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN), x.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)];
    });
    assert.deepEqual(got, want);
  },
});

test({
  name: "adversary3: sendto() with one argument raises CPython's TypeError (A4-7)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const want = await cpython(`
d = socket(AF_INET, SOCK_DGRAM)
print(json.dumps(attempt(lambda: d.sendto(b"x")) + [str(_e) for _e in [None] if False]))
try:
    d.sendto(b"x")
except TypeError as e:
    print(json.dumps(str(e)))
`);
    using d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    let msg = "";
    try {
      await (d.sendto as (x: Uint8Array) => Promise<number>)(new Uint8Array([120]));
    } catch (e) {
      assert.ok(e instanceof TypeError, String(e));
      msg = e.message;
    }
    assert.equal(msg, want);
  },
});

test({
  name: "adversary3: SSLSocket.sendmsg()/recvmsg()/recvmsg_into() raise NotImplementedError as CPython's (A4-8)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const want = await cpython(`
import ssl
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
s = c.wrap_socket(socket(), do_handshake_on_connect=False)
out = []
for name, args in [("sendmsg", ([b"x"],)), ("recvmsg", (10,)), ("recvmsg_into", ([bytearray(1)],))]:
    try:
        getattr(s, name)(*args); out.append([name, "ok"])
    except Exception as e:
        out.append([name, type(e).__name__, str(e)])
print(json.dumps(out))
`);
    const certs = await make_certs();
    const sctx = new SSLContext(2 /* PROTOCOL_TLS_SERVER */);
    sctx.load_cert_chain(certs.P("self.pem"), certs.P("self.key"));
    using l = socket.create_server(["127.0.0.1", 0]);
    const cctx = new SSLContext(16 /* PROTOCOL_TLS_CLIENT */);
    cctx.check_hostname = false;
    cctx.verify_mode = 0;
    const server = (async () => {
      const [conn] = await l.accept();
      return await sctx.wrap_socket(conn, { server_side: true });
    })();
    const raw = await socket.create_connection(l.getsockname());
    using c = await cctx.wrap_socket(raw);
    using _srv = await server;
    const got: unknown[] = [];
    const calls: [string, () => Promise<unknown>][] = [
      ["sendmsg", () => c.sendmsg([new Uint8Array([120])])],
      ["recvmsg", () => c.recvmsg(10, { signal: AbortSignal.timeout(500) })],
      ["recvmsg_into", () => c.recvmsg_into([new Uint8Array(1)], { signal: AbortSignal.timeout(500) })],
    ];
    for (const [name, call] of calls) {
      try {
        await call();
        got.push([name, "ok"]);
      } catch (e) {
        got.push([name, (e as Error).name, (e as Error).message]);
      }
    }
    assert.deepEqual(got, want);
  },
});

test({
  name: "adversary3: sendfile() on a datagram socket and a sendfile() that sends nothing, as CPython (A4-9)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/f.bin`;
      await Deno.writeTextFile(path, "abcdefghij");
      const want = await cpython(`
f = open(${JSON.stringify(path)}, "rb")
u = socket(AF_INET, SOCK_DGRAM)
try:
    u.sendfile(f); udp = "ok"
except (OSError, ValueError) as e:
    udp = [type(e).__name__, str(e)]
a, b = socketpair()
f.seek(3)
sent = a.sendfile(f, 100)
print(json.dumps([udp, sent, f.tell()]))
`);
      using f = await Deno.open(path);
      using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      let udp: unknown = "ok";
      try {
        await u.sendfile(f);
      } catch (e) {
        udp = [e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message];
      }
      const [a, b] = await socket.socketpair();
      using _a = a, _b = b;
      await f.seek(3, Deno.SeekMode.Start);
      const sent = await a.sendfile(f, 100);
      assert.deepEqual([udp, sent, await f.seek(0, Deno.SeekMode.Current)], want);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
