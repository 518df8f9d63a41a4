// adv10a: sel8's fast paths (the one-reaction blocking recv/recv_into, recv(n) of buffered bytes at the call,
// sendall/send chained on their write) under every state change, and the busy loops of A9a-6/A9a-7 on datagram
// and TLS sockets, against CPython's twin.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import * as ssl from "../ssl.ts";
import { cpython } from "./_twin.ts";
import { TempDir, test_needing } from "./_socket_fixtures.ts";
import { make_certs } from "./_ssl_fixtures.ts";

const test = test_needing("python3");

// deno-lint-ignore no-explicit-any
type Loose = any; // the scenarios call methods as a ported program would, without narrowing
const { socket } = m;
const { AF_INET, AF_UNIX, SOCK_DGRAM, SHUT_RD, SHUT_WR, SHUT_RDWR } = m;
import { out } from "./_twin.ts";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const te = new TextEncoder();
const td = new TextDecoder();

const PY = `
def out(f):
    try:
        r = f(); return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e: return [type(e).__name__, getattr(e, "errno", None)]
class W:
    def __init__(s, f):
        s.r = None; s.t = threading.Thread(target=lambda: setattr(s, "r", out(f))); s.t.start()
    def get(s): s.t.join(10); return s.r
sl = lambda ms: time.sleep(ms / 1000)
def drain(s):
    s.settimeout(5); t = ""
    for _ in range(100):
        b = s.recv(100000)
        if not b: break
        t += b.decode()
    return t
R = {}
`;

async function drain(s: Loose): Promise<string> {
  s.settimeout(5);
  let t = "";
  for (let i = 0; i < 100; i++) {
    const b = await s.recv(100000);
    if (b.length === 0) break;
    t += td.decode(b);
  }
  return t;
}

async function pair(fam: number, dir: TempDir): Promise<[Loose, Loose]> {
  const l: Loose = socket(fam);
  l.bind(fam === AF_UNIX ? dir.sock(`p${Math.random()}`) : ["127.0.0.1", 0]);
  l.listen();
  const c: Loose = socket(fam);
  await c.connect(l.getsockname());
  const [s] = await l.accept();
  l.close();
  return [c, s];
}

// A blocking recv()/recv_into() waiting with nothing buffered (sel8's one-reaction wait), and every state change
// another task makes meanwhile: settimeout, SHUT_RD, SHUT_RDWR, a second recv, a makefile(), the peer's EOF; then
// the next recv after a woken one. CPython's threads do the same.
test("adversary10a: a waiting blocking recv/recv_into under settimeout, SHUT_RD, SHUT_RDWR, a second recv, makefile(), EOF; TCP and Unix (CPython twin)", async () => {
  using dir = new TempDir();
  const py = await cpython(
    PY + `
D = ${JSON.stringify(dir.path)}
def mk(fam):
    l = socket(fam); l.bind(os.path.join(D, "y%f" % time.time()) if fam == AF_UNIX else ("127.0.0.1", 0)); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close(); return c, s
for fam in (AF_INET, AF_UNIX):
    F = "tcp" if fam == AF_INET else "unix"
    for into in (False, True):
        def rv(s):
            if not into: return s.recv(10)
            b = bytearray(10); n = s.recv_into(b); return bytes(b[:n])
        K = F + ("_into" if into else "")
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); s.settimeout(0.05); sl(150); c.sendall(b"late"); R[K + ":settimeout"] = [w.get(), s.gettimeout()]; c.close(); s.close()
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); s.shutdown(SHUT_RD); R[K + ":shut_rd"] = [w.get(), out(lambda: rv(s))]; c.close(); s.close()
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); s.shutdown(SHUT_RDWR); R[K + ":shut_rdwr"] = [w.get()]; c.close(); s.close()
        c, s = mk(fam); w1 = W(lambda: rv(s)); w2 = W(lambda: rv(s)); sl(30); c.sendall(b"ab"); sl(50); c.close(); R[K + ":two"] = sorted(json.dumps(x) for x in [w1.get(), w2.get()]); s.close()
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); f = s.makefile("rb"); c.sendall(b"x\\n"); g = w.get(); sl(20); c.close(); R[K + ":makefile"] = [g, out(lambda: f.readline())]; f.close(); s.close()
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); c.close(); R[K + ":eof"] = [w.get(), out(lambda: rv(s))]; s.close()
        c, s = mk(fam); w = W(lambda: rv(s)); sl(30); c.sendall(b"abc"); a = w.get(); w2 = W(lambda: s.recv(10)); c.sendall(b"def"); R[K + ":next"] = [a, w2.get()]; c.close(); s.close()
print(json.dumps(R))
`,
  );
  const ts: Record<string, unknown> = {};
  for (const fam of [AF_INET, AF_UNIX]) {
    const F = fam === AF_INET ? "tcp" : "unix";
    for (const into of [false, true]) {
      const rv = (s: Loose) =>
        into
          ? (async () => {
            const b = new Uint8Array(10);
            const n = await s.recv_into(b);
            return td.decode(b.subarray(0, n));
          })()
          : s.recv(10);
      const K = F + (into ? "_into" : "");
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        s.settimeout(0.05);
        await sleep(150);
        await c.sendall(te.encode("late"));
        ts[K + ":settimeout"] = [await w, s.gettimeout()];
        c.close();
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        await s.shutdown(SHUT_RD);
        ts[K + ":shut_rd"] = [await w, await out(() => rv(s))];
        c.close();
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        await s.shutdown(SHUT_RDWR);
        ts[K + ":shut_rdwr"] = [await w];
        c.close();
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w1 = out(() => rv(s)), w2 = out(() => rv(s));
        await sleep(30);
        await c.sendall(te.encode("ab"));
        await sleep(50);
        c.close();
        ts[K + ":two"] = [await w1, await w2].map((x) => JSON.stringify(x).replaceAll(",", ", ")).sort();
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        const f = s.makefile("rb");
        await c.sendall(te.encode("x\n"));
        const g = await w;
        await sleep(20);
        c.close();
        ts[K + ":makefile"] = [g, await out(() => f.readline())];
        f.close();
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        c.close();
        ts[K + ":eof"] = [await w, await out(() => rv(s))];
        s.close();
      }
      {
        const [c, s] = await pair(fam, dir);
        const w = out(() => rv(s));
        await sleep(30);
        await c.sendall(te.encode("abc"));
        const a = await w;
        const w2 = out(() => s.recv(10));
        await c.sendall(te.encode("def"));
        ts[K + ":next"] = [a, await w2];
        c.close();
        s.close();
      }
    }
  }
  assert.deepEqual(ts, py);
});

