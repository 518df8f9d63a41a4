// select.epoll() (pysocket's Epoll) and fileno() numbers everywhere, beside CPython: the same operations print the
// same lines. epoll's constants, errors (EEXIST, ENOENT, EBADF, EINVAL, ValueError, OverflowError, TypeError),
// level-triggered, edge-triggered (EPOLLET: reported again only when bytes arrive) and one-shot reports, maxevents
// and its rotation, EPOLLHUP with mask 0, a socket closed while registered, a closed epoll, `with`/using; then
// select(), selectors, poll() and epoll given `s.fileno()` numbers, unknown numbers, a socket file and a
// socketserver server (objects with fileno()). (rdy9 gaps 1 and 3.)

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import * as selectors from "../selectors.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { sleep, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");

const PY = `
import selectors, socketserver
out = []
def show(label, v): out.append(label + ": " + json.dumps(v, separators=(",", ":")))
def name(e):
    n = type(e).__name__
    return "RangeError" if n in ("ValueError", "OverflowError") else n
def t(label, fn):
    try:
        r = fn()
        show(label, ["ok", r])
    except Exception as e:
        show(label, [name(e), str(e)])
show("constants", {n: getattr(select, n) for n in sorted(dir(select)) if n.startswith("EPOLL")})
a, b = socketpair(); c, d = socketpair()
A, C = a.fileno(), c.fileno()
ep = select.epoll()
show("closed", ep.closed)
t("register", lambda: ep.register(a, select.EPOLLIN))
t("register twice", lambda: ep.register(a, select.EPOLLIN))
t("register twice by number", lambda: ep.register(A, select.EPOLLOUT))
t("register -1", lambda: ep.register(-1))
t("register unknown number", lambda: ep.register(10**9))
t("register EPOLLEXCLUSIVE|EPOLLONESHOT", lambda: ep.register(c, select.EPOLLIN | select.EPOLLEXCLUSIVE | select.EPOLLONESHOT))
t("modify unregistered", lambda: ep.modify(c, select.EPOLLIN))
t("unregister unregistered", lambda: ep.unregister(c))
t("register float mask", lambda: ep.register(c, 1.5))
t("register str", lambda: ep.register("a"))
t("poll maxevents 0", lambda: ep.poll(0, 0))
t("poll maxevents -2", lambda: ep.poll(0, -2))
t("poll str timeout", lambda: ep.poll("a"))
t("poll NaN", lambda: ep.poll(float("nan")))
t("poll 1e30", lambda: ep.poll(1e30))
t("epoll(0)", lambda: select.epoll(0) and None)
t("epoll(-2)", lambda: select.epoll(-2) and None)
t("epoll(flags=1)", lambda: select.epoll(-1, 1) and None)
t("poll idle", lambda: ep.poll(0))
b.send(b"x")
t("level: data", lambda: [[f == A, e] for f, e in ep.poll(1)])
t("level: still", lambda: [[f == A, e] for f, e in ep.poll(0)])
a.recv(10)
ep.unregister(A)
ep.register(a, select.EPOLLIN | select.EPOLLET)
b.send(b"y")
t("edge: data", lambda: [[f == A, e] for f, e in ep.poll(1)])
t("edge: not again", lambda: ep.poll(0.05))
b.send(b"z")
t("edge: more bytes", lambda: [[f == A, e] for f, e in ep.poll(1)])
a.recv(10)
t("edge: drained", lambda: ep.poll(0.05))
b.send(b"w")
t("edge: new bytes after drain", lambda: [[f == A, e] for f, e in ep.poll(1)])
a.recv(10)
ep.modify(a, select.EPOLLOUT | select.EPOLLET)
t("edge OUT", lambda: [[f == A, e] for f, e in ep.poll(1)])
t("edge OUT, not again", lambda: ep.poll(0.05))
b.send(b"v")
t("edge OUT, bytes arrive (not an OUT edge)", lambda: ep.poll(0.05))
a.recv(10)
ep.modify(a, select.EPOLLIN | select.EPOLLONESHOT)
b.send(b"u")
t("oneshot", lambda: [[f == A, e] for f, e in ep.poll(1)])
t("oneshot, disabled", lambda: ep.poll(0.05))
t("oneshot, register again", lambda: ep.register(a, select.EPOLLIN))
ep.modify(a, select.EPOLLIN | select.EPOLLONESHOT)
t("oneshot, re-armed by modify", lambda: [[f == A, e] for f, e in ep.poll(1)])
a.recv(10)
ep.modify(a, select.EPOLLOUT)
ep.register(c, select.EPOLLOUT)
t("maxevents 1", lambda: [[f == A, f == C, e] for f, e in ep.poll(0, 1)])
t("maxevents 1, next", lambda: [[f == A, f == C, e] for f, e in ep.poll(0, 1)])
t("both", lambda: sorted([[f == A, f == C, e] for f, e in ep.poll(0)]))
ep.modify(c, 0)
ep.unregister(a)
d.close()
t("mask 0, peer closed", lambda: [[f == C, e] for f, e in ep.poll(1)])
c.close()
t("registered socket closed", lambda: ep.poll(0.05))
t("unregister closed socket", lambda: ep.unregister(c))
t("unregister its number", lambda: ep.unregister(C))
t("modify its number", lambda: ep.modify(C, 1))
t("fileno is an int", lambda: isinstance(ep.fileno(), int))
ep.close(); ep.close()
show("closed after close", ep.closed)
for label, fn in [("register", lambda: ep.register(a)), ("modify", lambda: ep.modify(a, 1)), ("unregister", lambda: ep.unregister(a)), ("poll", lambda: ep.poll(0)), ("fileno", lambda: ep.fileno())]:
    t("closed epoll " + label, fn)
with select.epoll() as q:
    show("with: open", q.closed)
show("with: closed after", q.closed)
# fileno() numbers everywhere
b.send(b"n")
time.sleep(0.05)
t("select numbers", lambda: [[x == A for x in l] for l in select.select([A, b.fileno()], [b.fileno()], [], 1)])
z = socket(); Z = z.fileno(); z.close()
t("select closed number", lambda: select.select([Z], [], [], 0))
t("select -1", lambda: select.select([-1], [], [], 0))
class F:
    def fileno(self): return A
t("select object with fileno()", lambda: [len(l) for l in select.select([F()], [], [], 1)])
f = a.makefile("rb")
t("select socket file", lambda: [x is f for x in select.select([f], [], [], 1)[0]])
sel = selectors.DefaultSelector()
t("selector register number", lambda: [k.fileobj == A, k.fd == A] if (k := sel.register(A, selectors.EVENT_READ)) else None)
t("selector select", lambda: [[k.fileobj == A, m] for k, m in sel.select(1)])
t("selector get_key number", lambda: sel.get_key(A).fd == A)
t("selector register unknown", lambda: sel.register(10**9, selectors.EVENT_READ) and None)
t("selector unregister number", lambda: sel.unregister(A).fd == A)
g, h = socketpair(); G = g.fileno()
sel.register(G, selectors.EVENT_READ | selectors.EVENT_WRITE)
t("selector, number registered", lambda: [[k.fd == G, m] for k, m in sel.select(1)])
g.close()
t("selector, its socket closed", lambda: sel.select(0.05))
t("selector, unregister it", lambda: sel.unregister(G).fd == G)
h.close()
sel.close()
k, m = socketpair(); K = k.fileno(); K2 = k.detach()
t("detach keeps the number", lambda: K == K2)
t("select detached number", lambda: [[x == K for x in l] for l in select.select([], [K], [], 1)])
kk = socket(fileno=K)
t("adopted, select", lambda: [[x is kk for x in l] for l in select.select([], [kk], [], 1)])
kk.close(); m.close()
t("select adopted number after close", lambda: select.select([K], [], [], 0))
p = select.poll()
p.register(A, select.POLLIN)
p.register(10**9, select.POLLIN)
t("poll numbers", lambda: [[fd == A, fd == 10**9, e] for fd, e in p.poll(1000)])
q = select.epoll()
t("epoll register number", lambda: q.register(A, select.EPOLLIN))
t("epoll poll", lambda: [[fd == A, e] for fd, e in q.poll(1)])
a.recv(10)
srv = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
cl = create_connection(srv.server_address)
t("select a socketserver server", lambda: [x is srv for x in select.select([srv], [], [], 1)[0]])
t("epoll a socketserver server", lambda: [[fd == srv.fileno(), e] for fd, e in (q.register(srv, select.EPOLLIN), q.poll(1))[1]])
cl.close(); srv.server_close()
f.close(); a.close()
t("select closed number, after", lambda: select.select([A], [], [], 0))
t("poll closed number", lambda: [[fd == A, e] for fd, e in p.poll(0)])
print(json.dumps(out))
`;

