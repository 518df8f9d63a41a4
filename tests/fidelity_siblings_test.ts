// Siblings of today's fixes (issue 14), found by probing scenario by scenario
// against python3: the same state changes and callers across families,
// socket origins (socket()/accept()/socketpair()), readers (recv, makefile,
// select, DefaultSelector) and datagram sockets. Each test runs its CPython
// twin in the same test; every wait is bounded.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";
import { HAS_IPV6, lone_v4, missing, sleep } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const td = new TextDecoder();
const no_python = missing("python3");

/** What a call gave: ["ok", value] (bytes as text) or [class, errno, str(e)], as the twin's res(). */
function conv(r: unknown): unknown {
  if (r instanceof Uint8Array) return td.decode(r);
  if (Array.isArray(r)) return r.map(conv);
  return r ?? null;
}
async function res(fn: () => unknown, ms = 5000): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<string>((r) => timer = setTimeout(() => r("HANG"), ms));
  try {
    return await Promise.race([
      (async () => {
        try {
          return ["ok", conv(await fn())];
        } catch (e) {
          const o = e as { name: string; errno?: number; message: string };
          return [o.name, o.errno ?? null, o.message];
        }
      })(),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const PY_RES = `
def res(fn):
    try:
        r = fn()
        if isinstance(r, bytes): return ["ok", r.decode()]
        if isinstance(r, tuple): return ["ok", [x.decode() if isinstance(x, bytes) else x for x in r]]
        return ["ok", r]
    except Exception as e:
        return [type(e).__name__, getattr(e, "errno", None), str(e)]
`;

const KINDS = ["inet", ...(HAS_IPV6 ? ["inet6"] : []), "unix", "socketpair"];

/** A connected stream pair of `kind`: [client, server side]. */
async function stream_pair(kind: string, dir: string): Promise<[Socket, Socket]> {
  if (kind === "socketpair") return await socketpair() as [Socket, Socket];
  const fam = kind === "inet" ? AF_INET : kind === "inet6" ? AF_INET6 : AF_UNIX;
  const l = socket(fam);
  try {
    l.bind((fam === AF_UNIX ? `${dir}/s${Math.random()}` : [fam === AF_INET ? "127.0.0.1" : "::1", 0]) as never);
    l.listen();
    const c = socket(fam);
    await c.connect(l.getsockname() as never);
    const [s] = await l.accept();
    return [c, s];
  } finally {
    l.close();
  }
}

Deno.test({
  name:
    "Every stream reader (recv, recv_into, recvfrom, makefile read/readline/read1, select, DefaultSelector) is woken by every state change, for AF_INET/AF_INET6/AF_UNIX and socketpair() sockets (CPython twin)",
  ignore: no_python,
  async fn() {
    // The twin runs beside pysocket's side.
    const twin = cpython(
      PY_RES + `
import selectors
def spair(kind):
    if kind == "socketpair": return socketpair()
    fam = {"inet": AF_INET, "inet6": AF_INET6, "unix": AF_UNIX}[kind]
    a = os.path.join(tempfile.mkdtemp(), "s") if fam == AF_UNIX else ("127.0.0.1" if fam == AF_INET else "::1", 0)
    l = socket(fam); l.bind(a); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
out = {}
def row(kind, ev):
  if True:
    c, s = spair(kind)
    R = {}
    f = s.makefile("rb")
    sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)
    W = {
      "recv": lambda: s.recv(10), "recv_into": lambda: s.recv_into(bytearray(10)), "recvfrom": lambda: s.recvfrom(10),
      "mf_read": lambda: f.read(5), "mf_readline": lambda: f.readline(), "mf_read1": lambda: f.read1(5),
      "select": lambda: len(select.select([s], [], [], 10)[0]), "sel": lambda: [m for k, m in sel.select(10)],
    }
    ts = [threading.Thread(target=lambda k=k, fn=fn: R.setdefault(k, res(fn)), daemon=True) for k, fn in W.items()]
    for t in ts: t.start()
    time.sleep(0.2)
    if ev == "shut_rd": s.shutdown(SHUT_RD)
    elif ev == "shut_rdwr": s.shutdown(SHUT_RDWR)
    elif ev == "peer_wr": c.shutdown(SHUT_WR)
    else: c.close()
    for t in ts: t.join(5)
    out[f"{kind}/{ev}"] = {k: R.get(k, "HANG") for k in W}
    out[f"{kind}/{ev}/recv_after"] = res(lambda: s.recv(10))
    sel.close(); c.close(); s.close()
# The rows are independent (a pair each) and mostly wait (0.2 s before the change): all at once.
rows = [threading.Thread(target=row, args=(kind, ev)) for kind in ${JSON.stringify(KINDS)}
        for ev in ["shut_rd", "shut_rdwr", "peer_wr", "peer_close"]]
for t in rows: t.start()
for t in rows: t.join(30)
print(json.dumps(out))
`,
    );
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-" });
    const ours: Record<string, unknown> = {};
    try {
      // The rows are independent (a pair each) and mostly wait (200 ms before the change): all at once.
      const rows = KINDS.flatMap((kind) =>
        ["shut_rd", "shut_rdwr", "peer_wr", "peer_close"].map((ev) => [kind, ev] as const)
      );
      await Promise.all(rows.map(async ([kind, ev]) => {
        {
          const [c, s] = await stream_pair(kind, dir);
          const f = s.makefile("rb");
          const sel = new DefaultSelector();
          sel.register(s, EVENT_READ);
          const W: Record<string, () => unknown> = {
            recv: () => s.recv(10),
            recv_into: () => s.recv_into(new Uint8Array(10)),
            recvfrom: () => s.recvfrom(10),
            mf_read: () => f.read(5),
            mf_readline: () => f.readline(),
            mf_read1: () => f.read1(5),
            select: async () => (await select([s], [], [], 10))[0].length,
            sel: async () => (await sel.select(10)).map(([, m]) => m),
          };
          const R: Record<string, unknown> = {};
          const all = Promise.all(Object.entries(W).map(async ([k, fn]) => R[k] = await res(fn)));
          await sleep(200);
          if (ev === "shut_rd") await s.shutdown(SHUT_RD);
          else if (ev === "shut_rdwr") await s.shutdown(SHUT_RDWR);
          else if (ev === "peer_wr") await c.shutdown(SHUT_WR);
          else c.close();
          await all;
          ours[`${kind}/${ev}`] = Object.fromEntries(Object.keys(W).map((k) => [k, R[k]]));
          ours[`${kind}/${ev}/recv_after`] = await res(() => s.recv(10));
          sel.close();
          c.close();
          s.close();
        }
      }));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
    assert.deepEqual(ours, await twin);
  },
});

const DGRAM_KINDS = ["udp4", ...(HAS_IPV6 ? ["udp6"] : []), "unix"];
const HAS_DGRAM = typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function";

// Finding F1 (socket.ts, owner still at work): Socket.shutdown() of a datagram
// socket only checks for a peer (ENOTCONN) and returns; nothing is shut. The
// engine side is done (_dgram.ts DgramEngine.shutdown, _engine.ts contract):
// socket.ts must replace its `if (this.#dgram) { ... }` block in shutdown() by
// `if (this.#dgram) return this.#dgram.shutdown(h);`, then drop `ignore` here.
const F1_WIRED = true;
Deno.test({
  name:
    "Datagram shutdown(): SHUT_RD wakes recv/recvfrom/recv_into/select/DefaultSelector, SHUT_WR makes sends raise EPIPE, unconnected UDP raises ENOTCONN but still wakes, AF_UNIX never raises (CPython twin)",
  ignore: (() => {
    if (no_python || !HAS_DGRAM) return true;
    if (!F1_WIRED) {
      console.log("ignored: finding F1, socket.ts shutdown() does not call the datagram engine's shutdown() yet");
    }
    return !F1_WIRED;
  })(),
  async fn() {
    // The twin runs beside pysocket's side.
    const twin = cpython(
      PY_RES + `
import selectors
out = {}
n = [0]
def addr(kind, d):
    n[0] += 1
    return ("127.0.0.1", 0) if kind == "udp4" else ("::1", 0) if kind == "udp6" else os.path.join(d, "r%d" % n[0])
for kind in ${JSON.stringify(DGRAM_KINDS)}:
    fam = {"udp4": AF_INET, "udp6": AF_INET6, "unix": AF_UNIX}[kind]
    d = tempfile.mkdtemp()
    s = socket(fam, SOCK_DGRAM)
    out[f"{kind}/fresh_shut_rd"] = res(lambda: s.shutdown(SHUT_RD))
    s.close()
    s = socket(fam, SOCK_DGRAM); s.bind(addr(kind, d))
    R = {}
    t = threading.Thread(target=lambda: R.setdefault("w", res(lambda: s.recvfrom(10))), daemon=True); t.start()
    time.sleep(0.2)
    out[f"{kind}/unconnected_shut_rd"] = res(lambda: s.shutdown(SHUT_RD))
    t.join(5)
    out[f"{kind}/unconnected_waiter"] = R.get("w", "HANG")
    s.settimeout(0)
    out[f"{kind}/unconnected_nb_recv"] = res(lambda: s.recv(10))
    s.close()
    def row(ev, w):
        if True:
            a = socket(fam, SOCK_DGRAM); a.bind(addr(kind, d)); b = socket(fam, SOCK_DGRAM); b.bind(addr(kind, d))
            a.connect(b.getsockname()); b.connect(a.getsockname())
            sel = selectors.DefaultSelector(); sel.register(a, selectors.EVENT_READ)
            W = {"recv": lambda: a.recv(10), "recvfrom": lambda: a.recvfrom(10), "recv_into": lambda: a.recv_into(bytearray(4)),
                 "select": lambda: len(select.select([a], [], [], 5)[0]), "sel": lambda: len(sel.select(5))}
            R = {}
            t = threading.Thread(target=lambda: R.setdefault("w", res(W[w])), daemon=True); t.start()
            time.sleep(0.15)
            K = f"{kind}/{ev}/{w}"
            out[K + "/call"] = res(lambda: a.shutdown(SHUT_RD if ev == "shut_rd" else SHUT_RDWR))
            t.join(5)
            out[K] = R.get("w", "HANG")
            out[K + "/again"] = res(lambda: a.recvfrom(10))
            if kind != "unix":  # AF_UNIX: see the limits noted in the report
                out[K + "/send"] = res(lambda: a.send(b"x"))
            sel.close(); a.close(); b.close()
    # The rows are independent (a pair each) and mostly wait (0.15 s before the shutdown): all at once.
    rows = [threading.Thread(target=row, args=(ev, w)) for ev in ["shut_rd", "shut_rdwr"]
            for w in ["recv", "recvfrom", "recv_into", "select", "sel"]]
    for t in rows: t.start()
    for t in rows: t.join(30)
    a = socket(fam, SOCK_DGRAM); a.bind(addr(kind, d)); b = socket(fam, SOCK_DGRAM); b.bind(addr(kind, d))
    a.connect(b.getsockname())
    out[f"{kind}/shut_wr"] = res(lambda: a.shutdown(SHUT_WR))
    out[f"{kind}/shut_wr/send"] = res(lambda: a.send(b"x"))
    out[f"{kind}/shut_wr/sendto"] = res(lambda: a.sendto(b"x", b.getsockname()))
    b.sendto(b"still", a.getsockname())
    a.settimeout(2)
    out[f"{kind}/shut_wr/recv"] = res(lambda: a.recv(10))
    a.close(); b.close()
print(json.dumps(out))
`,
    );
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-" });
    const out: Record<string, unknown> = {};
    let n = 0;
    const te = new TextEncoder();
    try {
      for (const kind of DGRAM_KINDS) {
        const fam = kind === "udp4" ? AF_INET : kind === "udp6" ? AF_INET6 : AF_UNIX;
        const addr = (): never =>
          (kind === "udp4" ? ["127.0.0.1", 0] : kind === "udp6" ? ["::1", 0] : `${dir}/r${++n}`) as never;
        {
          const s = socket(fam, SOCK_DGRAM);
          out[`${kind}/fresh_shut_rd`] = await res(() => s.shutdown(SHUT_RD));
          s.close();
        }
        {
          const s = socket(fam, SOCK_DGRAM);
          s.bind(addr());
          const w = res(() => s.recvfrom(10));
          await sleep(200);
          out[`${kind}/unconnected_shut_rd`] = await res(() => s.shutdown(SHUT_RD));
          out[`${kind}/unconnected_waiter`] = await w;
          s.settimeout(0);
          out[`${kind}/unconnected_nb_recv`] = await res(() => s.recv(10));
          s.close();
        }
        // The rows are independent (a pair each) and mostly wait (150 ms before the shutdown): all at once.
        const rows = ["shut_rd", "shut_rdwr"].flatMap((ev) =>
          ["recv", "recvfrom", "recv_into", "select", "sel"].map((w) => [ev, w] as const)
        );
        await Promise.all(rows.map(async ([ev, w]) => {
          {
            const a = socket(fam, SOCK_DGRAM), b = socket(fam, SOCK_DGRAM);
            a.bind(addr());
            b.bind(addr());
            await a.connect(b.getsockname());
            await b.connect(a.getsockname());
            const sel = new DefaultSelector();
            sel.register(a, EVENT_READ);
            const W: Record<string, () => unknown> = {
              recv: () => a.recv(10),
              recvfrom: () => a.recvfrom(10),
              recv_into: () => a.recv_into(new Uint8Array(4)),
              select: async () => (await select([a], [], [], 5))[0].length,
              sel: async () => (await sel.select(5)).length,
            };
            const p = res(W[w]!);
            await sleep(150);
            const K = `${kind}/${ev}/${w}`;
            out[K + "/call"] = await res(() => a.shutdown(ev === "shut_rd" ? SHUT_RD : SHUT_RDWR));
            out[K] = await p;
            out[K + "/again"] = await res(() => a.recvfrom(10));
            if (kind !== "unix") out[K + "/send"] = await res(() => a.send(te.encode("x")));
            sel.close();
            a.close();
            b.close();
          }
        }));
        const a = socket(fam, SOCK_DGRAM), b = socket(fam, SOCK_DGRAM);
        a.bind(addr());
        b.bind(addr());
        await a.connect(b.getsockname());
        out[`${kind}/shut_wr`] = await res(() => a.shutdown(SHUT_WR));
        out[`${kind}/shut_wr/send`] = await res(() => a.send(te.encode("x")));
        out[`${kind}/shut_wr/sendto`] = await res(() => a.sendto(te.encode("x"), b.getsockname()));
        await b.sendto(te.encode("still"), a.getsockname());
        a.settimeout(2);
        out[`${kind}/shut_wr/recv`] = await res(() => a.recv(10));
        a.close();
        b.close();
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
    assert.deepEqual(out, await twin);
  },
});

// Finding F2 (socket.ts, owner still at work): recv(0) on a datagram socket
// takes a datagram off the queue and throws it away (and blocks when none is
// queued). CPython's sock_recv returns b'' at once for recvlen 0, without a
// syscall, so the datagram stays for the next recv. Fix in Socket.recv, after
// the argument checks: `if (n === 0 && this.#dgram) return new Uint8Array(0);`
// (recvfrom(0) and recv_into of an empty buffer do receive, as in CPython).
const F2_FIXED = true;
Deno.test({
  name: "Datagram recv(0) returns b'' at once and loses nothing; recvfrom(0) takes a datagram (CPython twin)",
  ignore: (() => {
    if (no_python || !HAS_DGRAM) return true;
    if (!F2_FIXED) console.log("ignored: finding F2, socket.ts recv(0) on a datagram socket consumes a datagram");
    return !F2_FIXED;
  })(),
  async fn() {
    const py = await cpython(
      PY_RES + `
out = {}
for fam, host in ((AF_INET, "127.0.0.1"), (AF_UNIX, None)):
    d = tempfile.mkdtemp()
    a = socket(fam, SOCK_DGRAM); b = socket(fam, SOCK_DGRAM)
    a.bind((host, 0) if host else d + "/a"); b.bind((host, 0) if host else d + "/b")
    a.settimeout(2)
    out[f"{fam}/recv0_empty"] = res(lambda: a.recv(0))
    b.sendto(b"one", a.getsockname()); b.sendto(b"two", a.getsockname()); time.sleep(0.1)
    out[f"{fam}/recv0"] = res(lambda: a.recv(0))
    out[f"{fam}/recv"] = res(lambda: a.recv(10))
    out[f"{fam}/recvfrom0"] = res(lambda: a.recvfrom(0)[0])
    a.settimeout(0.2)
    out[f"{fam}/after"] = res(lambda: a.recv(10))
    a.close(); b.close()
print(json.dumps(out))
`,
    );
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-" });
    const out: Record<string, unknown> = {};
    const te = new TextEncoder();
    try {
      for (const [fam, host] of [[AF_INET, "127.0.0.1"], [AF_UNIX, null]] as const) {
        const a = socket(fam, SOCK_DGRAM), b = socket(fam, SOCK_DGRAM);
        a.bind((host ? [host, 0] : `${dir}/a`) as never);
        b.bind((host ? [host, 0] : `${dir}/b`) as never);
        a.settimeout(2);
        out[`${fam}/recv0_empty`] = await res(() => a.recv(0));
        await b.sendto(te.encode("one"), a.getsockname());
        await b.sendto(te.encode("two"), a.getsockname());
        await sleep(100);
        out[`${fam}/recv0`] = await res(() => a.recv(0));
        out[`${fam}/recv`] = await res(() => a.recv(10));
        out[`${fam}/recvfrom0`] = await res(async () => (await a.recvfrom(0))[0]);
        a.settimeout(0.2);
        out[`${fam}/after`] = await res(() => a.recv(10));
        a.close();
        b.close();
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
    assert.deepEqual(out, py);
  },
});

// Finding F4 (socket.ts, owner still at work): CPython's recv(0) returns b''
// before looking at the socket at all, so it never raises, even on a closed,
// unconnected or listening socket; ours raises EBADF/ENOTCONN/EINVAL. The
// same one-line fix as F2, placed before `this.#check_open()` in Socket.recv:
// `if (n === 0) return new Uint8Array(0);` (covers F2 as well).
const F4_FIXED = true;
Deno.test({
  name: "Socket.recv(0) returns b'' on closed, unconnected and listening stream sockets (CPython twin)",
  ignore: (() => {
    if (no_python) return true;
    if (!F4_FIXED) console.log("ignored: finding F4, socket.ts recv(0) raises where CPython returns b''");
    return !F4_FIXED;
  })(),
  async fn() {
    const py = await cpython(
      PY_RES + `
out = {}
for fam in (AF_INET, AF_UNIX):
    s = socket(fam)
    out[f"{fam}/fresh"] = res(lambda: s.recv(0))
    s.bind(("127.0.0.1", 0) if fam == AF_INET else os.path.join(tempfile.mkdtemp(), "l")); s.listen()
    out[f"{fam}/listening"] = res(lambda: s.recv(0))
    s.close()
    out[f"{fam}/closed"] = res(lambda: s.recv(0))
print(json.dumps(out))
`,
    );
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-" });
    const out: Record<string, unknown> = {};
    try {
      for (const fam of [AF_INET, AF_UNIX]) {
        const s = socket(fam);
        out[`${fam}/fresh`] = await res(() => s.recv(0));
        s.bind((fam === AF_INET ? ["127.0.0.1", 0] : `${dir}/l`) as never);
        s.listen();
        out[`${fam}/listening`] = await res(() => s.recv(0));
        s.close();
        out[`${fam}/closed`] = await res(() => s.recv(0));
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
    assert.deepEqual(out, py);
  },
});

// Finding F5 (socket.ts, owner still at work): cancelling a socket's
// `readable` stream while a read is pending (reader.cancel(), or an aborted
// `pipeTo(dest, { signal })`) leaves the stream's recv() running; the bytes it
// then takes are dropped with the cancelled stream, and the next recv() on the
// socket never sees them. Every other aborted wait loses nothing. Fix in the
// `readable` getter: pass `{ signal }` of an AbortController to the pull's
// recv() and add `cancel: (reason) => ac.abort(reason)` to the source.
const F5_FIXED = true;
Deno.test({
  name:
    "Cancelling Socket.readable while a read is pending loses no bytes: the next recv() gets them (plain and socketpair)",
  ignore: (() => {
    if (!F5_FIXED) {
      console.log("ignored: finding F5, a cancelled readable stream's pending recv() drops the next bytes");
    }
    return !F5_FIXED;
  })(),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-" });
    try {
      for (const kind of ["inet", "socketpair"]) {
        const [c, s] = await stream_pair(kind, dir);
        try {
          const reader = s.readable.getReader();
          const pending = reader.read().catch(() => "cancelled");
          await sleep(50);
          await reader.cancel(new Error("stop"));
          await pending;
          await c.sendall(new TextEncoder().encode("hello"));
          s.settimeout(5);
          assert.deepEqual(await res(() => s.recv(10)), ["ok", "hello"], kind);
        } finally {
          c.close();
          s.close();
        }
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

// Finding F6 (fixed in _tls.ts/_ssl_session.ts): an SSLSocket sendall()
// waiting on a peer that does not read resolved as if all was sent when the
// peer then closed (node:tls completes the plaintext write as a success when
// the ciphertext under it fails). CPython raises; so do we now.
Deno.test({
  name:
    "SSLSocket.sendall() blocked on a peer that does not read raises once the peer closes, as a plain socket's does (CPython twin)",
  ignore: no_python || missing("openssl"),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-tls-" });
    try {
      const gen = await new Deno.Command("openssl", {
        args: ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"]
          .concat(["-subj", "/CN=localhost", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`]),
        stdout: "null",
        stderr: "null",
      }).output();
      assert.equal(gen.code, 0, "openssl req");
      const py = await cpython(
        PY_RES + `
import ssl
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain("${dir}/cert.pem", "${dir}/key.pem")
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
out = {}
for fam in (AF_INET, AF_UNIX):
    c, s = pair(fam)
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("s", sctx.wrap_socket(s, server_side=True))); t.start()
    c = cctx.wrap_socket(c, server_hostname="localhost"); t.join(); s = box["s"]
    R = {}
    t = threading.Thread(target=lambda: R.setdefault("w", res(lambda: c.sendall(b"y" * (64 << 20)))), daemon=True); t.start()
    time.sleep(0.3)
    s.close()
    t.join(10)
    r = R.get("w", "HANG")
    out[str(fam)] = "raised OSError" if isinstance(r, list) and r[0] != "ok" and r[0] != "HANG" else r
    c.close()
print(json.dumps(out))
`,
      );
      const { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } = await import("../ssl.ts");
      const { OSError } = await import("../mod.ts");
      const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
      sctx.load_cert_chain(`${dir}/cert.pem`, `${dir}/key.pem`);
      const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
      cctx.check_hostname = false;
      cctx.verify_mode = CERT_NONE;
      const ours: Record<string, unknown> = {};
      for (const [fam, kind] of [[AF_INET, "inet"], [AF_UNIX, "unix"]] as const) {
        const [c0, s0] = await stream_pair(kind, dir);
        const sp = sctx.wrap_socket(s0, true);
        const c = await cctx.wrap_socket(c0, { server_hostname: "localhost" });
        const s = await sp;
        try {
          const w = res(async () => {
            try {
              await c.sendall(new Uint8Array(64 << 20));
              return "sent";
            } catch (e) {
              if (e instanceof OSError) throw e;
              return `not an OSError: ${e}`;
            }
          }, 10_000);
          await sleep(300);
          s.close();
          const r = await w;
          ours[String(fam)] = Array.isArray(r) && r[0] !== "ok" ? "raised OSError" : r;
        } finally {
          c.close();
          s.close();
        }
      }
      assert.deepEqual(ours, py);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** A self-signed localhost certificate in `dir` (cert.pem, key.pem). */
async function self_signed(dir: string): Promise<void> {
  const gen = await new Deno.Command("openssl", {
    args: ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"]
      .concat(["-subj", "/CN=localhost", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`]),
    stdout: "null",
    stderr: "null",
  }).output();
  assert.equal(gen.code, 0, "openssl req");
}

// Finding F7 (fixed in _tls.ts/ssl.ts): wrap_socket(suppress_ragged_eofs=False)
// was accepted and ignored: a peer that closed without close_notify read as a
// clean EOF. CPython raises SSLEOFError then, and still reads b'' after the
// peer's close_notify (unwrap()).
Deno.test({
  name:
    "SSLSocket with suppress_ragged_eofs=false: a peer's close without close_notify raises SSLEOFError, after unwrap() reads b''; the default reads b'' (CPython twin)",
  ignore: no_python || missing("openssl"),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-siblings-tls-" });
    try {
      await self_signed(dir);
      const client = (port: number, how: string) => `
import socket, ssl, time
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
s = c.wrap_socket(socket.create_connection(("127.0.0.1", ${port})), server_hostname="localhost")
s.sendall(b"hi"); time.sleep(0.3)
if "${how}" == "unwrap":
    s.settimeout(1)
    try: s.unwrap()
    except Exception: pass
s.close()
`;
      const cases = [["close", false], ["unwrap", false], ["close", true]] as const;
      const py = await cpython(
        PY_RES + `
import ssl, subprocess
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain("${dir}/cert.pem", "${dir}/key.pem")
out = {}
CLIENT = ${JSON.stringify(client(0, "HOW"))}
for how, suppress in ${JSON.stringify(cases).replaceAll("false", "False").replaceAll("true", "True")}:
    l = create_server(("127.0.0.1", 0))
    p = subprocess.Popen([sys.executable, "-c", CLIENT.replace("0)", str(l.getsockname()[1]) + ")", 1).replace("HOW", how)])
    c, _ = l.accept(); l.close()
    s = ctx.wrap_socket(c, server_side=True, suppress_ragged_eofs=suppress)
    s.settimeout(10)
    first = res(lambda: s.recv(10))
    r = res(lambda: s.recv(10))
    out[f"{how}/{suppress}"] = [first, r[:2]]
    p.wait(10); s.close()
print(json.dumps(out))
`,
      );
      const { PROTOCOL_TLS_SERVER, SSLContext } = await import("../ssl.ts");
      const { create_server } = await import("../mod.ts");
      const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
      ctx.load_cert_chain(`${dir}/cert.pem`, `${dir}/key.pem`);
      const ours: Record<string, unknown> = {};
      for (const [how, suppress] of cases) {
        const l = create_server(["127.0.0.1", 0]);
        const port = (l.getsockname() as [string, number])[1];
        const child = new Deno.Command("python3", { args: ["-c", client(port, how)], stdin: "null" }).spawn();
        try {
          const [c] = await l.accept();
          l.close();
          const s = await ctx.wrap_socket(c, { server_side: true, suppress_ragged_eofs: suppress });
          s.settimeout(10);
          const first = await res(() => s.recv(10), 15_000);
          const r = await res(() => s.recv(10), 15_000) as unknown[];
          ours[`${how}/${suppress ? "True" : "False"}`] = [first, r.slice(0, 2)];
          s.close();
        } finally {
          l.close();
          await child.status;
        }
      }
      assert.deepEqual(ours, py);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

// Findings F8-F10 (fixed in connection.ts and ssl.ts): error text of failure
// paths beside the ones fixed today. create_server() on a port in use says
// where, as CPython's does; create_connection(all_errors) counts its
// sub-exceptions in the message, as str(ExceptionGroup) does; wrap_socket()
// with check_hostname and no server_hostname raises ValueError on the server
// side too (CPython checks it before the side).
Deno.test({
  name:
    "Error text: create_server() on a used address, create_connection(all_errors) and wrap_socket(server_side) with check_hostname (CPython twin)",
  ignore: no_python,
  async fn() {
    const { create_connection, create_server } = await import("../mod.ts");
    const { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } = await import("../ssl.ts");
    const used = create_server(["127.0.0.1", 0]);
    // The dead port is freed on a loopback address of this test's own: no other test file (run in parallel) can be
    // given it meanwhile. The CPython twin connects to the same address.
    const lone = lone_v4();
    const dead_sock = socket();
    dead_sock.bind([lone, 0]);
    const dead = dead_sock.getsockname() as [string, number];
    dead_sock.close();
    try {
      const [uhost, uport] = used.getsockname() as [string, number];
      const py = await cpython(
        PY_RES + `
import ssl
out = {}
out["create_server_used"] = res(lambda: create_server(("${uhost}", ${uport})))
out["create_connection_all_errors"] = res(lambda: create_connection(("${lone}", ${dead[1]}), all_errors=True))
out["wrap_server_side_check_hostname"] = res(lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_socket(socket(), server_side=True))
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.check_hostname = True
out["wrap_server_ctx_check_hostname"] = res(lambda: sctx.wrap_socket(socket(), server_side=True))
print(json.dumps(out))
`,
      ) as Record<string, unknown[]>;
      // Python's classes by their pysocket names: ValueError is RangeError, ExceptionGroup is AggregateError.
      const rename: Record<string, string> = { ValueError: "RangeError", ExceptionGroup: "AggregateError" };
      for (const v of Object.values(py)) v[0] = rename[v[0] as string] ?? v[0];
      const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
      sctx.check_hostname = true;
      const ours = {
        create_server_used: await res(() => create_server([uhost, uport])),
        create_connection_all_errors: await res(() => create_connection([lone, dead[1]], { all_errors: true })),
        wrap_server_side_check_hostname: await res(() =>
          new SSLContext(PROTOCOL_TLS_CLIENT).wrap_socket(socket(), { server_side: true })
        ),
        wrap_server_ctx_check_hostname: await res(() => sctx.wrap_socket(socket(), { server_side: true })),
      };
      assert.deepEqual(ours, py);
    } finally {
      used.close();
    }
  },
});

// Finding F11 (fixed in selectors.ts): a socket closed while registered in a
// DefaultSelector (a handler that closes without unregister) was reported
// ready at once and on every later select(), so a ported loop called recv()
// on it and got EBADF. Linux's epoll forgets a closed descriptor: CPython's
// selector never reports it (its key stays until unregister()).
Deno.test({
  name:
    "DefaultSelector never reports a registered socket that was closed, during a select() or after it; the key stays until unregister() (CPython twin)",
  ignore: no_python,
  async fn() {
    const py = await cpython(
      PY_RES + `
import selectors
out = {}
for kind in ("stream", "dgram"):
    if kind == "stream": a, b = socketpair()
    else:
        a = socket(AF_INET, SOCK_DGRAM); a.bind(("127.0.0.1", 0)); b = socket(AF_INET, SOCK_DGRAM)
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, "a")
    R = {}
    t = threading.Thread(target=lambda: R.setdefault("w", len(sel.select(0.6))), daemon=True); t.start()
    time.sleep(0.2)
    a.close()
    t.join(5)
    out[kind + "/during"] = R.get("w", "HANG")
    out[kind + "/after"] = len(sel.select(0.1))
    out[kind + "/still_registered"] = len(sel.get_map())
    sel.unregister(a)
    out[kind + "/unregistered"] = len(sel.get_map())
    sel.close(); b.close()
print(json.dumps(out))
`,
    );
    const ours: Record<string, unknown> = {};
    for (const kind of ["stream", "dgram"]) {
      if (kind === "dgram" && !HAS_DGRAM) continue;
      let a: Socket, b: Socket;
      if (kind === "stream") [a, b] = await socketpair();
      else {
        a = socket(AF_INET, SOCK_DGRAM);
        a.bind(["127.0.0.1", 0]);
        b = socket(AF_INET, SOCK_DGRAM);
      }
      const sel = new DefaultSelector();
      sel.register(a, EVENT_READ, "a");
      const during = res(async () => (await sel.select(0.6)).length);
      await sleep(200);
      a.close();
      ours[`${kind}/during`] = ((await during) as unknown[])[1];
      ours[`${kind}/after`] = (await sel.select(0.1)).length;
      ours[`${kind}/still_registered`] = sel.get_map()!.size;
      sel.unregister(a);
      ours[`${kind}/unregistered`] = sel.get_map()!.size;
      sel.close();
      b.close();
    }
    if (!HAS_DGRAM) {
      for (const k of Object.keys(py as object)) if (k.startsWith("dgram")) delete (py as Record<string, unknown>)[k];
    }
    assert.deepEqual(ours, py);
  },
});
