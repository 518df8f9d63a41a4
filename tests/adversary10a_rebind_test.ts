// adv10a: the deferred bind of _rebind.ts (A9a-4/A9a-8), attacked during its deferral turn, against CPython's
// twin: a bind() right after closing a listener (or a datagram socket) that had an accept (a receive) in flight
// returns at once with a stand-in that listens (opens) once the old one has let the address go.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";
import { cpython } from "./_twin.ts";
import { TempDir, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

// deno-lint-ignore no-explicit-any
type Loose = any; // the scenarios call methods as a ported program would, without narrowing
const { socket, create_server } = m;
const { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SHUT_RDWR } = m;
import { out } from "./_twin.ts";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const te = new TextEncoder();
const td = new TextDecoder();

const PY = `
def out(fn):
    try:
        r = fn()
        return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as x:
        return [type(x).__name__, getattr(x, "errno", None)]
def held(host="127.0.0.1", fam=AF_INET):
    l = create_server((host, 0), family=fam); l.settimeout(0.02)
    try: l.accept()
    except TimeoutError: pass
    a = l.getsockname(); l.close(); return a
def udp_held():
    u = socket(AF_INET, SOCK_DGRAM); u.bind(("127.0.0.1", 0)); u.settimeout(0.02)
    try: u.recv(10)
    except TimeoutError: pass
    a = u.getsockname(); u.close(); return a
def talk(n, addr, fam=AF_INET):
    c = socket(fam); c.settimeout(5); c.connect(addr); n.settimeout(5); s, _ = n.accept(); s.settimeout(5)
    c.sendall(b"hi"); r = s.recv(10); c.close(); s.close(); return r
R = {}
`;

/** The stand-in's port: a listener with a timed-out accept (CPython leaves none in flight), closed. */
async function held(host = "127.0.0.1", fam: number = AF_INET): Promise<Loose> {
  const l: Loose = create_server([host, 0], { family: fam });
  l.settimeout(0.02);
  await l.accept().catch((e: Error) => assert.equal(e.name, "TimeoutError"));
  const a = l.getsockname();
  l.close();
  return a;
}

async function udp_held(): Promise<Loose> {
  const u: Loose = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  u.settimeout(0.02);
  await u.recv(10).catch((e: Error) => assert.equal(e.name, "TimeoutError"));
  const a = u.getsockname();
  u.close();
  return a;
}

async function talk(n: Loose, addr: Loose, fam: number = AF_INET): Promise<string> {
  const c: Loose = socket(fam);
  c.settimeout(5);
  await c.connect(addr);
  n.settimeout(5);
  const [s] = await n.accept();
  s.settimeout(5);
  await c.sendall(te.encode("hi"));
  const r = td.decode(await s.recv(10));
  c.close();
  s.close();
  return r;
}

// A10a-1: only literal hosts were deferred, so bind(("localhost", port)), create_server(("localhost", port)),
// bind(("127.1", port)) and a UDP bind(("localhost", port)) right after such a close raised EADDRINUSE where
// CPython's succeed (a server restarted on "localhost" is the usual program).
test("adversary10a: A10a-1 a bind to a name (localhost, 127.1) right after closing a listener or UDP socket with an accept/receive in flight (CPython twin)", async () => {
  const py = await cpython(
    PY + `
for h in ("localhost", "127.1", ""):
    a = held(); n = socket(); r = [out(lambda: n.bind((h, a[1])))]; n.listen()
    r.append(out(lambda: n.getsockname()[1] == a[1])); r.append(out(lambda: talk(n, ("127.0.0.1", a[1])))); n.close()
    R["bind " + h] = r
a = held(); R["create_server localhost"] = out(lambda: talk(create_server(("localhost", a[1])), ("127.0.0.1", a[1])))
a = held("::1", AF_INET6); n = socket(AF_INET); R["v4 name, port of a v6 listener"] = out(lambda: n.bind(("localhost", a[1]))); n.close()
a = held(); n = socket(AF_INET6); R["v6 socket, v4-only name"] = out(lambda: n.bind(("127.1", a[1]))); n.close()
a = udp_held(); u = socket(AF_INET, SOCK_DGRAM); r = [out(lambda: u.bind(("localhost", a[1])))]
c = socket(AF_INET, SOCK_DGRAM); c.sendto(b"dg", ("127.0.0.1", a[1])); u.settimeout(5); r.append(out(lambda: u.recv(10)))
r.append(out(lambda: u.getsockname() == ("127.0.0.1", a[1]))); R["udp localhost"] = r; u.close(); c.close()
print(json.dumps(R))
`,
  );
  const ts: Record<string, unknown> = {};
  for (const h of ["localhost", "127.1", ""]) {
    const a = await held();
    const n: Loose = socket();
    const r = [await out(() => n.bind([h, a[1]]))];
    n.listen();
    r.push(await out(() => n.getsockname()[1] === a[1]));
    r.push(await out(() => talk(n, ["127.0.0.1", a[1]])));
    n.close();
    ts["bind " + h] = r;
  }
  {
    const a = await held();
    ts["create_server localhost"] = await out(async () => {
      const n = create_server(["localhost", a[1]]);
      try {
        return await talk(n, ["127.0.0.1", a[1]]);
      } finally {
        n.close();
      }
    });
  }
  {
    const a = await held("::1", AF_INET6);
    const n: Loose = socket(AF_INET);
    ts["v4 name, port of a v6 listener"] = await out(() => n.bind(["localhost", a[1]]));
    n.close();
  }
  {
    const a = await held();
    const n: Loose = socket(AF_INET6);
    // 127.1, not localhost: "localhost" for AF_INET6 is v4-only only where /etc/hosts has no ::1 line, and then the
    // lookup asks the DNS server (tests use loopback only). 127.1 is IPv4 on every machine, and no lookup: glibc
    // reads inet_aton's forms before any (EAI_ADDRFAMILY on an AF_INET6 socket, both sides).
    ts["v6 socket, v4-only name"] = await out(() => n.bind(["127.1", a[1]]));
    n.close();
  }
  {
    const a = await udp_held();
    const u: Loose = socket(AF_INET, SOCK_DGRAM);
    const r = [await out(() => u.bind(["localhost", a[1]]))];
    const c: Loose = socket(AF_INET, SOCK_DGRAM);
    await c.sendto(te.encode("dg"), ["127.0.0.1", a[1]]);
    u.settimeout(5);
    r.push(await out(() => u.recv(10)));
    r.push(await out(() => JSON.stringify(u.getsockname()) === JSON.stringify(["127.0.0.1", a[1]])));
    ts["udp localhost"] = r;
    u.close();
    c.close();
  }
  assert.deepEqual(ts, py);
  await sleep(20);
});

// Every call on the stand-in during its deferral turn, as CPython's on a listening socket.
test("adversary10a: calls on a deferred listener during its deferral turn (listen, accept blocking/timed/non-blocking, shutdown, close, detach, selectors, two binds) (CPython twin)", async () => {
  const py = await cpython(
    PY + `
a = held(); n = socket(); n.bind(a); n.listen(5); R["listen(5)"] = [out(lambda: n.getsockname() == a), out(lambda: talk(n, a))]; n.close()
a = held(); n = socket(); n.bind(a); n.listen(); n.setblocking(False); R["non-blocking accept"] = out(lambda: n.accept()); n.close()
a = held(); n = socket(); n.bind(a); n.listen(); n.settimeout(0.05); R["timed accept"] = out(lambda: n.accept()); n.close()
a = held(); n = socket(); n.bind(a); n.listen(); n.settimeout(5)
R["shutdown"] = [out(lambda: n.shutdown(SHUT_RDWR)), out(lambda: n.getsockname() == a), out(lambda: n.accept())]; n.close()
a = held(); n = socket(); n.bind(a); n.listen(); n.close(); k = socket(); R["close, bind again"] = [out(lambda: k.bind(a))]; k.listen(); R["close, bind again"].append(out(lambda: talk(k, a))); k.close()
a = held(); n = socket(); n.bind(a); n.listen(); fd = n.detach(); k = socket(AF_INET, SOCK_STREAM, 0, fd); R["detach, adopt"] = [out(lambda: k.getsockname() == a), out(lambda: talk(k, a))]; k.close()
a = held(); n = socket(); n.bind(a); n.listen(); import selectors as _sel; sel = _sel.DefaultSelector(); sel.register(n, _sel.EVENT_READ)
r = [len(sel.select(0.05))]; c = create_connection(a); r.append(len(sel.select(5))); r.append(len(select.select([n], [], [], 5)[0])); R["selectors"] = r; sel.close(); c.close(); n.close()
a = held(); n = socket(); k = socket(); R["two binds"] = [out(lambda: n.bind(("0.0.0.0", a[1]))), out(lambda: k.bind(a))]; n.close(); k.close()
a = held(); n = socket(); k = socket(); R["same address twice"] = [out(lambda: n.bind(a)), out(lambda: k.bind(a))]; n.close(); k.close()
a = held(); n = socket(AF_INET6); k = socket(); R["other family, same port"] = [out(lambda: n.bind(("::1", a[1]))), out(lambda: k.bind(a))]; n.close(); k.close()
print(json.dumps(R))
`,
  );
  const ts: Record<string, unknown> = {};
  let a = await held();
  let n: Loose = socket();
  n.bind(a);
  n.listen(5);
  ts["listen(5)"] = [
    await out(() => JSON.stringify(n.getsockname()) === JSON.stringify(a)),
    await out(() => talk(n, a)),
  ];
  n.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  n.setblocking(false);
  ts["non-blocking accept"] = await out(() => n.accept());
  n.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  n.settimeout(0.05);
  ts["timed accept"] = await out(() => n.accept());
  n.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  n.settimeout(5);
  ts["shutdown"] = [
    await out(() => n.shutdown(SHUT_RDWR)),
    await out(() => JSON.stringify(n.getsockname()) === JSON.stringify(a)),
    await out(() => n.accept()),
  ];
  n.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  n.close();
  let k: Loose = socket();
  ts["close, bind again"] = [await out(() => k.bind(a))];
  k.listen();
  (ts["close, bind again"] as unknown[]).push(await out(() => talk(k, a)));
  k.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  const fd = n.detach();
  k = socket(AF_INET, m.SOCK_STREAM, 0, fd);
  ts["detach, adopt"] = [
    await out(() => JSON.stringify(k.getsockname()) === JSON.stringify(a)),
    await out(() => talk(k, a)),
  ];
  k.close();
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  const sel = new DefaultSelector();
  sel.register(n, EVENT_READ);
  const r = [(await sel.select(0.05)).length];
  const c = await m.create_connection(a);
  r.push((await sel.select(5)).length);
  r.push((await select([n], [], [], 5))[0].length);
  ts["selectors"] = r;
  sel.close();
  c.close();
  n.close();
  a = await held();
  n = socket();
  k = socket();
  ts["two binds"] = [await out(() => n.bind(["0.0.0.0", a[1]])), await out(() => k.bind(a))];
  n.close();
  k.close();
  a = await held();
  n = socket();
  k = socket();
  ts["same address twice"] = [await out(() => n.bind(a)), await out(() => k.bind(a))];
  n.close();
  k.close();
  a = await held();
  n = socket(AF_INET6);
  k = socket();
  ts["other family, same port"] = [await out(() => n.bind(["::1", a[1]])), await out(() => k.bind(a))];
  n.close();
  k.close();
  assert.deepEqual(ts, py);

  // An accept aborted by a signal during the turn (no CPython counterpart): AbortError, the listener still serves.
  a = await held();
  n = socket();
  n.bind(a);
  n.listen();
  const ac = new AbortController();
  const w = out(() => n.accept({ signal: ac.signal }));
  ac.abort();
  assert.equal((await w)[0], "AbortError");
  assert.equal(await talk(n, a), "hi");
  n.close();
  await sleep(20);
});

// Many rounds, each closing a socket with an accept/receive left in flight by another task (after 0, 1 or a
// few turns) and binding its address at once: every connection and datagram arrives exactly once, no port
// stays held, no rejection is left unhandled (the test's sanitizers), nothing hangs.
test("adversary10a: 40 rounds of close-with-a-waiter then bind at once, TCP v4/v6, Unix stream, UDP, Unix datagram", async () => {
  using dir = new TempDir();
  for (const kind of ["v4", "v6", "unix", "udp", "unixdg"]) {
    const fam = kind === "v6" ? AF_INET6 : kind.startsWith("unix") ? AF_UNIX : AF_INET;
    const dgram = kind === "udp" || kind === "unixdg";
    let addr: Loose = fam === AF_UNIX ? dir.sock(kind) : [kind === "v6" ? "::1" : "127.0.0.1", 0];
    const got: string[] = [];
    for (let i = 0; i < 40; i++) {
      if (fam === AF_UNIX && dgram && i > 0) Deno.removeSync(addr); // the last round's file
      const l: Loose = dgram ? socket(fam, SOCK_DGRAM) : socket(fam);
      l.bind(addr);
      if (!dgram) l.listen();
      addr = l.getsockname();
      const w = (dgram ? l.recvfrom(100) : l.accept()).then(() => "got", (e: Error) => e.name);
      if (i % 3 === 0) await sleep(1);
      else if (i % 3 === 1) await null;
      l.close();
      if (fam === AF_UNIX && dgram) Deno.removeSync(addr); // a datagram socket's file stays, as in CPython
      const n: Loose = dgram ? socket(fam, SOCK_DGRAM) : socket(fam);
      n.bind(addr);
      n.settimeout(5);
      const c: Loose = dgram ? socket(fam, SOCK_DGRAM) : socket(fam);
      c.settimeout(5);
      try {
        if (dgram) {
          await c.sendto(te.encode(`m${i}`), addr);
          got.push(td.decode(await n.recv(10)));
        } else {
          n.listen();
          await c.connect(addr);
          await c.sendall(te.encode(`m${i}`));
          const [s] = await n.accept();
          s.settimeout(5);
          got.push(td.decode(await s.recv(10)));
          s.close();
        }
      } finally {
        c.close();
        n.close();
      }
      assert.equal(typeof await w, "string"); // the old waiter's call settles (no hang)
    }
    assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => `m${i}`), kind);
    if (fam !== AF_UNIX) {
      await sleep(20);
      const p: Loose = dgram ? socket(fam, SOCK_DGRAM) : socket(fam);
      p.bind(addr); // the port is free again
      p.close();
    }
  }
});

