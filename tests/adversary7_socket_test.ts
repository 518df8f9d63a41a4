// adv7: a differential probe of pysocket against CPython 3.11. Each row is one
// edge, written once in python3 and once with pysocket; both run here and must
// give the same outcome: the value, or the exception's class (ValueError,
// OverflowError and UnicodeError are RangeError here), errno and str(e).
// The rows are the differences the probe found (all fixed) and their
// neighbours; docs/limits.md lists what remains.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import type { Socket } from "../mod.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
// deno-lint-ignore no-explicit-any
type Loose = any; // rows pass values the signatures forbid, on purpose
const { socket, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOL_SOCKET, IPPROTO_TCP, TCP_NODELAY, MSG_TRUNC } = m;
const te = new TextEncoder();
const b = (s: string) => te.encode(s);
/** Four 63-octet labels: a name ending with them is too long for the DNS (resolved without asking anyone). */
const LONG_TAIL = Array(4).fill("a".repeat(63)).join(".");

/** Per-row state: every socket made is closed after the row, the temp dir removed after the run. */
class Ctx {
  readonly socks: Socket[] = [];
  constructor(readonly dir: string) {}
  sock(family?: number, type?: number): Loose {
    const s = socket(family, type);
    this.socks.push(s);
    return s;
  }
  async pair(fam: number = AF_INET): Promise<[Loose, Loose]> {
    const l = this.sock(fam);
    l.bind(fam === AF_UNIX ? `${this.dir}/p${this.socks.length}` : ["127.0.0.1", 0]);
    l.listen();
    const c = this.sock(fam);
    await c.connect(l.getsockname());
    const [s] = await l.accept();
    this.socks.push(s);
    l.close();
    return [c, s];
  }
  /** A bound UDP receiver and a sender with `data` sent to it. */
  async udp(data: Uint8Array): Promise<Loose> {
    const a = this.sock(AF_INET, SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    a.settimeout(10);
    await this.sock(AF_INET, SOCK_DGRAM).sendto(data, a.getsockname());
    return a;
  }
  close(): void {
    for (const s of this.socks) s.close();
    this.socks.length = 0;
  }
}

interface Row {
  id: string;
  /** python3: a function body; `from socket import *` is in scope, with D (a temp dir), pair() and udp(). */
  py: string;
  ts: (x: Ctx) => unknown;
}

const PY_HARNESS = `
import json, os, sys, tempfile
from socket import *
D = tempfile.mkdtemp()
keep = []
def norm(r):
    if isinstance(r, (bytes, bytearray)): return {"b": bytes(r).decode("latin1")}
    if isinstance(r, (tuple, list)): return [norm(x) for x in r]
    return r
def pair(fam=AF_INET):
    l = socket(fam); l.bind(os.path.join(D, "p%d" % len(keep)) if fam == AF_UNIX else ("127.0.0.1", 0)); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close(); keep.extend([c, s])
    return c, s
def udp(data):
    a = socket(AF_INET, SOCK_DGRAM); a.bind(("127.0.0.1", 0)); a.settimeout(10)
    s = socket(AF_INET, SOCK_DGRAM); s.sendto(data, a.getsockname()); keep.extend([a, s])
    return a
out = {}
for name, src in json.load(sys.stdin):
    g = dict(globals())
    try:
        exec("def f():\\n" + "\\n".join("    " + l for l in src.split("\\n")), g)
        out[name] = ["ok", norm(g["f"]())]
    except Exception as e:
        n = type(e).__name__
        n = "RangeError" if n in ("ValueError", "OverflowError", "UnicodeError") else n
        out[name] = [n, getattr(e, "errno", None), str(e)]
    for s in keep: s.close()
    keep.clear()
print(json.dumps(out))
`;

function norm(r: unknown): unknown {
  if (r instanceof Uint8Array) return { b: Array.from(r, (x) => String.fromCharCode(x)).join("") };
  if (Array.isArray(r)) return r.map(norm);
  return r === undefined ? null : r;
}

async function outcome(fn: () => unknown): Promise<unknown[]> {
  try {
    return ["ok", norm(await fn())];
  } catch (e) {
    const o = e as { name?: string; errno?: number | null; message?: string };
    return [o.name ?? String(e), o.errno ?? null, o.message ?? String(e)];
  }
}

async function python(rows: readonly Row[]): Promise<Record<string, unknown[]>> {
  const child = new Deno.Command("python3", { args: ["-c", PY_HARNESS], stdin: "piped", stdout: "piped" }).spawn();
  const w = child.stdin.getWriter();
  await w.write(te.encode(JSON.stringify(rows.map((r) => [r.id, r.py]))));
  await w.close();
  const killer = setTimeout(() => child.kill(), 120_000);
  try {
    const out = await child.output();
    assert.ok(out.success, "python3 failed");
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    clearTimeout(killer);
  }
}

async function compare(rows: readonly Row[]): Promise<void> {
  const py = await python(rows);
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-adv7-" });
  const bad: string[] = [];
  try {
    for (const row of rows) {
      const x = new Ctx(dir);
      let ours: unknown[];
      try {
        ours = await outcome(() => row.ts(x));
      } finally {
        x.close();
      }
      const theirs = py[row.id];
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        bad.push(`${row.id}\n    python3:  ${JSON.stringify(theirs)}\n    pysocket: ${JSON.stringify(ours)}`);
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  console.log(`  ${rows.length} rows, ${bad.length} differences`);
  assert.deepEqual(bad, [], bad.join("\n"));
}

const TRUNC_ROWS: Row[] = [
  {
    id: "TCP recv(3, MSG_TRUNC) drops 3 bytes and returns 3 (CPython: its buffer's garbage)",
    py: `c, s = pair(); c.sendall(b"hello"); r = s.recv(3, MSG_TRUNC); return [len(r), s.recv(10)]`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      await c.sendall(b("hello"));
      const r = await s.recv(3, MSG_TRUNC);
      return [r.length, await s.recv(10)];
    },
  },
  {
    id: "TCP recv_into(buf, 3, MSG_TRUNC) drops 3 bytes, returns 3, leaves the buffer",
    py: `c, s = pair(); c.sendall(b"hello"); buf = bytearray(b"....")
n = s.recv_into(buf, 3, MSG_TRUNC); return [n, buf, s.recv(10)]`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      await c.sendall(b("hello"));
      const buf = b("....");
      const n = await s.recv_into(buf, 3, MSG_TRUNC);
      return [n, buf, await s.recv(10)];
    },
  },
  {
    id: "AF_UNIX stream recv(3, MSG_TRUNC) ignores the flag",
    py: `c, s = pair(AF_UNIX); c.sendall(b"hello"); return [s.recv(3, MSG_TRUNC), s.recv(10)]`,
    ts: async (x) => {
      const [c, s] = await x.pair(AF_UNIX);
      await c.sendall(b("hello"));
      return [await s.recv(3, MSG_TRUNC), await s.recv(10)];
    },
  },
  {
    id: "UDP recv(2, MSG_TRUNC) returns the datagram's length, its first 2 bytes received",
    py: `a = udp(b"hello"); r = a.recv(2, MSG_TRUNC); return [len(r), r[:2]]`,
    ts: async (x) => {
      const r = await (await x.udp(b("hello"))).recv(2, MSG_TRUNC);
      return [r.length, r.subarray(0, 2)];
    },
  },
  {
    id: "UDP recvfrom(10, MSG_TRUNC) of a datagram that fits is the datagram",
    py: `a = udp(b"hello"); return a.recvfrom(10, MSG_TRUNC)[0]`,
    ts: async (x) => (await (await x.udp(b("hello"))).recvfrom(10, MSG_TRUNC))[0],
  },
  {
    id: "UDP recv_into(buf, 2, MSG_TRUNC) returns the datagram's real length",
    py: `a = udp(b"hello"); buf = bytearray(2); return [a.recv_into(buf, 2, MSG_TRUNC), buf]`,
    ts: async (x) => {
      const buf = new Uint8Array(2);
      return [await (await x.udp(b("hello"))).recv_into(buf, 2, MSG_TRUNC), buf];
    },
  },
];

const STATE_ROWS: Row[] = [
  {
    id: "UDP connect() to port 0: getpeername() raises ENOTCONN, send() reports the bytes sent",
    py: `s = socket(AF_INET, SOCK_DGRAM); s.connect(("127.0.0.1", 0)); keep.append(s)
try: s.getpeername(); r = "peer"
except OSError as e: r = e.errno
return [r, s.send(b"xyz"), s.getsockname()[0]]`,
    ts: async (x) => {
      const s = x.sock(AF_INET, SOCK_DGRAM);
      await s.connect(["127.0.0.1", 0]);
      let r: unknown = "peer";
      try {
        s.getpeername();
      } catch (e) {
        r = (e as m.OSError).errno;
      }
      return [r, await s.send(b("xyz")), s.getsockname()[0]];
    },
  },
  {
    id: "UDP connect() to port 0 after a real peer: no peer any more",
    py: `a = udp(b"x"); s = socket(AF_INET, SOCK_DGRAM); keep.append(s); s.connect(a.getsockname())
s.connect(("127.0.0.1", 0)); return s.getpeername()`,
    ts: async (x) => {
      const a = await x.udp(b("x"));
      const s = x.sock(AF_INET, SOCK_DGRAM);
      await s.connect(a.getsockname());
      await s.connect(["127.0.0.1", 0]);
      return s.getpeername();
    },
  },
  { id: "listen(2**31)", py: `socket().listen(2**31)`, ts: (x) => x.sock().listen(2 ** 31) },
  { id: "listen(-2**31-1)", py: `socket().listen(-2**31-1)`, ts: (x) => x.sock().listen(-(2 ** 31) - 1) },
  { id: "listen(2**63)", py: `socket().listen(2**63)`, ts: (x) => x.sock().listen(2 ** 63) },
  {
    id: "listen(-5) listens (backlog clamped)",
    py:
      `s = socket(); keep.append(s); s.bind(("127.0.0.1", 0)); s.listen(-5); return s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)`,
    ts: (x) => {
      const s = x.sock();
      s.bind(["127.0.0.1", 0]);
      s.listen(-5);
      return s.getsockopt(SOL_SOCKET, m.SO_ACCEPTCONN);
    },
  },
  {
    id: "connect_ex() names itself in a bad port's message",
    py: `return socket().connect_ex(("127.0.0.1", 70000))`,
    ts: (x) => x.sock().connect_ex(["127.0.0.1", 70000]),
  },
  {
    id: "connect_ex() names itself in a bad address's message",
    py: `return socket().connect_ex("x")`,
    ts: (x) => x.sock().connect_ex("x"),
  },
  {
    id: "recv_into(str)",
    py: `c, s = pair(); c.recv_into("abc")`,
    ts: async (x) => (await x.pair())[0].recv_into("abc"),
  },
  {
    id: "recvfrom_into(str)",
    py: `c, s = pair(); c.recvfrom_into("abc")`,
    ts: async (x) => (await x.pair())[0].recvfrom_into("abc"),
  },
  {
    id: "recv(1, MSG_OOB) on TCP: no urgent data (EINVAL), before and after EOF",
    py: `c, s = pair(); r = []
for i in range(2):
    try: c.recv(1, MSG_OOB)
    except OSError as e: r.append(e.errno)
    s.shutdown(SHUT_WR)
return r`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      const r: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        try {
          await c.recv(1, m.MSG_OOB);
        } catch (e) {
          r.push((e as m.OSError).errno);
        }
        await s.shutdown(m.SHUT_WR);
      }
      return r;
    },
  },
  {
    id: "recv(1, MSG_OOB) on AF_UNIX streams, unconnected and listening TCP sockets",
    py: `c, s = pair(AF_UNIX); l = socket(); keep.append(l); l.bind(("127.0.0.1", 0)); l.listen(); r = []
for x in (c, socket(), l):
    try: x.recv(1, MSG_OOB)
    except OSError as e: r.append(e.errno)
return r`,
    ts: async (x) => {
      const [c] = await x.pair(AF_UNIX);
      const l = x.sock();
      l.bind(["127.0.0.1", 0]);
      l.listen();
      const r: unknown[] = [];
      for (const s of [c, x.sock(), l]) {
        try {
          await s.recv(1, m.MSG_OOB);
        } catch (e) {
          r.push((e as m.OSError).errno);
        }
      }
      return r;
    },
  },
  {
    id: "UDP recv(10, MSG_OOB) ignores the flag",
    py: `return udp(b"hi").recv(10, MSG_OOB)`,
    ts: async (x) => (await x.udp(b("hi"))).recv(10, m.MSG_OOB),
  },
  {
    id: "recv(1, MSG_ERRQUEUE): the error queue is empty (EAGAIN) on blocking TCP and UDP sockets",
    py: `c, s = pair(); r = []; u = udp(b"x"); u.settimeout(None)
for x in (c, u):
    try: x.recv(1, MSG_ERRQUEUE)
    except OSError as e: r.append([type(e).__name__, e.errno])
return r`,
    ts: async (x) => {
      const [c] = await x.pair();
      const r: unknown[] = [];
      const u = await x.udp(b("x"));
      u.settimeout(null);
      for (const s of [c, u]) {
        try {
          await s.recv(1, m.MSG_ERRQUEUE);
        } catch (e) {
          r.push([(e as Error).name, (e as m.OSError).errno]);
        }
      }
      return r;
    },
  },
  {
    id:
      "flags that mean nothing to the call are ignored (recv MSG_CMSG_CLOEXEC, send MSG_PEEK/MSG_MORE/MSG_EOR/MSG_CONFIRM)",
    py:
      `c, s = pair(); r = [c.send(b"a", MSG_PEEK), c.send(b"b", MSG_MORE), c.send(b"c", MSG_EOR), c.send(b"d", MSG_CONFIRM)]
c.sendall(b"e", MSG_PEEK); r.append(s.recv(1, MSG_CMSG_CLOEXEC)); r.append(s.recv(1, MSG_WAITALL | MSG_CMSG_CLOEXEC))
u = udp(b"x"); r.append(socket(AF_INET, SOCK_DGRAM).sendto(b"y", MSG_PEEK, u.getsockname()))
return r`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      const r: unknown[] = [
        await c.send(b("a"), m.MSG_PEEK),
        await c.send(b("b"), m.MSG_MORE),
        await c.send(b("c"), m.MSG_EOR),
        await c.send(b("d"), m.MSG_CONFIRM),
      ];
      await c.sendall(b("e"), m.MSG_PEEK);
      r.push(await s.recv(1, m.MSG_CMSG_CLOEXEC));
      r.push(await s.recv(1, m.MSG_WAITALL | m.MSG_CMSG_CLOEXEC));
      const u = await x.udp(b("x"));
      r.push(await x.sock(AF_INET, SOCK_DGRAM).sendto(b("y"), m.MSG_PEEK, u.getsockname()));
      return r;
    },
  },
  {
    id: "recv/send flags past a C int",
    py: `c, s = pair(); r = []
for f in (lambda: c.recv(1, 2**31), lambda: c.send(b"x", -2**31-1)):
    try: f()
    except OverflowError as e: r.append(str(e))
return r`,
    ts: async (x) => {
      const [c] = await x.pair();
      const r: unknown[] = [];
      for (const f of [() => c.recv(1, 2 ** 31), () => c.send(b("x"), -(2 ** 31) - 1)]) {
        try {
          await f();
        } catch (e) {
          r.push((e as Error).message);
        }
      }
      return r;
    },
  },
  {
    id: "settimeout() keeps whole nanoseconds, a fraction rounded up",
    py: `s = socket(); r = []
for t in (1e-10, 1.5e-9, 1.1, 0.3, 123.456, 5, 1e-6):
    s.settimeout(t); r.append(s.gettimeout())
setdefaulttimeout(1e-10); r.append(getdefaulttimeout()); setdefaulttimeout(None)
return r`,
    ts: (x) => {
      const s = x.sock();
      const r: unknown[] = [];
      for (const t of [1e-10, 1.5e-9, 1.1, 0.3, 123.456, 5, 1e-6]) {
        s.settimeout(t);
        r.push(s.gettimeout());
      }
      m.setdefaulttimeout(1e-10);
      r.push(m.getdefaulttimeout());
      m.setdefaulttimeout(null);
      return r;
    },
  },
  {
    id: "repr() of a socket bound to an abstract name shows the bytes",
    py: `s = socket(AF_UNIX); keep.append(s); s.bind("\\0pysocket-adv7-%d" % os.getpid())
return repr(s).split("laddr=")[1].replace(str(os.getpid()), "PID")`,
    ts: (x) => {
      const s = x.sock(AF_UNIX);
      const pid = String(Deno.pid + 1_000_000); // another name than the twin's
      s.bind(`\0pysocket-adv7-${pid}`);
      return String(s).split("laddr=")[1]!.replace(pid, "PID");
    },
  },
];

