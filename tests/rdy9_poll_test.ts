// poll() and epoll() report Linux's events (POLLHUP, POLLERR, POLLRDHUP, POLLWRBAND beside POLLIN/POLLOUT), beside
// CPython's select.poll() on the same scenarios: plain, TLS-free streams of the three families, listeners, fresh
// sockets, half and full shutdowns both ways, a peer's close, a reset (a close with unread bytes) before and after
// recv raised it, masks without POLLIN, datagram sockets. One line per scenario, the events by name (rdy9 gap 2).
// Each side waits for a read to see the peer's end before it looks (pysocket knows an EOF or a reset once a read
// has seen it: the first poll arms that read).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { sleep, TempDir, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");

const NAMES = [
  "POLLIN",
  "POLLPRI",
  "POLLOUT",
  "POLLERR",
  "POLLHUP",
  "POLLNVAL",
  "POLLRDNORM",
  "POLLRDBAND",
  "POLLWRNORM",
  "POLLWRBAND",
  "POLLMSG",
  "POLLRDHUP",
] as const;

/** python3: the events poll()/epoll() report for a socket, as names (`IN|OUT|HUP`), `-` for none. */
const PY_EV = `
ALL = 0xffff
NAMES = ${JSON.stringify(NAMES)}
def names(m):
    return "|".join(n[4:] for n in NAMES if m & getattr(select, n)) or "-"
def ev(s, mask=ALL, use_epoll=False):
    if use_epoll:
        e = select.epoll(); e.register(s, mask); r = e.poll(0.1); e.close()
    else:
        p = select.poll(); p.register(s, mask); r = p.poll(100)
    return names(r[0][1]) if r else "-"
`;

const PY_SCENARIOS = `${PY_EV}def pairf(fam):
    a = os.path.join(tempfile.mkdtemp(), "s") if fam == AF_UNIX else (("::1", 0) if fam == AF_INET6 else ("127.0.0.1", 0))
    l = socket(fam); l.bind(a); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
out = []
def show(label, v): out.append(label + " " + v)
def settle(): time.sleep(0.1)
for fam in FAMS:
    f = str(fam) + " "
    s = socket(fam); show(f + "fresh", ev(s)); s.close()
    l = socket(fam)
    l.bind(os.path.join(tempfile.mkdtemp(), "s") if fam == AF_UNIX else ("::1" if fam == AF_INET6 else "127.0.0.1", 0))
    l.listen()
    show(f + "listener idle", ev(l))
    c = socket(fam); c.connect(l.getsockname()); settle()
    show(f + "listener with a client waiting", ev(l))
    a, _ = l.accept(); l.close()
    show(f + "connected", ev(a))
    c.send(b"x"); settle(); show(f + "data waiting", ev(a)); a.recv(10)
    c.shutdown(SHUT_WR); settle(); show(f + "peer SHUT_WR", ev(a)); show(f + "after own SHUT_WR", ev(c))
    a.shutdown(SHUT_WR); settle(); show(f + "peer EOF, then own SHUT_WR", ev(a)); show(f + "own SHUT_WR, then peer EOF", ev(c))
    a.close(); c.close()
    c, a = pairf(fam); c.close(); settle(); show(f + "peer closed", ev(a))
    show(f + "peer closed, mask 0", ev(a, 0)); show(f + "peer closed, POLLOUT", ev(a, select.POLLOUT))
    show(f + "peer closed, POLLIN|POLLRDHUP", ev(a, select.POLLIN | select.POLLRDHUP))
    show(f + "peer closed, epoll", ev(a, ALL, True)); a.close()
    c, a = pairf(fam); a.shutdown(SHUT_RD); show(f + "own SHUT_RD", ev(a)); a.shutdown(SHUT_WR); show(f + "own SHUT_RD, SHUT_WR", ev(a)); c.close(); a.close()
    c, a = pairf(fam); a.shutdown(SHUT_RDWR); show(f + "own SHUT_RDWR", ev(a)); settle(); show(f + "peer of own SHUT_RDWR", ev(c)); c.close(); a.close()
    c, a = pairf(fam); a.send(b"unread"); settle(); c.close(); settle(); show(f + "reset", ev(a))
    try:
        a.recv(10); show(f + "recv after reset", "no error")
    except OSError as e:
        show(f + "recv after reset", type(e).__name__)
    show(f + "reset, after recv raised", ev(a)); a.close()
for fam in DFAMS:
    u = socket(fam, SOCK_DGRAM); show(str(fam) + " datagram fresh", ev(u))
    u.bind(os.path.join(tempfile.mkdtemp(), "d") if fam == AF_UNIX else ("::1" if fam == AF_INET6 else "127.0.0.1", 0))
    show(str(fam) + " datagram bound", ev(u))
    u.sendto(b"x", u.getsockname()); settle(); show(str(fam) + " datagram queued", ev(u)); u.close()
x, y = socketpair(); show("socketpair", ev(x)); y.close(); settle(); show("socketpair, peer closed", ev(x))
print(json.dumps(out))
`;

