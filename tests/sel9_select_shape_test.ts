// Issue 17, seventh round (sel9): the objects on select()'s per-event path.
// - A socket's readiness hook (`_pollable()`) was an object literal of closures, which V8 keeps in dictionary
//   mode (a hash lookup per `readable` on every scan of every ready key). The class of bug: an object on a hot
//   path that is slow by shape. The child process checks with V8's own test (`%HasFastProperties`) every object
//   a selector touches per event that a program can reach.
// - DefaultSelector.select() reports each ready object as a frozen `[key, events]` pair, kept per registration
//   while both stay the same (no array per ready key): it must behave as CPython's tuples do (immutable; the key
//   is the same object until modify() makes a new one) over a level-triggered sequence of selects.

import assert from "node:assert/strict";
import { create_connection, create_server, type Socket } from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../selectors.ts";
import { cpython } from "./_twin.ts";
import { localhost_cert } from "./_ssl_fixtures.ts";

const SHAPE_SCRIPT = `
const [root, cert_file, key_file] = Deno.args;
const { create_connection, create_server, socket, AF_INET, SOCK_DGRAM } = await import(root + "mod.ts");
const ssl = await import(root + "ssl.ts");
const { DefaultSelector, EVENT_READ, EVENT_WRITE } = await import(root + "selectors.ts");
const fast = (o) => eval("%HasFastProperties(o)");
const srv = create_server(["127.0.0.1", 0]);
srv.setblocking(false);
const c = await create_connection(srv.getsockname());
const [a] = await srv.accept();
a.setblocking(false);
const fresh = socket();
const udp = socket(AF_INET, SOCK_DGRAM);
udp.bind(["127.0.0.1", 0]);
const sel = new DefaultSelector();
sel.register(srv, EVENT_READ, "listener");
const key = sel.register(a, EVENT_READ | EVENT_WRITE, "conn");
await c.sendall(new Uint8Array([1, 2, 3]));
let got = [];
// Until the 3 bytes are seen (the write side is ready at once, so each select may return before they arrive):
// at most 2,000 rounds of 5 ms, 10 s.
for (let i = 0; i < 2000 && !got.some(([k, m]) => k === key && m === 3); i++) {
  got = await sel.select(1);
  if (!got.some(([k, m]) => k === key && m === 3)) await new Promise((r) => setTimeout(r, 5));
}
const pair = got.find(([k]) => k === key);
const polls = { conn: a._pollable(), client: c._pollable(), listener: srv._pollable(), fresh: fresh._pollable(), udp: udp._pollable() };
const out = { same_poll: a._pollable() === polls.conn, pair_events: pair?.[1] ?? null };
for (const [name, p] of Object.entries(polls)) out[name] = [fast(p), p.readable, p.writable];
out.objects = { socket: fast(a), key: fast(key), pair: fast(pair), selector: fast(sel) };
c.close(); a.close(); srv.close(); udp.close();
out.closed = [fresh._pollable() === polls.fresh, polls.conn.readable, polls.conn.writable];
fresh.close();
out.fresh_closed = [polls.fresh.readable, polls.fresh.writable];
sel.close();
// An SSLSocket's readiness hook (ssl.ts's TlsPoll), client and server, after the handshake.
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.load_cert_chain(cert_file, key_file);
const cctx = ssl.create_default_context({ cafile: cert_file });
const tsrv = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
const [tc, [ts]] = await Promise.all([
  create_connection(tsrv.getsockname()).then((r) => cctx.wrap_socket(r, { server_hostname: "localhost" })),
  tsrv.accept(),
]);
await ts.do_handshake();
out.tls = [tc._pollable(), ts._pollable(), tsrv._pollable()].map((p) => [fast(p), p.readable, p.writable]);
tc.close(); ts.close(); tsrv.close();
console.log(JSON.stringify(out));
Deno.exit(0);
`;

