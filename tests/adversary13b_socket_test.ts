// adv13b's fidelity probe of the plain-socket core: each finding beside its CPython twin (python3 in the same test).
// A13b-1: a UDP/Unix datagram read ahead before connect() is still returned after it (Linux keeps its queue).
// A13b-2: an AF_UNIX datagram send to a connected peer that is gone disconnects the socket (ENOTCONN after).
// A13b-3: recvmsg_into(buffers, 0, MSG_TRUNC) returns the datagram's real length.
// A13b-4: after a read raised ConnectionResetError, every send raises BrokenPipeError (a timed or non-blocking one too).
// A13b-7: a UDP connect() to the unspecified address ("0.0.0.0", "", "::") connects to loopback, as Linux.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_PEEK,
  MSG_TRUNC,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython, out } from "./_twin.ts";
import { HAS_IPV6, TempDir } from "./_socket_fixtures.ts";

const T = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PY_OUT = `
def out(fn):
    try:
        r = fn()
        return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e:
        return [type(e).__name__, getattr(e, "errno", None)]
`;
const FAMS = HAS_IPV6 ? [AF_INET, AF_INET6, AF_UNIX] : [AF_INET, AF_UNIX];

Deno.test("A13b-1: a datagram read ahead before connect() is returned after it; an AF_UNIX reconnect purges (CPython twin)", async () => {
  const twin = await cpython(
    PY_OUT + `
R = {}
for fam in ${JSON.stringify(FAMS)}:
    d = tempfile.mkdtemp()
    def mk(n):
        s = socket(fam, SOCK_DGRAM)
        s.bind(os.path.join(d, n) if fam == AF_UNIX else ("::1" if fam == AF_INET6 else "127.0.0.1", 0))
        return s
    a, b, c = mk("a"), mk("b"), mk("c")
    c.sendto(b"stranger", a.getsockname())
    seen = len(select.select([a], [], [], 2)[0])
    a.connect(b.getsockname())
    b.sendto(b"peer", a.getsockname())
    if fam != AF_UNIX: c.sendto(b"late", a.getsockname())  # (Linux refuses it on AF_UNIX: EPERM, not emulated)
    a.settimeout(0.4)
    got = [out(lambda: a.recv(20)) for _ in range(3)]
    # AF_UNIX: connect() to another peer purges the queue (unix_dgram_disconnected); UDP keeps it.
    b.sendto(b"old", a.getsockname())
    seen2 = len(select.select([a], [], [], 2)[0])
    a.connect(c.getsockname())
    got2 = out(lambda: a.recv(20))
    R[str(fam)] = [seen, got, seen2, got2]
    for s in (a, b, c): s.close()
print(json.dumps(R))
`,
  );
  const mine: Record<string, unknown> = {};
  for (const fam of FAMS) {
    using dir = new TempDir();
    const mk = (n: string) => {
      const s = socket(fam, SOCK_DGRAM);
      s.bind(fam === AF_UNIX ? dir.sock(n) : [fam === AF_INET6 ? "::1" : "127.0.0.1", 0]);
      return s;
    };
    const [a, b, c] = [mk("a"), mk("b"), mk("c")];
    try {
      await c.sendto(T("stranger"), a.getsockname());
      const seen = (await select([a], [], [], 2))[0].length;
      await a.connect(b.getsockname());
      await b.sendto(T("peer"), a.getsockname());
      if (fam !== AF_UNIX) await c.sendto(T("late"), a.getsockname());
      a.settimeout(0.4);
      const got = [];
      for (let i = 0; i < 3; i++) got.push(await out(() => a.recv(20)));
      await b.sendto(T("old"), a.getsockname());
      const seen2 = (await select([a], [], [], 2))[0].length;
      await a.connect(c.getsockname());
      const got2 = await out(() => a.recv(20));
      mine[String(fam)] = [seen, got, seen2, got2];
    } finally {
      for (const s of [a, b, c]) s.close();
    }
  }
  assert.deepEqual(mine, twin);
});