/** A peer that connects, waits, then closes with unread bytes (a reset). */
const RESETTER = `
import json, sys, time
from socket import *
fam, addr = json.loads(sys.argv[1]), json.loads(sys.argv[2])
s = socket(fam); s.connect(addr if fam == AF_UNIX else tuple(addr)); time.sleep(0.3); s.close()
`;

function names(m: number): string {
  return NAMES.filter((n) => m & select[n]).map((n) => n.slice(4)).join("|") || "-";
}

/** The events of one look, as the twin's ev(): the first look arms the read that sees the peer's end. */
async function ev(s: socket.Socket, mask = 0xffff, use_epoll = false): Promise<string> {
  let r: [number, number][];
  if (use_epoll) {
    using e = select.epoll();
    e.register(s, mask);
    r = await e.poll(0.1);
  } else {
    const p = select.poll();
    p.register(s, mask);
    r = await p.poll(100);
  }
  return r.length ? names(r[0]![1]) : "-";
}

async function pairf(fam: number, dir: TempDir): Promise<[socket.Socket, socket.Socket]> {
  const l = socket.socket(fam);
  l.bind(fam === socket.AF_UNIX ? dir.sock() : [fam === socket.AF_INET6 ? "::1" : "127.0.0.1", 0]);
  l.listen();
  const c = socket.socket(fam);
  await c.connect(l.getsockname());
  const [s] = await l.accept();
  l.close();
  return [c, s];
}

/** Let a read armed by an earlier look see what the peer did (Linux knows at once; pysocket once a read saw it). */
async function settle(...socks: socket.Socket[]): Promise<void> {
  await sleep(20);
  for (const s of socks) {
    const p = select.poll();
    p.register(s, 0);
    await p.poll(0);
  }
  await sleep(80);
}