const OPT_ROWS: Row[] = [
  {
    id: "setsockopt(float)",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR, 1.5),
  },
  {
    id: "setsockopt(None, 4)",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 4)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR, null, 4),
  },
  {
    id: "setsockopt(None, 0)",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 0)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR, null, 0),
  },
  {
    id: "setsockopt(None, -1)",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, -1)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR, null, -1),
  },
  {
    id: "setsockopt(1, 4): the four-argument form wants None",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR, 1, 4)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR, 1, 4),
  },
  {
    id: "setsockopt(level, name) without a value",
    py: `socket().setsockopt(SOL_SOCKET, SO_REUSEADDR)`,
    ts: (x) => x.sock().setsockopt(SOL_SOCKET, m.SO_REUSEADDR),
  },
  {
    id: "setsockopt(b'') and setsockopt(b'\\x01') are shorter than an int",
    py: `s = socket(); keep.append(s); r = []
for v in (b"", b"\\x01"):
    try: s.setsockopt(SOL_SOCKET, SO_REUSEADDR, v); r.append("ok")
    except OSError as e: r.append(e.errno)
return r`,
    ts: (x) => {
      const s = x.sock();
      const r: unknown[] = [];
      for (const v of [b(""), new Uint8Array([1])]) {
        try {
          s.setsockopt(SOL_SOCKET, m.SO_REUSEADDR, v);
          r.push("ok");
        } catch (e) {
          r.push((e as m.OSError).errno);
        }
      }
      return r;
    },
  },
  {
    id: "setsockopt(5 bytes) reads the int",
    py:
      `s = socket(); keep.append(s); s.setsockopt(SOL_SOCKET, SO_REUSEADDR, b"\\x01\\0\\0\\0\\0"); return s.getsockopt(SOL_SOCKET, SO_REUSEADDR)`,
    ts: (x) => {
      const s = x.sock();
      s.setsockopt(SOL_SOCKET, m.SO_REUSEADDR, new Uint8Array([1, 0, 0, 0, 0]));
      return s.getsockopt(SOL_SOCKET, m.SO_REUSEADDR);
    },
  },
  {
    id: "getsockopt(buflen 0) is the int form",
    py: `return socket().getsockopt(SOL_SOCKET, SO_TYPE, 0)`,
    ts: (x) => x.sock().getsockopt(SOL_SOCKET, m.SO_TYPE, 0),
  },
  {
    id: "getsockopt(buflen 8 and 1024) returns the option's own 4 bytes",
    py: `s = socket(); return [s.getsockopt(SOL_SOCKET, SO_TYPE, 8), s.getsockopt(SOL_SOCKET, SO_TYPE, 1024)]`,
    ts: (x) => {
      const s = x.sock();
      return [s.getsockopt(SOL_SOCKET, m.SO_TYPE, 8), s.getsockopt(SOL_SOCKET, m.SO_TYPE, 1024)];
    },
  },
  {
    id: "getsockopt(buflen 2, -1, 1025)",
    py: `s = socket(); r = [s.getsockopt(SOL_SOCKET, SO_TYPE, 2)]
for n in (-1, 1025):
    try: s.getsockopt(SOL_SOCKET, SO_TYPE, n)
    except OSError as e: r.append(str(e))
return r`,
    ts: (x) => {
      const s = x.sock();
      const r: unknown[] = [s.getsockopt(SOL_SOCKET, m.SO_TYPE, 2)];
      for (const n of [-1, 1025]) {
        try {
          s.getsockopt(SOL_SOCKET, m.SO_TYPE, n);
        } catch (e) {
          r.push((e as Error).message);
        }
      }
      return r;
    },
  },
  {
    id: "TCP_NODELAY on a UDP socket: getsockopt EOPNOTSUPP",
    py: `return socket(AF_INET, SOCK_DGRAM).getsockopt(IPPROTO_TCP, TCP_NODELAY)`,
    ts: (x) => x.sock(AF_INET, SOCK_DGRAM).getsockopt(IPPROTO_TCP, TCP_NODELAY),
  },
  {
    id: "TCP_NODELAY on a UDP socket: setsockopt ENOPROTOOPT",
    py: `return socket(AF_INET, SOCK_DGRAM).setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)`,
    ts: (x) => x.sock(AF_INET, SOCK_DGRAM).setsockopt(IPPROTO_TCP, TCP_NODELAY, 1),
  },
  {
    id: "TCP_NODELAY on an AF_UNIX datagram socket: getsockopt EOPNOTSUPP",
    py: `return socket(AF_UNIX, SOCK_DGRAM).getsockopt(IPPROTO_TCP, TCP_NODELAY)`,
    ts: (x) => x.sock(AF_UNIX, SOCK_DGRAM).getsockopt(IPPROTO_TCP, TCP_NODELAY),
  },
  {
    id: "getsockopt() of SO_LINGER, SO_RCVTIMEO and SO_SNDTIMEO: the kernel's defaults, in their own sizes",
    py: `s = socket(); return [s.getsockopt(SOL_SOCKET, SO_LINGER), s.getsockopt(SOL_SOCKET, SO_LINGER, 64),
    s.getsockopt(SOL_SOCKET, SO_LINGER, 2), s.getsockopt(SOL_SOCKET, SO_RCVTIMEO, 64), s.getsockopt(SOL_SOCKET, SO_SNDTIMEO),
    socket(AF_INET, SOCK_DGRAM).getsockopt(SOL_SOCKET, SO_LINGER, 8)]`,
    ts: (x) => {
      const s = x.sock();
      return [
        s.getsockopt(SOL_SOCKET, m.SO_LINGER),
        s.getsockopt(SOL_SOCKET, m.SO_LINGER, 64),
        s.getsockopt(SOL_SOCKET, m.SO_LINGER, 2),
        s.getsockopt(SOL_SOCKET, m.SO_RCVTIMEO, 64),
        s.getsockopt(SOL_SOCKET, m.SO_SNDTIMEO),
        x.sock(AF_INET, SOCK_DGRAM).getsockopt(SOL_SOCKET, m.SO_LINGER, 8),
      ];
    },
  },
  {
    id: "IPV6_V6ONLY on AF_INET (get EOPNOTSUPP, set ENOPROTOOPT) and AF_UNIX (EOPNOTSUPP) sockets",
    py: `r = []
for f in (lambda: socket().getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), lambda: socket().setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1),
          lambda: socket(AF_UNIX).getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), lambda: socket(AF_UNIX).setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1),
          lambda: socket(AF_INET, SOCK_DGRAM).getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)):
    try: f(); r.append("ok")
    except OSError as e: r.append(e.errno)
return r`,
    ts: (x) => {
      const r: unknown[] = [];
      for (
        const f of [
          () => x.sock().getsockopt(m.IPPROTO_IPV6, m.IPV6_V6ONLY),
          () => x.sock().setsockopt(m.IPPROTO_IPV6, m.IPV6_V6ONLY, 1),
          () => x.sock(AF_UNIX).getsockopt(m.IPPROTO_IPV6, m.IPV6_V6ONLY),
          () => x.sock(AF_UNIX).setsockopt(m.IPPROTO_IPV6, m.IPV6_V6ONLY, 1),
          () => x.sock(AF_INET, SOCK_DGRAM).getsockopt(m.IPPROTO_IPV6, m.IPV6_V6ONLY),
        ]
      ) {
        try {
          f();
          r.push("ok");
        } catch (e) {
          r.push((e as m.OSError).errno);
        }
      }
      return r;
    },
  },
];