Deno.test("the objects select() touches per event are fast-mode objects (V8's own check), TLS sockets' too; readiness as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pysocket_sel9_" });
  try {
    const tls = await localhost_cert("pysocket_sel9_tls_");
    const script = `${dir}/shape.js`;
    await Deno.writeTextFile(script, SHAPE_SCRIPT);
    const root = new URL("../", import.meta.url).href;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-net",
        "--no-prompt",
        "--v8-flags=--allow-natives-syntax",
        script,
        root,
        tls.cert,
        tls.key,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.ok(out.success, new TextDecoder().decode(out.stderr) + text);
    const r = JSON.parse(text.split("\n").at(-1)!);
    console.log(JSON.stringify(r));
    assert.equal(r.same_poll, true); // made once per socket: selectors key their watches by it
    assert.equal(r.pair_events, EVENT_READ | EVENT_WRITE);
    // [fast properties, readable, writable], as Linux reports them to CPython's select():
    assert.deepEqual(r.conn, [true, true, true]); // bytes buffered, room to send
    assert.deepEqual(r.client, [true, false, true]);
    assert.deepEqual(r.listener, [true, false, false]); // nothing to accept; a listener is never writable
    assert.deepEqual(r.fresh, [true, true, true]); // neither connected nor listening: POLLHUP|POLLOUT
    assert.equal(r.udp[0], true);
    assert.deepEqual(r.objects, { socket: true, key: true, pair: true, selector: true });
    assert.deepEqual(r.closed, [true, true, true]); // a closed socket reads as ready (select.select() wakes)
    assert.deepEqual(r.fresh_closed, [true, true]);
    // TLS client, accepted TLS connection, TLS listener: [fast, readable, writable]. (The client may have read
    // the server's session tickets: decrypted bytes, none; readable stays false.)
    assert.deepEqual(r.tls, [[true, false, true], [true, false, true], [true, false, false]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PAIRS_PY = `
import selectors
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen(); srv.setblocking(False)
c = create_connection(srv.getsockname()); a, _ = srv.accept(); a.setblocking(False)
sel = selectors.DefaultSelector()
k0 = sel.register(a, selectors.EVENT_READ, "conn")
log = []
prev = None
def look(t=1):
    global prev
    r = sel.select(t)
    row = [[m, k.data, k is prev] for k, m in r]
    if r: prev = r[0][0]
    log.append(row)
    return r
look(0)
c.sendall(b"abc")
time.sleep(0.05)
r = look()
look()  # level-triggered: reported again while unread
try:
    r[0][1] = 0
    log.append("mutable")
except TypeError:
    log.append("TypeError")
sel.modify(a, selectors.EVENT_READ | selectors.EVENT_WRITE, "both")
look()
a.recv(10)
look()
sel.modify(a, selectors.EVENT_WRITE, "both")
look()
look()
sel.unregister(a)
look(0)
print(json.dumps(log))
`;

Deno.test("DefaultSelector.select()'s [key, events] pairs over a level-triggered sequence, as CPython's tuples (twin)", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  srv.setblocking(false);
  using c = await create_connection(srv.getsockname() as [string, number]);
  const [a] = await srv.accept() as [Socket, unknown];
  using _a = a;
  a.setblocking(false);
  using sel = new DefaultSelector<string>();
  sel.register(a, EVENT_READ, "conn");
  const log: unknown[] = [];
  let prev: unknown = null;
  const look = async (t = 1) => {
    let r = await sel.select(t);
    // Deno learns of the bytes an event-loop hop after the kernel: give a wait for them a few more looks.
    for (let i = 0; i < 20 && t > 0 && r.length === 0; i++) r = await sel.select(t);
    log.push(r.map(([k, m]) => [m, k.data, k === prev]));
    if (r.length) prev = r[0]![0];
    return r;
  };
  await look(0);
  await c.sendall(new TextEncoder().encode("abc"));
  const r = await look();
  const again = await look();
  assert.ok(Object.isFrozen(r[0]) && Object.isFrozen(again[0]), "pairs are frozen, as tuples");
  try {
    (r[0] as unknown as number[])[1] = 0;
    log.push("mutable");
  } catch (e) {
    log.push((e as Error).name);
  }
  sel.modify(a, EVENT_READ | EVENT_WRITE, "both");
  await look();
  await a.recv(10);
  await look();
  sel.modify(a, EVENT_WRITE, "both");
  await look();
  await look();
  sel.unregister(a);
  await look(0);
  const twin = await cpython(PAIRS_PY);
  assert.deepEqual(log, twin);
});