async function ts_twin(fams: number[], dfams: number[]): Promise<string[]> {
  const out: string[] = [];
  const show = (label: string, v: string) => out.push(`${label} ${v}`);
  using dir = new TempDir();
  for (const fam of fams) {
    const f = `${fam} `;
    const s = socket.socket(fam);
    show(f + "fresh", await ev(s));
    s.close();
    const l = socket.socket(fam);
    l.bind(fam === socket.AF_UNIX ? dir.sock() : [fam === socket.AF_INET6 ? "::1" : "127.0.0.1", 0]);
    l.listen();
    show(f + "listener idle", await ev(l));
    const c = socket.socket(fam);
    await c.connect(l.getsockname());
    await settle(l);
    show(f + "listener with a client waiting", await ev(l));
    let [a] = await l.accept();
    l.close();
    show(f + "connected", await ev(a));
    await c.send(new Uint8Array([0x78]));
    await settle(a);
    show(f + "data waiting", await ev(a));
    await a.recv(10);
    await c.shutdown(socket.SHUT_WR);
    await settle(a);
    show(f + "peer SHUT_WR", await ev(a));
    show(f + "after own SHUT_WR", await ev(c));
    await a.shutdown(socket.SHUT_WR);
    await settle(c);
    show(f + "peer EOF, then own SHUT_WR", await ev(a));
    show(f + "own SHUT_WR, then peer EOF", await ev(c));
    a.close();
    c.close();
    let [c2, a2] = await pairf(fam, dir);
    c2.close();
    await settle(a2);
    show(f + "peer closed", await ev(a2));
    show(f + "peer closed, mask 0", await ev(a2, 0));
    show(f + "peer closed, POLLOUT", await ev(a2, select.POLLOUT));
    show(f + "peer closed, POLLIN|POLLRDHUP", await ev(a2, select.POLLIN | select.POLLRDHUP));
    show(f + "peer closed, epoll", await ev(a2, 0xffff, true));
    a2.close();
    [c2, a2] = await pairf(fam, dir);
    await a2.shutdown(socket.SHUT_RD);
    show(f + "own SHUT_RD", await ev(a2));
    await a2.shutdown(socket.SHUT_WR);
    show(f + "own SHUT_RD, SHUT_WR", await ev(a2));
    c2.close();
    a2.close();
    [c2, a2] = await pairf(fam, dir);
    await a2.shutdown(socket.SHUT_RDWR);
    show(f + "own SHUT_RDWR", await ev(a2));
    await settle(c2);
    show(f + "peer of own SHUT_RDWR", await ev(c2));
    c2.close();
    a2.close();
    // The peer closes with unread bytes: Linux resets the connection. The peer is python3 (a Deno connection
    // closed with unread bytes sends a FIN, not a reset).
    const rl = socket.socket(fam);
    rl.bind(fam === socket.AF_UNIX ? dir.sock() : [fam === socket.AF_INET6 ? "::1" : "127.0.0.1", 0]);
    rl.listen();
    const where = rl.getsockname();
    const child = new Deno.Command("python3", {
      args: ["-c", RESETTER, JSON.stringify(fam), JSON.stringify(where)],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    [a] = await rl.accept();
    rl.close();
    await a.send(new TextEncoder().encode("unread"));
    assert.equal((await child.status).code, 0);
    await settle(a);
    show(f + "reset", await ev(a));
    try {
      await a.recv(10);
      show(f + "recv after reset", "no error");
    } catch (e) {
      show(f + "recv after reset", (e as Error).name);
    }
    show(f + "reset, after recv raised", await ev(a));
    a.close();
  }
  for (const fam of dfams) {
    const u = socket.socket(fam, socket.SOCK_DGRAM);
    show(`${fam} datagram fresh`, await ev(u));
    u.bind(fam === socket.AF_UNIX ? dir.sock() : [fam === socket.AF_INET6 ? "::1" : "127.0.0.1", 0]);
    show(`${fam} datagram bound`, await ev(u));
    await u.sendto(new Uint8Array([1]), u.getsockname());
    await settle(u);
    show(`${fam} datagram queued`, await ev(u));
    u.close();
  }
  const [x, y] = await socket.socketpair();
  show("socketpair", await ev(x));
  y.close();
  await settle(x);
  show("socketpair, peer closed", await ev(x));
  x.close();
  return out;
}

test("poll()/epoll() report POLLHUP, POLLERR, POLLRDHUP and POLLWRBAND as CPython's select.poll() on Linux", async () => {
  const fams = [socket.AF_INET, socket.AF_INET6, socket.AF_UNIX];
  const dfams = [socket.AF_INET, socket.AF_INET6];
  const py = await cpython(`FAMS = ${JSON.stringify(fams)}\nDFAMS = ${JSON.stringify(dfams)}\n` + PY_SCENARIOS);
  const ts = await ts_twin(fams, dfams);
  // The one difference (docs/limits.md): an AF_UNIX peer's shutdown(SHUT_WR) reads as its close (an EOF either
  // way), so pysocket adds POLLHUP where Linux reports the half-close without it.
  const expected = (py as string[]).map((line) =>
    line.startsWith(`${socket.AF_UNIX} peer SHUT_WR `) ? line.replace("|OUT|", "|OUT|HUP|") : line
  );
  assert.deepEqual(ts, expected);
});

const PY_TLS = `${PY_EV}import ssl
d = sys.argv[1]
cc = ssl.create_default_context(cafile=d + "/ca.pem")
sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sc.load_cert_chain(d + "/server.pem", d + "/server.key")
out = []
def show(label, v): out.append(label + " " + v)
def tls_pair():
    l = create_server(("127.0.0.1", 0))
    c = create_connection(l.getsockname()); a, _ = l.accept(); l.close()
    t = threading.Thread(target=lambda: out_srv.append(sc.wrap_socket(a, server_side=True)))
    out_srv = []; t.start()
    w = cc.wrap_socket(c, server_hostname="localhost"); t.join()
    return w, out_srv[0]
w, s = tls_pair()
time.sleep(0.1)
show("TLS connected", ev(s)); show("TLS connected, epoll", ev(s, ALL, True))
w.sendall(b"hello"); time.sleep(0.1); show("TLS data waiting", ev(s)); s.recv(10)
s.sendall(b"k"); w.recv(10)  # (the client reads the session tickets: its close is then a FIN, not a reset)
w.close(); time.sleep(0.1); show("TLS peer closed", ev(s)); show("TLS peer closed, mask 0", ev(s, 0))
s.close()
w, s = tls_pair()
s.shutdown(SHUT_RDWR); show("TLS own SHUT_RDWR", ev(s)); w.close(); s.close()
print(json.dumps(out))
`;

async function ts_tls(d: string): Promise<string[]> {
  const ssl = await import("../ssl.ts");
  const cc = ssl.create_default_context({ cafile: `${d}/ca.pem` });
  const sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sc.load_cert_chain(`${d}/server.pem`, `${d}/server.key`);
  const out: string[] = [];
  const show = (label: string, v: string) => out.push(`${label} ${v}`);
  const tls_pair = async () => {
    const l = socket.create_server(["127.0.0.1", 0]);
    const c = await socket.create_connection(l.getsockname() as [string, number]);
    const [a] = await l.accept();
    l.close();
    const [w, s] = await Promise.all([
      cc.wrap_socket(c, { server_hostname: "localhost" }),
      sc.wrap_socket(a, { server_side: true }),
    ]);
    return [w, s] as const;
  };
  let [w, s] = await tls_pair();
  await sleep(100);
  show("TLS connected", await ev(s));
  show("TLS connected, epoll", await ev(s, 0xffff, true));
  await w.sendall(new TextEncoder().encode("hello"));
  await settle(s);
  show("TLS data waiting", await ev(s));
  await s.recv(10);
  await s.sendall(new TextEncoder().encode("k"));
  await w.recv(10);
  w.close();
  await settle(s);
  show("TLS peer closed", await ev(s));
  show("TLS peer closed, mask 0", await ev(s, 0));
  s.close();
  [w, s] = await tls_pair();
  await s.shutdown(socket.SHUT_RDWR);
  show("TLS own SHUT_RDWR", await ev(s));
  w.close();
  s.close();
  return out;
}

test("poll()/epoll() report a TLS socket's events as CPython's on the same TLS scenarios", async () => {
  const { make_certs } = await import("./_ssl_fixtures.ts");
  const certs = await make_certs();
  const py = await cpython(`sys.argv = ["x", ${JSON.stringify(certs.dir)}]\n` + PY_TLS);
  assert.deepEqual(await ts_tls(certs.dir), py);
});