const PAIR_ROWS: Row[] = [
  {
    id: "socketpair() ends have no names: getsockname()/getpeername() are '', also after shutdown and the peer's close",
    py:
      `a, b = socketpair(); keep.extend([a, b]); r = [a.getsockname(), a.getpeername(), b.getsockname(), b.getpeername()]
a.send(b"x"); r.append(b.recvfrom(5)); a.shutdown(SHUT_RDWR); r.append(a.getpeername()); a.close(); r.append(b.getpeername())
return r`,
    ts: async (x) => {
      const [a, b2] = await m.socketpair();
      x.socks.push(a, b2);
      const r: unknown[] = [a.getsockname(), a.getpeername(), b2.getsockname(), b2.getpeername()];
      await a.send(b("x"));
      r.push(await b2.recvfrom(5));
      await a.shutdown(m.SHUT_RDWR);
      r.push(a.getpeername());
      a.close();
      r.push(b2.getpeername());
      return r;
    },
  },
  {
    id: "socketpair(AF_UNIX, SOCK_DGRAM): no names, recvfrom() gives None for the sender",
    py: `a, b = socketpair(AF_UNIX, SOCK_DGRAM); keep.extend([a, b]); a.send(b"x"); b.send(b"y")
buf = bytearray(4)
return [a.getsockname(), a.getpeername(), b.recvfrom(5), a.recvfrom_into(buf)]`,
    ts: async (x) => {
      const [a, b2] = await m.socketpair(AF_UNIX, SOCK_DGRAM);
      x.socks.push(a, b2);
      await a.send(b("x"));
      await b2.send(b("y"));
      const buf = new Uint8Array(4);
      return [a.getsockname(), a.getpeername(), await b2.recvfrom(5), await a.recvfrom_into(buf)];
    },
  },
  {
    id: "repr() of a socketpair() end shows no addresses",
    py: `a, b = socketpair(); keep.extend([a, b]); import re; return re.sub(r"fd=\\d+", "fd=N", repr(a))`,
    ts: async (x) => {
      const [a, b2] = await m.socketpair();
      x.socks.push(a, b2);
      return String(a).replace(/fd=\d+/, "fd=N");
    },
  },
  {
    id: "socket(AF_INET, SOCK_RAW) with protocol 0, SOCK_SEQPACKET on AF_INET/AF_INET6",
    py: `r = []
for fam, typ in ((AF_INET, SOCK_RAW), (AF_INET6, SOCK_RAW), (AF_INET, SOCK_SEQPACKET), (AF_INET6, SOCK_SEQPACKET)):
    try: socket(fam, typ).close(); r.append("ok")
    except OSError as e: r.append(e.errno)
return r`,
    ts: () => {
      const r: unknown[] = [];
      for (
        const [fam, typ] of [[AF_INET, m.SOCK_RAW], [AF_INET6, m.SOCK_RAW], [AF_INET, m.SOCK_SEQPACKET], [
          AF_INET6,
          m.SOCK_SEQPACKET,
        ]]
      ) {
        try {
          socket(fam, typ).close();
          r.push("ok");
        } catch (e) {
          r.push((e as m.OSError).errno);
        }
      }
      return r;
    },
  },
  { id: "socket(2**31)", py: `socket(2**31)`, ts: () => socket(2 ** 31) },
  { id: "socket(AF_INET, -2**31-1)", py: `socket(AF_INET, -2**31-1)`, ts: () => socket(AF_INET, -(2 ** 31) - 1) },
  {
    id: "socket(AF_INET, SOCK_STREAM, 2**32)",
    py: `socket(AF_INET, SOCK_STREAM, 2**32)`,
    ts: () => socket(AF_INET, m.SOCK_STREAM, 2 ** 32),
  },
  { id: "socket(foo=1)", py: `socket(foo=1)`, ts: () => socket({ foo: 1 } as Loose) },
  {
    id: "socket() with five positional arguments",
    py: `socket(2, 1, 0, None, 5)`,
    ts: () => (socket as Loose)(2, 1, 0, null, 5),
  },
  { id: "CMSG_LEN(2**63)", py: `return CMSG_LEN(2**63)`, ts: () => m.CMSG_LEN(2 ** 63) },
  {
    id: "None where a str, buffer or int is wanted: CPython's 'not None' wording",
    py: `s = socket(); keep.append(s); r = []
for f in (lambda: inet_aton(None), lambda: inet_pton(AF_INET, None), lambda: gethostbyname(None),
          lambda: gethostbyname_ex(None), lambda: gethostbyaddr(None), lambda: getservbyname(None),
          lambda: getservbyname("http", None), lambda: getservbyport(80, None), lambda: getprotobyname(None),
          lambda: s.recv_into(None), lambda: s.recvfrom_into(None), lambda: s.recv(1, None), lambda: s.makefile(None)):
    try: f(); r.append("ok")
    except TypeError as e: r.append(str(e))
return r`,
    ts: async (x) => {
      const s = x.sock();
      const r: unknown[] = [];
      const L = m as Loose;
      for (
        const f of [
          () => L.inet_aton(null),
          () => L.inet_pton(AF_INET, null),
          () => L.gethostbyname(null),
          () => L.gethostbyname_ex(null),
          () => L.gethostbyaddr(null),
          () => L.getservbyname(null),
          () => L.getservbyname("http", null),
          () => L.getservbyport(80, null),
          () => L.getprotobyname(null),
          () => s.recv_into(null),
          () => s.recvfrom_into(null),
          () => s.recv(1, null),
          () => s.makefile(null),
        ]
      ) {
        try {
          await f();
          r.push("ok");
        } catch (e) {
          r.push((e as Error).message);
        }
      }
      return r;
    },
  },
  {
    id: "sendfile() count that is no int: CPython's TypeError with the value",
    py: `c, s = pair(); path = os.path.join(D, "sf.bin"); open(path, "wb").write(b"abc"); r = []
for cnt in ("a", 1.5):
    with open(path, "rb") as f:
        try: c.sendfile(f, 0, cnt)
        except TypeError as e: r.append(str(e))
return r`,
    ts: async (x) => {
      const [c] = await x.pair();
      const path = `${x.dir}/sf.bin`;
      Deno.writeFileSync(path, b("abc"));
      const r: unknown[] = [];
      for (const cnt of ["a", 1.5]) {
        using f = Deno.openSync(path);
        try {
          await c.sendfile(f, 0, cnt);
        } catch (e) {
          r.push((e as Error).message);
        }
      }
      return r;
    },
  },
  {
    id: "socket(fileno=detached) reports the kernel's protocol",
    py: `r = []
for fam, typ in ((AF_INET, SOCK_STREAM), (AF_INET6, SOCK_DGRAM), (AF_UNIX, SOCK_STREAM)):
    s = socket(fam, typ); t = socket(fileno=s.detach()); keep.append(t); r.append([t.family, t.type, t.proto])
return r`,
    ts: (x) =>
      ([[AF_INET, m.SOCK_STREAM], [AF_INET6, SOCK_DGRAM], [AF_UNIX, m.SOCK_STREAM]] as [number, number][]).map(
        ([fam, typ]) => {
          const t: Loose = socket({ fileno: socket(fam, typ).detach() } as Loose);
          x.socks.push(t);
          return [t.family, t.type, t.proto];
        },
      ),
  },
  {
    id: "socket(fileno=-1)",
    py: `socket(fileno=-1)`,
    ts: () => socket({ fileno: -1 } as Loose),
  },
  {
    id: "recvmsg_into() with a str in the buffers",
    py: `c, s = pair(); c.recvmsg_into(["ab"])`,
    ts: async (x) => (await x.pair())[0].recvmsg_into(["ab"]),
  },
];