// A10a-2: two datagram binds to one address still held a turn (a socket closed with a receive in flight) both
// succeeded, the second failing later at its recv(); CPython's second bind raises EADDRINUSE (unless both set
// SO_REUSEADDR). Stream stand-ins already refused the second.
test("adversary10a: A10a-2 a second datagram bind to an address being released is EADDRINUSE at once, UDP and Unix (CPython twin)", async () => {
  using dir = new TempDir();
  const path = dir.sock("dg");
  const py = await cpython(
    PY + `
P = ${JSON.stringify(path)}
def unix_held():
    u = socket(AF_UNIX, SOCK_DGRAM); u.bind(P); u.settimeout(0.02)
    try: u.recv(10)
    except TimeoutError: pass
    u.close(); os.unlink(P); return P
for name, make, fam, reuse in (("udp", udp_held, AF_INET, 0), ("udp SO_REUSEADDR", udp_held, AF_INET, 1), ("unix", unix_held, AF_UNIX, 0)):
    a = make(); n = socket(fam, SOCK_DGRAM); k = socket(fam, SOCK_DGRAM)
    for x in (n, k): x.setsockopt(SOL_SOCKET, SO_REUSEADDR, reuse)
    r = [out(lambda: n.bind(a)), out(lambda: k.bind(a))]
    c = socket(fam, SOCK_DGRAM); c.sendto(b"one", a); x = k if reuse else n; x.settimeout(5); r.append(out(lambda: x.recv(10)))
    R[name] = r; n.close(); k.close(); c.close()
    if fam == AF_UNIX: os.unlink(P)
print(json.dumps(R))
`,
  );
  const unix_held = async () => {
    const u: Loose = socket(AF_UNIX, SOCK_DGRAM);
    u.bind(path);
    u.settimeout(0.02);
    await u.recv(10).catch((e: Error) => assert.equal(e.name, "TimeoutError"));
    u.close();
    Deno.removeSync(path);
    return path;
  };
  const ts: Record<string, unknown> = {};
  for (
    const [name, make, fam, reuse] of [["udp", udp_held, AF_INET, 0], ["udp SO_REUSEADDR", udp_held, AF_INET, 1], [
      "unix",
      unix_held,
      AF_UNIX,
      0,
    ]] as const
  ) {
    const a = await make();
    const n: Loose = socket(fam, SOCK_DGRAM);
    const k: Loose = socket(fam, SOCK_DGRAM);
    for (const x of [n, k]) x.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, reuse);
    const r = [await out(() => n.bind(a)), await out(() => k.bind(a))];
    const c: Loose = socket(fam, SOCK_DGRAM);
    await c.sendto(te.encode("one"), a);
    const x = reuse ? k : n; // Linux gives a unicast datagram to the last socket bound with SO_REUSEADDR
    x.settimeout(5);
    r.push(await out(() => x.recv(10)));
    ts[name] = r;
    n.close();
    k.close();
    c.close();
    if (fam === AF_UNIX) Deno.removeSync(path);
  }
  assert.deepEqual(ts, py);
});