type Fn = () => unknown;

async function ts_twin(): Promise<string[]> {
  const out: string[] = [];
  const show = (label: string, v: unknown) => out.push(`${label}: ${JSON.stringify(v)}`);
  const t = async (label: string, fn: Fn) => {
    try {
      const r = await fn();
      show(label, ["ok", r ?? null]);
    } catch (e) {
      show(label, [(e as Error).name, (e as Error).message]);
    }
  };
  const consts: Record<string, number> = {};
  for (const n of Object.keys(select).filter((n) => n.startsWith("EPOLL")).sort()) {
    consts[n] = (select as unknown as Record<string, number>)[n]!;
  }
  show("constants", consts);
  const [a, b] = await socket.socketpair();
  const [c, d] = await socket.socketpair();
  const A = a.fileno(), C = c.fileno();
  const ep = select.epoll();
  show("closed", ep.closed);
  await t("register", () => ep.register(a, select.EPOLLIN));
  await t("register twice", () => ep.register(a, select.EPOLLIN));
  await t("register twice by number", () => ep.register(A, select.EPOLLOUT));
  await t("register -1", () => ep.register(-1));
  await t("register unknown number", () => ep.register(1e9));
  await t(
    "register EPOLLEXCLUSIVE|EPOLLONESHOT",
    () => ep.register(c, select.EPOLLIN | select.EPOLLEXCLUSIVE | select.EPOLLONESHOT),
  );
  await t("modify unregistered", () => ep.modify(c, select.EPOLLIN));
  await t("unregister unregistered", () => ep.unregister(c));
  await t("register float mask", () => ep.register(c, 1.5));
  await t("register str", () => ep.register("a" as unknown as number));
  await t("poll maxevents 0", () => ep.poll(0, 0));
  await t("poll maxevents -2", () => ep.poll(0, -2));
  await t("poll str timeout", () => ep.poll("a" as unknown as number));
  await t("poll NaN", () => ep.poll(NaN));
  await t("poll 1e30", () => ep.poll(1e30));
  await t("epoll(0)", () => void select.epoll(0));
  await t("epoll(-2)", () => void select.epoll(-2));
  await t("epoll(flags=1)", () => void select.epoll(-1, 1));
  await t("poll idle", () => ep.poll(0));
  const one = (f: number, e: number) => [f === A, e];
  const two = (f: number, e: number) => [f === A, f === C, e];
  await b.send(new Uint8Array([1]));
  await t("level: data", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await t("level: still", async () => (await ep.poll(0)).map(([f, e]) => one(f, e)));
  await a.recv(10);
  ep.unregister(A);
  ep.register(a, select.EPOLLIN | select.EPOLLET);
  await b.send(new Uint8Array([1]));
  await t("edge: data", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await t("edge: not again", () => ep.poll(0.05));
  await b.send(new Uint8Array([1]));
  await t("edge: more bytes", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await a.recv(10);
  await t("edge: drained", () => ep.poll(0.05));
  await b.send(new Uint8Array([1]));
  await t("edge: new bytes after drain", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await a.recv(10);
  ep.modify(a, select.EPOLLOUT | select.EPOLLET);
  await t("edge OUT", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await t("edge OUT, not again", () => ep.poll(0.05));
  await b.send(new Uint8Array([1]));
  await t("edge OUT, bytes arrive (not an OUT edge)", () => ep.poll(0.05));
  await a.recv(10);
  ep.modify(a, select.EPOLLIN | select.EPOLLONESHOT);
  await b.send(new Uint8Array([1]));
  await t("oneshot", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await t("oneshot, disabled", () => ep.poll(0.05));
  await t("oneshot, register again", () => ep.register(a, select.EPOLLIN));
  ep.modify(a, select.EPOLLIN | select.EPOLLONESHOT);
  await t("oneshot, re-armed by modify", async () => (await ep.poll(1)).map(([f, e]) => one(f, e)));
  await a.recv(10);
  ep.modify(a, select.EPOLLOUT);
  ep.register(c, select.EPOLLOUT);
  await t("maxevents 1", async () => (await ep.poll(0, 1)).map(([f, e]) => two(f, e)));
  await t("maxevents 1, next", async () => (await ep.poll(0, 1)).map(([f, e]) => two(f, e)));
  await t("both", async () => (await ep.poll(0)).map(([f, e]) => two(f, e)).sort());
  ep.modify(c, 0);
  ep.unregister(a);
  d.close();
  await t("mask 0, peer closed", async () => (await ep.poll(1)).map(([f, e]) => [f === C, e]));
  c.close();
  await t("registered socket closed", () => ep.poll(0.05));
  await t("unregister closed socket", () => ep.unregister(c));
  await t("unregister its number", () => ep.unregister(C));
  await t("modify its number", () => ep.modify(C, 1));
  await t("fileno is an int", () => Number.isInteger(ep.fileno()));
  ep.close();
  ep.close();
  show("closed after close", ep.closed);
  for (
    const [label, fn] of [
      ["register", () => ep.register(a)],
      ["modify", () => ep.modify(a, 1)],
      ["unregister", () => ep.unregister(a)],
      ["poll", () => ep.poll(0)],
      ["fileno", () => ep.fileno()],
    ] as [string, Fn][]
  ) await t("closed epoll " + label, fn);
  let q0: select.Epoll;
  {
    using q = select.epoll();
    q0 = q;
    show("with: open", q.closed);
  }
  show("with: closed after", q0.closed);
  // fileno() numbers everywhere
  await b.send(new Uint8Array([1]));
  await sleep(50);
  const N = (n: number) => n as unknown as socket.Socket;
  await t(
    "select numbers",
    async () =>
      (await select.select([N(A), N(b.fileno())], [N(b.fileno())], [], 1)).map((l) =>
        l.map((x) => (x as unknown) === A)
      ),
  );
  const z = socket.socket();
  const Z = z.fileno();
  z.close();
  await t("select closed number", () => select.select([N(Z)], [], [], 0));
  await t("select -1", () => select.select([N(-1)], [], [], 0));
  const F = { fileno: () => A } as unknown as socket.Socket;
  await t("select object with fileno()", async () => (await select.select([F], [], [], 1)).map((l) => l.length));
  const f = a.makefile("rb");
  await t(
    "select socket file",
    async () => (await select.select([f as unknown as socket.Socket], [], [], 1))[0].map((x) => (x as unknown) === f),
  );
  const sel = new selectors.DefaultSelector();
  await t("selector register number", () => {
    const k = sel.register(A, selectors.EVENT_READ);
    return [k.fileobj === A, k.fd === A];
  });
  await t("selector select", async () => (await sel.select(1)).map(([k, m]) => [k.fileobj === A, m]));
  await t("selector get_key number", () => sel.get_key(A).fd === A);
  await t("selector register unknown", () => void sel.register(1e9, selectors.EVENT_READ));
  await t("selector unregister number", () => sel.unregister(A).fd === A);
  const [g, h] = await socket.socketpair();
  const G = g.fileno();
  sel.register(G, selectors.EVENT_READ | selectors.EVENT_WRITE);
  await t("selector, number registered", async () => (await sel.select(1)).map(([k, m]) => [k.fd === G, m]));
  g.close();
  await t("selector, its socket closed", () => sel.select(0.05));
  await t("selector, unregister it", () => sel.unregister(G).fd === G);
  h.close();
  sel.close();
  const [k, m] = await socket.socketpair();
  const K = k.fileno(), K2 = k.detach();
  await t("detach keeps the number", () => K === K2);
  await t(
    "select detached number",
    async () => (await select.select([], [N(K)], [], 1)).map((l) => l.map((x) => (x as unknown) === K)),
  );
  const kk = socket.socket(undefined, undefined, undefined, K);
  await t("adopted, select", async () => (await select.select([], [kk], [], 1)).map((l) => l.map((x) => x === kk)));
  kk.close();
  m.close();
  await t("select adopted number after close", () => select.select([N(K)], [], [], 0));
  const p = select.poll();
  p.register(A, select.POLLIN);
  p.register(1e9, select.POLLIN);
  await t("poll numbers", async () => (await p.poll(1000)).map(([fd, e]) => [fd === A, fd === 1e9, e]));
  const q = select.epoll();
  await t("epoll register number", () => q.register(A, select.EPOLLIN));
  await t("epoll poll", async () => (await q.poll(1)).map(([fd, e]) => [fd === A, e]));
  await a.recv(10);
  const srv = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
  const cl = await socket.create_connection(srv.server_address as [string, number]);
  const S = srv as unknown as socket.Socket;
  await t("select a socketserver server", async () => (await select.select([S], [], [], 1))[0].map((x) => x === S));
  await t("epoll a socketserver server", async () => {
    q.register(S, select.EPOLLIN);
    return (await q.poll(1)).map(([fd, e]) => [fd === srv.fileno(), e]);
  });
  cl.close();
  srv.server_close();
  q.close();
  await f.close();
  a.close();
  await t("select closed number, after", () => select.select([N(A)], [], [], 0));
  await t("poll closed number", async () => (await p.poll(0)).map(([fd, e]) => [fd === A, e]));
  b.close();
  return out;
}

test("select.epoll() and fileno() numbers in select/selectors/poll/epoll behave as CPython's", async () => {
  const py = await cpython(PY);
  const ts = await ts_twin();
  assert.deepEqual(ts, py);
});

test("select(), selectors, poll() and epoll() on socket objects leave the number table alone; fileno() fills it, close() and detach() empty it", async () => {
  const { fd_object } = await import("../_fdmap.ts");
  const [a, b] = await socket.socketpair();
  await select.select([a], [a], [a], 0);
  using sel = new selectors.DefaultSelector();
  const n = sel.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE).fd;
  await sel.select(0);
  const p = select.poll();
  p.register(a);
  await p.poll(0);
  using ep = select.epoll();
  ep.register(a);
  await ep.poll(0);
  assert.equal(fd_object(n), undefined, "pysocket's own fileno() calls put the socket in the table");
  assert.equal(a.fileno(), n);
  assert.equal(fd_object(n), a);
  const m = a.detach();
  assert.equal(m, n);
  assert.notEqual(fd_object(n), a);
  const adopted = socket.socket(undefined, undefined, undefined, n);
  assert.equal(fd_object(n), adopted);
  adopted.close();
  assert.equal(fd_object(n), undefined);
  // A number given by detach() (the socket's fileno() never asked) names the detached socket too.
  const [c, d] = await socket.socketpair();
  const cn = c.detach();
  assert.deepEqual(await select.select([], [cn], [], 1), [[], [cn], []]);
  socket.close(cn);
  await assert.rejects(select.select([cn], [], [], 0), /\[Errno 9\]/);
  d.close();
  b.close();
});

test("Types: select(), a selector, poll() and epoll() take numbers and objects with fileno() without a cast", async () => {
  const [a, b] = await socket.socketpair();
  const srv = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
  const f = a.makefile("rb");
  const [r, w] = await select.select([a.fileno(), srv, f], [b.fileno()], [], 0);
  assert.deepEqual([r.length, w], [0, [b.fileno()]]);
  using sel = new selectors.DefaultSelector();
  sel.register(srv, selectors.EVENT_READ);
  const p = select.poll();
  p.register(f);
  using ep = select.epoll();
  ep.register(srv, select.EPOLLIN);
  assert.deepEqual(await p.poll(0), [[a.fileno(), select.POLLOUT]]);
  await f.close();
  srv.server_close();
  a.close();
  b.close();
});