const ADDR_ROWS: Row[] = [
  {
    id: "bind() with a NUL in the host",
    py: `socket().bind(("127.0.0.1\\0", 0))`,
    ts: (x) => x.sock().bind(["127.0.0.1\0", 0]),
  },
  {
    id: "bind() with a NUL in a bytes host",
    py: `socket().bind((b"127.0.0.1\\0", 0))`,
    ts: (x) => x.sock().bind([b("127.0.0.1\0"), 0]),
  },
  {
    id: "AF_INET6 bind() with a NUL in the host",
    py: `socket(AF_INET6).bind(("::1\\0", 0))`,
    ts: (x) => x.sock(AF_INET6).bind(["::1\0", 0]),
  },
  {
    id: "connect() with a NUL in the host",
    py: `socket().connect(("127.0.0.1\\0x", 80))`,
    ts: (x) => x.sock().connect(["127.0.0.1\0x", 80]),
  },
  {
    id: "UDP sendto() with a NUL in the host",
    py: `socket(AF_INET, SOCK_DGRAM).sendto(b"x", ("127.0.0.1\\0", 9))`,
    ts: (x) => x.sock(AF_INET, SOCK_DGRAM).sendto(b("x"), ["127.0.0.1\0", 9]),
  },
  {
    id: "AF_UNIX bind() of a path with a NUL inside binds the path before it",
    py:
      `s = socket(AF_UNIX); keep.append(s); s.bind(D + "/a\\0b"); return [s.getsockname() == D + "/a", os.path.exists(D + "/a")]`,
    ts: (x) => {
      const s = x.sock(AF_UNIX);
      s.bind(`${x.dir}/a\0b`);
      let exists = true;
      try {
        Deno.lstatSync(`${x.dir}/a`);
      } catch {
        exists = false;
      }
      return [s.getsockname() === `${x.dir}/a`, exists];
    },
  },
  {
    id: "AF_INET6 scope_id -5, 2**32 and 2**32+3 are taken modulo 2**32 (loopback ignores them)",
    py: `r = []
for sc in (-5, 2**32, 2**32 + 3):
    s = socket(AF_INET6); keep.append(s); s.bind(("::1", 0, 0, sc)); r.append(s.getsockname()[3])
return r`,
    ts: (x) =>
      [-5, 2 ** 32, 2 ** 32 + 3].map((sc) => {
        const s = x.sock(AF_INET6);
        s.bind(["::1", 0, 0, sc]);
        return s.getsockname()[3];
      }),
  },
  {
    id: "bind() to hosts no resolver finds ('127.0.0.1 ', '[::1]') is gaierror EAI_NONAME, stream and datagram",
    py: `r = []
for fam, typ, h in ((AF_INET, SOCK_STREAM, "127.0.0.1 "), (AF_INET, SOCK_DGRAM, "127.0.0.1 "),
                    (AF_INET6, SOCK_STREAM, "[::1]"), (AF_INET6, SOCK_DGRAM, "[::1]")):
    s = socket(fam, typ); keep.append(s)
    try: s.bind((h, 0)); r.append("ok")
    except OSError as e: r.append([type(e).__name__, e.errno])
return r`,
    ts: (x) => {
      const r: unknown[] = [];
      for (
        const [fam, typ, h] of [
          [AF_INET, m.SOCK_STREAM, "127.0.0.1 "],
          [AF_INET, SOCK_DGRAM, "127.0.0.1 "],
          [AF_INET6, m.SOCK_STREAM, "[::1]"],
          [AF_INET6, SOCK_DGRAM, "[::1]"],
        ] as [number, number, string][]
      ) {
        try {
          x.sock(fam, typ).bind([h, 0]);
          r.push("ok");
        } catch (e) {
          r.push([(e as Error).name, (e as m.OSError).errno]);
        }
      }
      return r;
    },
  },
  {
    // Longer than a DNS name can be (269 octets once IDNA-encoded, past 255): glibc's resolver refuses it before
    // making a query, so nothing leaves the machine ("b\u00fccher" alone was asked of the DNS server; tests use
    // loopback only).
    id: "bind() to a non-ASCII name no resolver finds is gaierror EAI_NONAME",
    py: `socket().bind(("b\u00fccher.${LONG_TAIL}", 0))`,
    ts: (x) => x.sock().bind([`b\u00fccher.${LONG_TAIL}`, 0]),
  },
  {
    id: "AF_INET6 bind() to '<broadcast>'",
    py: `socket(AF_INET6).bind(("<broadcast>", 0))`,
    ts: (x) => x.sock(AF_INET6).bind(["<broadcast>", 0]),
  },
  {
    id: "getaddrinfo() family, type, proto and flags past a C int",
    py: `r = []
for args in ((2**31,), (0, -2**31-1), (0, 0, 2**31), (0, 0, 0, 2**31)):
    try: getaddrinfo("127.0.0.1", 80, *args)
    except OverflowError as e: r.append(str(e))
return r`,
    ts: async () => {
      const r: unknown[] = [];
      for (const args of [[2 ** 31], [0, -(2 ** 31) - 1], [0, 0, 2 ** 31], [0, 0, 0, 2 ** 31]]) {
        try {
          await (m.getaddrinfo as Loose)("127.0.0.1", 80, ...args);
        } catch (e) {
          r.push((e as Error).message);
        }
      }
      return r;
    },
  },
  {
    id: "gethostbyname() with a NUL",
    py: `return gethostbyname("local\\0host")`,
    ts: () => m.gethostbyname("local\0host"),
  },
  {
    id: "gethostbyname() with a NUL in bytes",
    py: `return gethostbyname(b"127.0.0.1\\0")`,
    ts: () => m.gethostbyname(b("127.0.0.1\0") as Loose),
  },
  {
    id: "gethostbyname_ex() with a NUL",
    py: `return gethostbyname_ex("127.0.0.1\\0")`,
    ts: () => m.gethostbyname_ex("127.0.0.1\0"),
  },
  {
    id: "gethostbyaddr() with a NUL",
    py: `return gethostbyaddr("127.0.0.1\\0")`,
    ts: () => m.gethostbyaddr("127.0.0.1\0"),
  },
  {
    id: "getnameinfo() with a NUL in the host",
    py: `return getnameinfo(("127.0.0.1\\0", 80), NI_NUMERICHOST)`,
    ts: () => m.getnameinfo(["127.0.0.1\0", 80], m.NI_NUMERICHOST),
  },
  {
    id: "getaddrinfo() reads the host up to a NUL",
    py: `return [a[4] for a in getaddrinfo("127.0.0.1\\0junk", 80, AF_INET, SOCK_STREAM)]`,
    ts: async () => (await m.getaddrinfo("127.0.0.1\0junk", 80, AF_INET, m.SOCK_STREAM)).map((a) => a[4]),
  },
  ...[
    "a".repeat(64),
    "a".repeat(64) + ".",
    "b." + "a".repeat(64),
    ".",
    "..",
    "a..",
    "a.",
    "a..b",
    "\uff0e",
    "x".repeat(63) + "\u00fc",
    "\u00fc".repeat(30),
    "b\u00fccher.",
  ].map((h) => ({
    id: `getaddrinfo(${JSON.stringify(h.length > 20 ? `${h.slice(0, 4)}…(${h.length})` : h)}): idna's label rules`,
    py: `return [a[4] for a in getaddrinfo(${JSON.stringify(h)}, 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST)]`,
    ts: async () => (await m.getaddrinfo(h, 80, AF_INET, m.SOCK_STREAM, 0, m.AI_NUMERICHOST)).map((a: Loose) => a[4]),
  })),
];