Deno.test("A13b-2: an AF_UNIX datagram send to a connected peer that closed raises ECONNREFUSED once, then ENOTCONN (CPython twin)", async () => {
  const twin = await cpython(
    PY_OUT + `
R = {}
d = tempfile.mkdtemp()
for kind in ("bound", "unbound", "pair"):
    if kind == "pair":
        a, b = socketpair(AF_UNIX, SOCK_DGRAM)
        c = None
    else:
        a = socket(AF_UNIX, SOCK_DGRAM); a.bind(os.path.join(d, "a" + kind))
        b = socket(AF_UNIX, SOCK_DGRAM)
        if kind == "bound": b.bind(os.path.join(d, "b" + kind))
        b.connect(os.path.join(d, "a" + kind))
        c = socket(AF_UNIX, SOCK_DGRAM); c.bind(os.path.join(d, "c" + kind))
    a.close()
    b.settimeout(1)
    r = [out(lambda: b.send(b"1")), out(lambda: b.getpeername() and "peer"), out(lambda: b.send(b"2")),
         out(lambda: b.sendall(b"3"))]
    if c is not None:
        r.append(out(lambda: b.sendto(b"4", c.getsockname())))
        c.settimeout(1)
        r.append(out(lambda: c.recv(5)))
        c.close()
    R[kind] = r
    b.close()
print(json.dumps(R))
`,
  );
  const mine: Record<string, unknown> = {};
  using dir = new TempDir();
  for (const kind of ["bound", "unbound", "pair"]) {
    let a: Socket, b: Socket, c: Socket | null = null;
    if (kind === "pair") {
      [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
    } else {
      a = socket(AF_UNIX, SOCK_DGRAM);
      a.bind(dir.sock("a" + kind));
      b = socket(AF_UNIX, SOCK_DGRAM);
      if (kind === "bound") b.bind(dir.sock("b" + kind));
      await b.connect(dir.sock("a" + kind));
      c = socket(AF_UNIX, SOCK_DGRAM);
      c.bind(dir.sock("c" + kind));
    }
    a.close();
    b.settimeout(1);
    const r = [
      await out(() => b.send(T("1"))),
      await out(() => b.getpeername() && "peer"),
      await out(() => b.send(T("2"))),
      await out(() => b.sendall(T("3"))),
    ];
    if (c !== null) {
      const to = c.getsockname();
      r.push(await out(() => b.sendto(T("4"), to)));
      c.settimeout(1);
      r.push(await out(() => c!.recv(5)));
      c.close();
    }
    mine[kind] = r;
    b.close();
  }
  assert.deepEqual(mine, twin);
});

Deno.test("A13b-3: recvmsg_into(buffers, 0, MSG_TRUNC) returns a datagram's real length, MSG_PEEK too (CPython twin)", async () => {
  const twin = await cpython(
    PY_OUT + `
R = []
d = tempfile.mkdtemp()
for fam in (AF_INET, AF_UNIX):
    a = socket(fam, SOCK_DGRAM); a.bind(os.path.join(d, "a") if fam == AF_UNIX else ("127.0.0.1", 0))
    b = socket(fam, SOCK_DGRAM)
    for sizes in ([2, 1], [], [8]):
        for fl in (MSG_TRUNC, MSG_TRUNC | MSG_PEEK, 0):
            b.sendto(b"hello", a.getsockname())
            bufs = [bytearray(n) for n in sizes]
            n, anc, flags, _ = a.recvmsg_into(bufs, 0, fl)
            R.append([n, anc, int(flags), [x.decode() for x in bufs]])
            if fl & MSG_PEEK: a.recv(10)
    a.close(); b.close()
print(json.dumps(R))
`,
  );
  const mine = [];
  using dir = new TempDir();
  for (const fam of [AF_INET, AF_UNIX]) {
    const a = socket(fam, SOCK_DGRAM);
    a.bind(fam === AF_UNIX ? dir.sock("a") : ["127.0.0.1", 0]);
    const b = socket(fam, SOCK_DGRAM);
    try {
      for (const sizes of [[2, 1], [], [8]]) {
        for (const fl of [MSG_TRUNC, MSG_TRUNC | MSG_PEEK, 0]) {
          await b.sendto(T("hello"), a.getsockname());
          const bufs = sizes.map((n) => new Uint8Array(n));
          const [n, anc, flags] = await a.recvmsg_into(bufs, 0, fl);
          mine.push([n, anc, flags, bufs.map((x) => new TextDecoder().decode(x))]);
          if (fl & MSG_PEEK) await a.recv(10);
        }
      }
    } finally {
      a.close();
      b.close();
    }
  }
  assert.deepEqual(mine, twin);
});

/** A python3 peer that accepts one connection, reads a byte and resets it (SO_LINGER 0); prints its address first. */
const RESETTER = `
import json, struct, sys, time
from socket import *
fam = int(sys.argv[1])
l = socket(fam); l.bind(("::1" if fam == AF_INET6 else "127.0.0.1", 0)); l.listen()
print(json.dumps(l.getsockname()), flush=True)
s, _ = l.accept(); s.recv(1)
s.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); s.close(); time.sleep(1)
`;

Deno.test("A13b-4: after recv raised ConnectionResetError, timed and non-blocking sends raise BrokenPipeError (CPython twin)", async () => {
  const fams = HAS_IPV6 ? [AF_INET, AF_INET6] : [AF_INET];
  const modes: (number | null)[] = [null, 2, 0];
  const twin = await cpython(
    PY_OUT + `
import subprocess
R = {}
for fam in ${JSON.stringify(fams)}:
    for tmo in (None, 2, 0):
        p = subprocess.Popen([sys.executable, "-c", ${
      JSON.stringify(RESETTER)
    }, str(fam)], stdout=subprocess.PIPE, text=True)
        c = socket(fam); c.connect(tuple(json.loads(p.stdout.readline()))); c.send(b"!"); time.sleep(0.3)
        c.settimeout(tmo)
        f = c.makefile("wb")
        def file_write():
            f.write(b"x"); f.flush()
        R["%d/%s" % (fam, tmo)] = [out(lambda: c.recv(10)), out(lambda: c.send(b"x")), out(lambda: c.sendall(b"x")),
                                  out(file_write), out(lambda: c.recv(10))]
        try: f.close()
        except OSError: pass
        c.close(); p.wait()
print(json.dumps(R))
`,
  );
  const mine: Record<string, unknown> = {};
  for (const fam of fams) {
    for (const tmo of modes) {
      const child = new Deno.Command("python3", { args: ["-c", RESETTER, String(fam)], stdout: "piped" }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let first = "";
      while (!first.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) break;
        first += value;
      }
      const c = socket(fam);
      try {
        await c.connect(JSON.parse(first));
        await c.send(T("!"));
        await sleep(300);
        c.settimeout(tmo);
        const f = c.makefile("wb");
        mine[`${fam}/${tmo === null ? "None" : tmo}`] = [
          await out(() => c.recv(10)),
          await out(() => c.send(T("x"))),
          await out(() => c.sendall(T("x"))),
          await out(async () => {
            await f.write(T("x"));
            await f.flush();
          }),
          await out(() => c.recv(10)),
        ];
        try {
          await f.close();
        } catch { /* the file's bytes cannot go */ }
      } finally {
        c.close();
        await lines.cancel();
        await child.status;
      }
    }
  }
  assert.deepEqual(mine, twin);
});

Deno.test("A13b-7: a UDP connect() to the unspecified address connects to loopback (or the bound address): getpeername and recv as Linux (CPython twin)", async () => {
  const v6 = HAS_IPV6;
  const twin = await cpython(
    PY_OUT + `
R = {}
def rows(fam, bind_to, connect_to, loop):
    peer = socket(fam, SOCK_DGRAM); peer.bind((loop, 0)); peer.settimeout(1)
    s = socket(fam, SOCK_DGRAM)
    if bind_to is not None: s.bind((bind_to, 0))
    s.settimeout(0.5)
    r = [out(lambda: s.connect((connect_to, peer.getsockname()[1]))),
         out(lambda: list(s.getpeername()[:1])), out(lambda: s.getsockname()[0]), out(lambda: s.send(b"to"))]
    r.append(out(lambda: peer.recvfrom(10)[0]))
    peer.sendto(b"back", s.getsockname()[:2])
    r.append(out(lambda: s.recv(10)))
    s.close(); peer.close()
    return r
R["v4 bound to loopback, 0.0.0.0"] = rows(AF_INET, "127.0.0.1", "0.0.0.0", "127.0.0.1")
R["v4 unbound, ''"] = rows(AF_INET, None, "", "127.0.0.1")
if ${v6 ? "True" : "False"}:
    R["v6 bound to ::1, ::"] = rows(AF_INET6, "::1", "::", "::1")
l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket(); c.connect(("0.0.0.0", l.getsockname()[1]))
R["TCP, 0.0.0.0"] = out(lambda: list(c.getpeername()[:1]))
c.close(); l.close()
print(json.dumps(R))
`,
  );
  const rows = async (fam: number, bind_to: string | null, connect_to: string, loop: string) => {
    const peer = socket(fam, SOCK_DGRAM);
    peer.bind([loop, 0]);
    peer.settimeout(1);
    const s = socket(fam, SOCK_DGRAM);
    if (bind_to !== null) s.bind([bind_to, 0]);
    s.settimeout(0.5);
    try {
      const port = (peer.getsockname() as [string, number])[1];
      const r = [
        await out(() => s.connect([connect_to, port])),
        await out(() => (s.getpeername() as unknown[]).slice(0, 1)),
        await out(() => (s.getsockname() as unknown[])[0]),
        await out(() => s.send(T("to"))),
      ];
      r.push(await out(async () => (await peer.recvfrom(10))[0]));
      await peer.sendto(T("back"), (s.getsockname() as [string, number]).slice(0, 2) as [string, number]);
      r.push(await out(() => s.recv(10)));
      return r;
    } finally {
      s.close();
      peer.close();
    }
  };
  const mine: Record<string, unknown> = {};
  mine["v4 bound to loopback, 0.0.0.0"] = await rows(AF_INET, "127.0.0.1", "0.0.0.0", "127.0.0.1");
  mine["v4 unbound, ''"] = await rows(AF_INET, null, "", "127.0.0.1");
  if (v6) mine["v6 bound to ::1, ::"] = await rows(AF_INET6, "::1", "::", "::1");
  {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    const c = socket();
    try {
      await c.connect(["0.0.0.0", (l.getsockname() as [string, number])[1]]);
      mine["TCP, 0.0.0.0"] = await out(() => (c.getpeername() as unknown[]).slice(0, 1));
    } finally {
      c.close();
      l.close();
    }
  }
  assert.deepEqual(mine, twin);
});