// A10a-3: sendall()/send() calls made before shutdown(SHUT_WR), their writes in flight (sel8's chained write, or
// waiting behind it), were cut: both raised BrokenPipeError though the first one's bytes reached the peer, and the
// second's were lost. CPython's sends took them at once (the kernel had room): the peer reads everything, as
// pysocket's SHUT_RDWR already gave. close() under them keeps pysocket's documented EBADF.
test("adversary10a: A10a-3 sendall()/send() made before shutdown(SHUT_WR) are sent, not cut with EPIPE; TCP and Unix (CPython twin)", async () => {
  using dir = new TempDir();
  const py = await cpython(
    PY + `
D = ${JSON.stringify(dir.path)}
def mk(fam):
    l = socket(fam); l.bind(os.path.join(D, "z%f" % time.time()) if fam == AF_UNIX else ("127.0.0.1", 0)); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close(); return c, s
for fam in (AF_INET, AF_UNIX):
    for how in (SHUT_WR, SHUT_RDWR):
        for warm in (False, True):
            c, s = mk(fam)
            if warm: c.sendall(b"w")
            a = out(lambda: c.sendall(b"x")); b = out(lambda: c.send(b"y")); c.shutdown(how)
            R["%d:%d:%s" % (fam, how, warm)] = [a, b, out(lambda: drain(s)), out(lambda: c.send(b"z"))]; c.close(); s.close()
    c, s = mk(fam); s.shutdown(SHUT_WR); c.recv(5)
    a = out(lambda: c.sendall(b"x")); b = out(lambda: c.send(b"y")); c.shutdown(SHUT_RDWR)
    R["%d after EOF" % fam] = [a, b, out(lambda: drain(s))]; c.close(); s.close()
print(json.dumps(R))
`,
  );
  const ts: Record<string, unknown> = {};
  for (const fam of [AF_INET, AF_UNIX]) {
    for (const how of [SHUT_WR, SHUT_RDWR]) {
      for (const warm of [false, true]) {
        const [c, s] = await pair(fam, dir);
        if (warm) await c.sendall(te.encode("w")); // the next sendall is chained on its write
        const a = out(() => c.sendall(te.encode("x")));
        const b = out(() => c.send(te.encode("y")));
        await c.shutdown(how);
        ts[`${fam}:${how}:${warm ? "True" : "False"}`] = [
          await a,
          await b,
          await out(() => drain(s)),
          await out(() => c.send(te.encode("z"))),
        ];
        c.close();
        s.close();
      }
    }
    // SHUT_RDWR after the peer's EOF (no read turn is given then): the same.
    const [c, s] = await pair(fam, dir);
    await s.shutdown(SHUT_WR);
    c.settimeout(5);
    await c.recv(5);
    const a = out(() => c.sendall(te.encode("x")));
    const b = out(() => c.send(te.encode("y")));
    await c.shutdown(SHUT_RDWR);
    ts[`${fam} after EOF`] = [await a, await b, await out(() => drain(s))];
    c.close();
    s.close();
  }
  assert.deepEqual(ts, py);
});