const FILE_ROWS: Row[] = [
  {
    id: "makefile('rb').peek() returns buffered bytes without taking them",
    py: `c, s = pair(); c.sendall(b"hello"); f = s.makefile("rb"); p = f.peek(1)
return [len(p) > 0, b"hello".startswith(p), f.read(5)]`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      await c.sendall(b("hello"));
      const f = s.makefile("rb");
      const p: Uint8Array = await f.peek(1);
      const head = new TextDecoder().decode(p);
      return [p.length > 0, "hello".startsWith(head), await f.read(5)];
    },
  },
  {
    id: "makefile('rb').peek() at EOF, then closed",
    py: `c, s = pair(); c.close(); f = s.makefile("rb"); r = [f.peek()]; f.close()
try: f.peek()
except ValueError as e: r.append(str(e))
return r`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      c.close();
      const f = s.makefile("rb");
      const r: unknown[] = [await f.peek()];
      await f.close();
      try {
        await f.peek();
      } catch (e) {
        r.push((e as Error).message);
      }
      return r;
    },
  },
  {
    id: "makefile('rb').read(-2)",
    py: `c, s = pair(); return s.makefile("rb").read(-2)`,
    ts: async (x) => (await x.pair())[1].makefile("rb").read(-2),
  },
  {
    id: "makefile('rb', buffering=0).read(-2) reads to EOF",
    py: `c, s = pair(); c.sendall(b"ab"); c.close(); return s.makefile("rb", buffering=0).read(-2)`,
    ts: async (x) => {
      const [c, s] = await x.pair();
      await c.sendall(b("ab"));
      c.close();
      return await s.makefile("rb", { buffering: 0 }).read(-2);
    },
  },
  {
    id: "makefile('rb').write() raises UnsupportedOperation",
    py: `c, s = pair(); s.makefile("rb").write(b"x")`,
    ts: async (x) => (await x.pair())[1].makefile("rb").write(b("x")),
  },
  {
    id: "makefile('wb').read() raises UnsupportedOperation",
    py: `c, s = pair(); s.makefile("wb").read(1)`,
    ts: async (x) => (await x.pair())[1].makefile("wb").read(1),
  },
  {
    id: "makefile('rwb').fileno() raises UnsupportedOperation",
    py: `c, s = pair(); s.makefile("rwb").fileno()`,
    ts: async (x) => (await x.pair())[1].makefile("rwb").fileno(),
  },
  {
    id: "makefile('rb', buffering=0).write() raises UnsupportedOperation",
    py: `c, s = pair(); s.makefile("rb", buffering=0).write(b"x")`,
    ts: async (x) => (await x.pair())[1].makefile("rb", { buffering: 0 }).write(b("x")),
  },
  {
    id: "makefile('r').write() raises UnsupportedOperation",
    py: `c, s = pair(); s.makefile("r").write("x")`,
    ts: async (x) => (await x.pair())[1].makefile("r").write("x"),
  },
];

