// adv31: siblings of the fixed "SSL handshake bound fixed from the wrap-time timeout" bug: where a timeout is read
// (at each call, as CPython's; a call already waiting keeps the timeout it started with), and what a timed-out call
// leaves, beside CPython 3.11 twins: recv/accept/sendall with settimeout()/setblocking() changed while they wait, a
// timed-out connect() then connect() again, accepted sockets' timeouts (listener timeout, setdefaulttimeout()),
// SSLSocket recv/makefile/do_handshake with the timeout changed mid-call (A31-2, fixed). Timings: each change comes 50 ms into a wait of 200-300 ms, the event that ends it 400-800 ms in.

import assert from "node:assert/strict";
import { AF_INET, create_connection, create_server, setdefaulttimeout, socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { attempt, cpython, pair, sleep, stalled } from "./_twin.ts";
import { make_certs } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const test_tls = test_needing("python3", "openssl");
// A31-2 (fixed: ssl.ts SSLSocket.do_handshake restores the timeout it started with, as CPython's ssl.py `finally:
// self.settimeout(timeout)`): a settimeout() another task made while the handshake waited stayed.

test("adv31: a waiting recv/accept/sendall keeps the timeout it started with; timed-out calls leave the socket usable (twin)", async () => {
  const py_p = cpython(`
def later(t, f): threading.Timer(t, f).start()
res = {}
a, b = pair(); a.settimeout(0.3); later(0.05, lambda: a.settimeout(None)); later(0.8, lambda: attempt(lambda: b.send(b"A")))
res["recv_to_then_none"] = [attempt(lambda: a.recv(10))]; time.sleep(0.9); res["recv_to_then_none"].append(attempt(lambda: a.recv(10))); a.close(); b.close()
a, b = pair(); later(0.05, lambda: a.settimeout(0.2)); later(0.6, lambda: b.send(b"A"))
res["recv_block_then_to"] = attempt(lambda: a.recv(10)); a.close(); b.close()
a, b = pair(); later(0.05, lambda: a.setblocking(False)); later(0.4, lambda: b.send(b"A"))
res["recv_block_then_nb"] = attempt(lambda: a.recv(10)); a.close(); b.close()
def acc(l):
    x, _ = l.accept(); r = [x.gettimeout(), x.getblocking()]; x.close(); return r
l = create_server(("127.0.0.1", 0)); l.settimeout(0.3); later(0.05, lambda: l.settimeout(None))
c = socket(); later(0.8, lambda: attempt(lambda: c.connect(l.getsockname())))
res["accept_to_then_none"] = [attempt(lambda: acc(l))]; time.sleep(0.9); res["accept_to_then_none"].append(attempt(lambda: acc(l))); c.close(); l.close()
l = create_server(("127.0.0.1", 0)); later(0.05, lambda: l.settimeout(0.2))
c = socket(); later(0.6, lambda: attempt(lambda: c.connect(l.getsockname())))
res["accept_block_then_to"] = attempt(lambda: acc(l)); c.close(); l.close()
a, b = pair(); a.settimeout(0.3); later(0.05, lambda: a.settimeout(None))
def rd():
    time.sleep(1.0); b.settimeout(0.5)
    try:
        while b.recv(1 << 20): pass
    except OSError: pass
t = threading.Thread(target=rd); t.start()
res["sendall_to_then_none"] = attempt(lambda: a.sendall(bytes(16 << 20))); a.close(); t.join(); b.close()
a, b = pair(); later(0.05, lambda: a.settimeout(0.2)); got = [0]
def rd2():
    time.sleep(0.8); b.settimeout(1)
    try:
        while got[0] < (16 << 20):
            d = b.recv(1 << 20)
            if not d: break
            got[0] += len(d)
    except OSError: pass
t = threading.Thread(target=rd2); t.start()
res["sendall_block_then_to"] = [attempt(lambda: a.sendall(bytes(16 << 20)))]; t.join(); res["sendall_block_then_to"].append(got[0] == (16 << 20)); a.close(); b.close()
for second in ["timed", "nb", "connect_ex"]:
    l, fill = stalled(); s = socket(); s.settimeout(0.2); ad = l.getsockname()
    r1 = attempt(lambda: s.connect(ad))
    if second == "timed": r2 = attempt(lambda: s.connect(ad))
    elif second == "nb": s.setblocking(False); r2 = attempt(lambda: s.connect(ad))
    else: r2 = attempt(lambda: s.connect_ex(ad))
    res["connect_again_" + second] = [r1, r2, s.gettimeout()]; s.close(); l.close(); [x.close() for x in fill]
l = create_server(("127.0.0.1", 0)); l.settimeout(2)
c = create_connection(l.getsockname()); s, _ = l.accept()
res["accepted"] = [s.gettimeout(), s.getblocking(), c.gettimeout()]; s.close(); c.close()
setdefaulttimeout(3); c = create_connection(l.getsockname()); s, _ = l.accept()
res["accepted_default3"] = [s.gettimeout(), s.getblocking(), c.gettimeout()]
x = socket(); setdefaulttimeout(None); res["made_under_default3"] = [x.gettimeout(), socket().gettimeout()]; x.close(); s.close(); c.close()
l.setblocking(False); c = create_connection(l.getsockname(), timeout=0.5); time.sleep(0.05); s, _ = l.accept()
res["accepted_nb_listener"] = [s.gettimeout(), s.getblocking(), c.gettimeout()]
c.settimeout(None); res["cc_then_none"] = [c.gettimeout(), c.getblocking()]; s.close(); c.close(); l.close()
a, b = pair(); a.settimeout(0.05); r1 = attempt(lambda: a.recv(10)); b.send(b"xy"); a.settimeout(None)
res["recv_after_timeout"] = [r1, attempt(lambda: a.recv(10))]; a.close(); b.close()
print(json.dumps(res))
`);
  const ts: Record<string, unknown> = {};
  const acc = async (l: ReturnType<typeof socket>) => {
    const [x] = await l.accept();
    const r = [x.gettimeout(), x.getblocking()];
    x.close();
    return r;
  };
  {
    const [a, b] = await pair(AF_INET);
    a.settimeout(0.3);
    const p = attempt(() => a.recv(10));
    await sleep(50);
    a.settimeout(null);
    const late = sleep(800).then(() => attempt(() => b.send(new Uint8Array([65]))));
    ts.recv_to_then_none = [await p];
    await late;
    (ts.recv_to_then_none as unknown[]).push(await attempt(() => a.recv(10)));
    a.close();
    b.close();
  }
  {
    const [a, b] = await pair(AF_INET);
    const p = attempt(() => a.recv(10));
    await sleep(50);
    a.settimeout(0.2);
    const late = sleep(600).then(() => b.send(new Uint8Array([65])));
    ts.recv_block_then_to = await p;
    await late;
    a.close();
    b.close();
  }
  {
    const [a, b] = await pair(AF_INET);
    const p = attempt(() => a.recv(10));
    await sleep(50);
    a.setblocking(false);
    const late = sleep(400).then(() => b.send(new Uint8Array([65])));
    ts.recv_block_then_nb = await p;
    await late;
    a.close();
    b.close();
  }
  {
    const l = create_server(["127.0.0.1", 0]);
    l.settimeout(0.3);
    const p = attempt(() => acc(l));
    await sleep(50);
    l.settimeout(null);
    const c = socket();
    const late = sleep(800).then(() => attempt(() => c.connect(l.getsockname())));
    ts.accept_to_then_none = [await p];
    await late;
    (ts.accept_to_then_none as unknown[]).push(await attempt(() => acc(l)));
    c.close();
    l.close();
  }
  {
    const l = create_server(["127.0.0.1", 0]);
    const p = attempt(() => acc(l));
    await sleep(50);
    l.settimeout(0.2);
    const c = socket();
    const late = sleep(600).then(() => attempt(() => c.connect(l.getsockname())));
    ts.accept_block_then_to = await p;
    await late;
    c.close();
    l.close();
  }
  {
    const [a, b] = await pair(AF_INET);
    a.settimeout(0.3);
    const p = attempt(() => a.sendall(new Uint8Array(16 << 20)));
    await sleep(50);
    a.settimeout(null);
    const reader = (async () => {
      await sleep(1000);
      b.settimeout(0.5);
      try {
        for (let i = 0; i < 100_000 && (await b.recv(1 << 20)).length; i++);
      } catch { /* the timeout ends it */ }
    })();
    ts.sendall_to_then_none = await p;
    a.close();
    await reader;
    b.close();
  }
  {
    const [a, b] = await pair(AF_INET);
    const p = attempt(() => a.sendall(new Uint8Array(16 << 20)));
    await sleep(50);
    a.settimeout(0.2);
    let got = 0;
    const reader = (async () => {
      await sleep(800);
      b.settimeout(1);
      try {
        for (let i = 0; i < 100_000 && got < 16 << 20; i++) {
          const d = await b.recv(1 << 20);
          if (!d.length) break;
          got += d.length;
        }
      } catch { /* the timeout ends it */ }
    })();
    ts.sendall_block_then_to = [await p];
    await reader;
    (ts.sendall_block_then_to as unknown[]).push(got === 16 << 20);
    a.close();
    b.close();
  }
  for (const second of ["timed", "nb", "connect_ex"]) {
    using st = await stalled();
    const s = socket();
    s.settimeout(0.2);
    const ad: [string, number] = ["127.0.0.1", st.port];
    const r1 = await attempt(() => s.connect(ad));
    let r2;
    if (second === "timed") r2 = await attempt(() => s.connect(ad));
    else if (second === "nb") {
      s.setblocking(false);
      r2 = await attempt(() => s.connect(ad));
    } else r2 = await attempt(() => s.connect_ex(ad));
    ts[`connect_again_${second}`] = [r1, r2, s.gettimeout()];
    s.close();
  }
  {
    const l = create_server(["127.0.0.1", 0]);
    const addr = l.getsockname() as [string, number];
    l.settimeout(2);
    let c = create_connection(addr);
    let [s] = await l.accept();
    let cc = await c;
    ts.accepted = [s.gettimeout(), s.getblocking(), cc.gettimeout()];
    s.close();
    cc.close();
    setdefaulttimeout(3);
    try {
      c = create_connection(addr);
      [s] = await l.accept();
      cc = await c;
      ts.accepted_default3 = [s.gettimeout(), s.getblocking(), cc.gettimeout()];
      const x = socket();
      setdefaulttimeout(null);
      const y = socket();
      ts.made_under_default3 = [x.gettimeout(), y.gettimeout()];
      x.close();
      y.close();
    } finally {
      setdefaulttimeout(null);
    }
    s.close();
    cc.close();
    l.setblocking(false);
    cc = await create_connection(addr, { timeout: 0.5 });
    await sleep(50);
    [s] = await l.accept();
    ts.accepted_nb_listener = [s.gettimeout(), s.getblocking(), cc.gettimeout()];
    cc.settimeout(null);
    ts.cc_then_none = [cc.gettimeout(), cc.getblocking()];
    s.close();
    cc.close();
    l.close();
  }
  {
    const [a, b] = await pair(AF_INET);
    a.settimeout(0.05);
    const r1 = await attempt(() => a.recv(10));
    await b.send(new TextEncoder().encode("xy"));
    a.settimeout(null);
    ts.recv_after_timeout = [r1, await attempt(() => a.recv(10))];
    a.close();
    b.close();
  }
  assert.deepEqual(ts, await py_p);
});

// ---- TLS: the timeout read at each call of an SSLSocket ----

const certs = missing("python3", "openssl") ? undefined : await make_certs();

/** The CPython twin: a TLS pair over loopback whose server wraps after `wrap_at` ms and sends "hi\n" `send_at` later. */
const TLS_PY = (d: string) => `
import ssl
d = ${JSON.stringify(d)}
def later(t, f): threading.Timer(t, f).start()
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + "/self.pem", d + "/self.key")
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + "/self.pem")
res = {}
def setup(wrap_at, send_at):
    l = create_server(("127.0.0.1", 0)); raw = create_connection(l.getsockname()); sraw, _ = l.accept(); l.close()
    c = cctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
    def srv():
        try:
            time.sleep(wrap_at / 1000); s = sctx.wrap_socket(sraw, server_side=True)
            if send_at is not None: time.sleep(send_at / 1000); s.sendall(b"hi\\n")
            time.sleep(1.5); s.close()
        except OSError: pass
    t = threading.Thread(target=srv, daemon=True); t.start(); return c, t
def hs(c):
    c.do_handshake(); return "hs"
`;

async function tls_setup(wrap_at: number, send_at: number | null) {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(certs!.P("self.pem"), certs!.P("self.key"));
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  cctx.load_verify_locations(certs!.P("self.pem"));
  const l = create_server(["127.0.0.1", 0]);
  const raw = await create_connection(l.getsockname() as [string, number]);
  const [sraw] = await l.accept();
  l.close();
  const c = await cctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
  const server = (async () => {
    await sleep(wrap_at);
    const s = await sctx.wrap_socket(sraw, { server_side: true });
    if (send_at !== null) {
      await sleep(send_at);
      await s.sendall(new TextEncoder().encode("hi\n"));
    }
    await sleep(1500);
    s.close();
  })().catch(() => sraw.close());
  return { c, server };
}
const hs = (c: ssl.SSLSocket) =>
  attempt(async () => {
    await c.do_handshake();
    return "hs";
  });

test_tls(
  "adv31: SSLSocket recv and makefile reads keep the timeout they started with; a timed-out read loses nothing (twin)",
  async () => {
    const py_p = cpython(
      TLS_PY(certs!.dir) + `
c, t = setup(600, None); later(0.05, lambda: c.settimeout(0.2)); res["hs_block_then_to"] = attempt(lambda: hs(c)); c.close(); t.join()
c, t = setup(0, 800); c.do_handshake(); c.settimeout(0.3); later(0.05, lambda: c.settimeout(None)); a1 = attempt(lambda: c.recv(10)); res["recv_to_then_none"] = [a1, attempt(lambda: c.recv(10))]; c.close(); t.join()
c, t = setup(0, 600); c.do_handshake(); later(0.05, lambda: c.settimeout(0.2)); res["recv_block_then_to"] = attempt(lambda: c.recv(10)); c.close(); t.join()
c, t = setup(0, 600); c.do_handshake(); f = c.makefile("rb"); c.settimeout(0.2); r1 = attempt(lambda: f.readline()); c.settimeout(None); r2 = attempt(lambda: f.readline()); r3 = attempt(lambda: c.recv(10)); res["makefile_timed_out"] = [r1, r2, r3]; f.close(); c.close(); t.join()
c, t = setup(0, 600); c.do_handshake(); f = c.makefile("rb"); later(0.05, lambda: c.settimeout(0.2)); res["makefile_block_then_to"] = attempt(lambda: f.readline()); f.close(); c.close(); t.join()
print(json.dumps(res))
`,
    );
    const ts: Record<string, unknown> = {};
    {
      const { c, server } = await tls_setup(600, null);
      const p = hs(c);
      await sleep(50);
      c.settimeout(0.2);
      ts.hs_block_then_to = await p;
      c.close();
      await server;
    }
    {
      const { c, server } = await tls_setup(0, 800);
      await c.do_handshake();
      c.settimeout(0.3);
      const p = attempt(() => c.recv(10));
      await sleep(50);
      c.settimeout(null);
      ts.recv_to_then_none = [await p, await attempt(() => c.recv(10))];
      c.close();
      await server;
    }
    {
      const { c, server } = await tls_setup(0, 600);
      await c.do_handshake();
      const p = attempt(() => c.recv(10));
      await sleep(50);
      c.settimeout(0.2);
      ts.recv_block_then_to = await p;
      c.close();
      await server;
    }
    {
      const { c, server } = await tls_setup(0, 600);
      await c.do_handshake();
      const f = c.makefile("rb");
      c.settimeout(0.2);
      const r1 = await attempt(() => f.readline());
      c.settimeout(null);
      const r2 = await attempt(() => f.readline());
      ts.makefile_timed_out = [r1, r2, await attempt(() => c.recv(10))];
      await f.close();
      c.close();
      await server;
    }
    {
      const { c, server } = await tls_setup(0, 600);
      await c.do_handshake();
      const f = c.makefile("rb");
      const p = attempt(() => f.readline());
      await sleep(50);
      c.settimeout(0.2);
      ts.makefile_block_then_to = await p;
      await f.close();
      c.close();
      await server;
    }
    assert.deepEqual(ts, await py_p);
  },
);

Deno.test({
  name: "adv31 A31-2 (fixed): SSLSocket.do_handshake() restores the timeout it started with, undoing a settimeout() " +
    "made while it waited, as CPython's",
  ignore: missing("python3", "openssl"),
  fn: async () => {
    // CPython: {"to_then_none": [["TimeoutError"], 0.3, ["TimeoutError"]], "block_then_to": [["ok", "hs"], null]}
    const py = await cpython(
      TLS_PY(certs!.dir) + `
c, t = setup(800, None); c.settimeout(0.3); later(0.05, lambda: c.settimeout(None))
a1 = attempt(lambda: hs(c)); res["to_then_none"] = [a1, c.gettimeout(), attempt(lambda: hs(c))]; c.close(); t.join()
c, t = setup(600, None); later(0.05, lambda: c.settimeout(0.2)); a1 = attempt(lambda: hs(c)); res["block_then_to"] = [a1, c.gettimeout()]; c.close(); t.join()
print(json.dumps(res))
`,
    ) as Record<string, unknown>;
    const ts: Record<string, unknown> = {};
    {
      const { c, server } = await tls_setup(800, null);
      c.settimeout(0.3);
      const p = hs(c);
      await sleep(50);
      c.settimeout(null);
      const a1 = await p;
      ts.to_then_none = [a1, c.gettimeout(), await hs(c)];
      c.close();
      await server;
    }
    {
      const { c, server } = await tls_setup(600, null);
      const p = hs(c);
      await sleep(50);
      c.settimeout(0.2);
      ts.block_then_to = [await p, c.gettimeout()];
      c.close();
      await server;
    }
    assert.deepEqual(ts, py);
  },
});