// A9a-7's class on datagrams: a non-blocking sender looping on BlockingIOError to a reader in another task
// progresses and ends (Unix datagrams: every one arrives, in order; UDP: no EAGAIN, the loop ends); a
// non-blocking receiver looping on BlockingIOError gets the datagram sent later.
test("adversary10a: non-blocking datagram busy loops (send on EAGAIN, recv on EAGAIN) progress and end, UDP and Unix", async () => {
  using dir = new TempDir();
  for (const fam of [AF_UNIX, AF_INET]) {
    const r: Loose = socket(fam, SOCK_DGRAM);
    r.bind(fam === AF_UNIX ? dir.sock("r") : ["127.0.0.1", 0]);
    const A = r.getsockname();
    const s: Loose = socket(fam, SOCK_DGRAM);
    s.setblocking(false);
    // The receiver's busy loop: a datagram sent 50 ms later.
    r.setblocking(false);
    setTimeout(() => s.sendto(te.encode("ping"), A), 50);
    let got: unknown = null;
    for (let i = 0; i < 200_000 && got === null; i++) {
      try {
        got = td.decode(await r.recv(100));
      } catch (e) {
        assert.equal((e as Error).name, "BlockingIOError");
      }
    }
    assert.equal(got, "ping");
    // The sender's busy loop, a reader task draining.
    r.settimeout(5);
    const seen: string[] = [];
    const reader = (async () => {
      for (let i = 0; i < 2000; i++) {
        try {
          seen.push(td.decode(await r.recv(100)));
        } catch {
          return;
        }
      }
    })();
    let sent = 0;
    for (let it = 0; sent < 2000 && it < 100_000; it++) {
      try {
        await s.sendto(te.encode(`m${sent}`), A);
        sent++;
      } catch (e) {
        assert.equal((e as Error).name, "BlockingIOError");
      }
    }
    assert.equal(sent, 2000, "the send loop ends");
    if (fam === AF_UNIX) {
      await reader;
      assert.deepEqual(seen, Array.from({ length: 2000 }, (_, i) => `m${i}`)); // Unix datagrams are never dropped
    } else {
      r.close(); // UDP may drop on a full receive buffer, as in CPython: the loop's end is what counts
      await reader;
    }
    r.close();
    s.close();
  }
});

// The SSLSocket form: while True: try recv() except SSLWantReadError: continue — it progresses to all the data
// and EOF, as CPython's.
test_needing("openssl")({
  name: "adversary10a: a non-blocking SSLSocket recv() loop on SSLWantReadError reads everything and ends",
  async fn() {
    const c = await make_certs();
    try {
      const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
      sctx.load_cert_chain(c.P("server.pem"), c.P("server.key"));
      const cctx = ssl.create_default_context();
      cctx.load_verify_locations(c.P("ca.pem"));
      const l: Loose = m.create_server(["127.0.0.1", 0]);
      const server = (async () => {
        const [a] = await l.accept();
        const w: Loose = await sctx.wrap_socket(a, { server_side: true });
        // Long enough that the reader's looks meet an empty socket even on a loaded machine, where a non-blocking
        // look whose first event-loop turn stalled gives the kernel up to three turns (_wait.ts, P13-3).
        await sleep(250);
        for (let i = 0; i < 20; i++) {
          await w.sendall(te.encode(`chunk${i};`));
          if (i % 5 === 0) await sleep(10);
        }
        w.close();
      })();
      const cs: Loose = await cctx.wrap_socket(await m.create_connection(l.getsockname()), {
        server_hostname: "localhost",
      });
      cs.setblocking(false);
      let data = "", end = "", wants = 0;
      for (let it = 0; it < 2_000_000 && end === ""; it++) {
        try {
          const b = await cs.recv(1000);
          if (b.length === 0) end = "eof";
          data += td.decode(b);
        } catch (e) {
          if ((e as Error).name === "SSLWantReadError") wants++;
          else end = (e as Error).name;
        }
      }
      assert.ok(wants > 0, "the loop met SSLWantReadError");
      assert.equal(data, Array.from({ length: 20 }, (_, i) => `chunk${i};`).join(""));
      assert.ok(end === "eof" || end === "SSLEOFError", end); // the server closed without close_notify or with it
      cs.close();
      l.close();
      await server;
    } finally {
      Deno.removeSync(c.dir, { recursive: true });
    }
  },
});