test("adversary7: recv flags MSG_TRUNC on TCP, Unix streams and UDP, as CPython on Linux", async () => {
  await compare(TRUNC_ROWS);
});

test("adversary7: UDP connect to port 0, listen() overflow, connect_ex() and recv_into() messages, repr of abstract names, as CPython", async () => {
  await compare(STATE_ROWS);
});

test("adversary7: setsockopt()/getsockopt() values, lengths and levels, as CPython on Linux", async () => {
  await compare(OPT_ROWS);
});

test("adversary7: socketpair() ends are unnamed; socket() arguments; recvmsg_into() buffers, as CPython", async () => {
  await compare(PAIR_ROWS);
});

test("adversary7: NUL bytes in hosts and Unix paths, scope_id wrapping, idna label rules, as CPython", async () => {
  await compare(ADDR_ROWS);
});

test("adversary7: makefile peek(), read(-2) and UnsupportedOperation, as CPython's io classes", async () => {
  await compare(FILE_ROWS);
});

// Every public callable with no arguments and with nine: CPython's TypeError wording, or what it does instead.
const SOCK_METHODS = [
  "accept",
  "bind",
  "close",
  "connect",
  "connect_ex",
  "detach",
  "dup",
  "fileno",
  "get_inheritable",
  "getblocking",
  "getpeername",
  "getsockname",
  "getsockopt",
  "gettimeout",
  "listen",
  "recv",
  "recv_into",
  "recvfrom",
  "recvfrom_into",
  "recvmsg",
  "recvmsg_into",
  "send",
  "sendall",
  "sendfile",
  "sendmsg",
  "sendto",
  "set_inheritable",
  "setblocking",
  "setsockopt",
  "settimeout",
  "shutdown",
];
const FUNCS = [
  "getaddrinfo",
  "getnameinfo",
  "gethostbyname",
  "gethostbyname_ex",
  "gethostbyaddr",
  "inet_aton",
  "inet_ntoa",
  "inet_pton",
  "inet_ntop",
  "htons",
  "htonl",
  "ntohs",
  "ntohl",
  "getservbyname",
  "getservbyport",
  "getprotobyname",
  "create_connection",
  "create_server",
  "setdefaulttimeout",
  "if_nametoindex",
  "if_indextoname",
  "close",
  "CMSG_LEN",
  "CMSG_SPACE",
  "sethostname",
];
const NO_ARG_FUNCS = [
  "getfqdn",
  "socketpair",
  "gethostname",
  "getdefaulttimeout",
  "if_nameindex",
  "has_dualstack_ipv6",
];

test("adversary7: every public callable called with too few or too many arguments raises CPython's TypeError text", async () => {
  const rows: Row[] = [];
  for (const name of SOCK_METHODS) {
    for (const n of [0, 9]) {
      rows.push({
        id: `socket.${name}/${n}`,
        py: `s = socket(); s.close(); return s.${name}(*([1] * ${n}))`,
        ts: (x) => {
          const s = x.sock();
          s.close();
          return s[name](...Array(n).fill(1));
        },
      });
    }
  }
  for (const name of [...FUNCS, ...NO_ARG_FUNCS]) {
    for (const n of NO_ARG_FUNCS.includes(name) ? [9] : [0, 9]) {
      rows.push({
        id: `${name}/${n}`,
        py: `import socket as _s; return _s.${name}(*(["x"] * ${n}))`,
        ts: () => (m as Loose)[name](...Array(n).fill("x")),
      });
    }
  }
  await compare(rows);
});
