// adv14c, A14c-1: detach() while a connect is in flight. CPython's connect(2) goes on on the descriptor: a
// blocking connect() waiting in another thread returns once the handshake completes, and the socket that adopts
// the number (socket(fileno=fd)) is connected; after a non-blocking connect (EINPROGRESS) the adopted socket is
// connected too. pysocket closed the connection as it arrived (the detached object was "closed"): the waiting
// connect raised EBADF and the adopted socket said ENOTCONN. Both connect paths (perf10's blocking fast path and
// the general one, taken after settimeout) are checked against the twin.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { attempt, connecting, cpython, err, settled_within, sleep } from "./_twin.ts";

const within = settled_within;

Deno.test("A14c-1: detach() under a connect in flight: the waiting connect and the adopted socket see the connection (twin)", async () => {
  const py = await cpython(`
out = {}
def blocking(settimeout_first):
    l, fill = stalled()
    s = socket()
    if settimeout_first: s.settimeout(5); s.settimeout(None)
    got = []
    def run():
        try: s.connect(l.getsockname()); got.append("ok")
        except OSError as e: got.append(err(e))
    t = threading.Thread(target=run); t.start(); time.sleep(0.2)
    pending = not got
    fd = s.detach()
    for f in fill: f.close()
    l.settimeout(5)
    acc = []
    try:
        while True:
            acc.append(l.accept()[0])
            l.settimeout(0.5)
    except OSError: pass
    t.join(10)
    a = socket(fileno=fd)
    r = [pending, got, attempt(lambda: a.getpeername() == l.getsockname()), attempt(lambda: a.connect(l.getsockname()))]
    a.close(); l.close()
    for x in acc: x.close()
    return r
out["fast"] = blocking(False)
out["general"] = blocking(True)
l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
s = socket(); s.setblocking(False)
ex = s.connect_ex(l.getsockname())
fd = s.detach(); time.sleep(0.1)
a = socket(fileno=fd)
out["nonblocking"] = [ex, attempt(lambda: a.getpeername() == l.getsockname())]
a.close(); l.close()
# a blocking recv waiting for a connect in flight goes on across detach()
l, fill = stalled()
s = socket(); s.setblocking(False)
ex = s.connect_ex(l.getsockname()); s.setblocking(True)
got = []
def rd():
    try: got.append(["ok", s.recv(16).decode()])
    except OSError as e: got.append(err(e))
t = threading.Thread(target=rd); t.start(); time.sleep(0.2)
fd = s.detach()
names = [f.getsockname() for f in fill]
for f in fill: f.close()
l.settimeout(10); acc = []
try:
    while True:
        x, peer = l.accept(); acc.append(x)
        if peer not in names:
            x.send(b"hi"); break
except OSError: pass
t.join(10)
a = socket(fileno=fd)
out["recv"] = [ex, got, attempt(lambda: a.getpeername() == l.getsockname())]
a.close(); l.close()
for x in acc: x.close()
print(json.dumps(out))
`);
  const out: Record<string, unknown> = {};
  const blocking = async (settimeout_first: boolean) => {
    // A listener whose backlog is full: the connect's SYN is dropped and retried (~1 s) once room is made.
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
    const port = (l.addr as Deno.NetAddr).port;
    const filler = await Deno.connect({ hostname: "127.0.0.1", port });
    const s = socket();
    if (settimeout_first) {
      s.settimeout(5);
      s.settimeout(null);
    }
    const got: unknown[] = [];
    const p = s.connect(["127.0.0.1", port]).then(() => got.push("ok"), (e) => got.push(err(e)));
    await sleep(200);
    const pending = got.length === 0;
    const fd = s.detach();
    const first = await l.accept();
    filler.close();
    first.close();
    const acc = await within(l.accept(), 10_000);
    await within(p, 10_000);
    const a = socket(undefined, undefined, undefined, fd);
    const r = [
      pending,
      got,
      await attempt(() => (a.getpeername() as [string, number])[1] === port),
      await attempt(() => a.connect(["127.0.0.1", port])),
    ];
    a.close();
    acc?.close();
    l.close();
    return r;
  };
  out.fast = await blocking(false);
  out.general = await blocking(true);
  {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    const s = socket();
    s.setblocking(false);
    const ex = await s.connect_ex(l.getsockname());
    const fd = s.detach();
    await sleep(100);
    const a = socket(undefined, undefined, undefined, fd);
    out.nonblocking = [
      ex,
      await attempt(() => JSON.stringify(a.getpeername()) === JSON.stringify(l.getsockname())),
    ];
    a.close();
    l.close();
  }
  {
    const { l, port, s, ex, free } = await connecting();
    const got: unknown[] = [];
    const p = s.recv(16).then((b) => got.push(["ok", new TextDecoder().decode(b)]), (e) => got.push(err(e)));
    await sleep(200);
    const fd = s.detach();
    await free();
    const acc = await within(l.accept(), 10_000);
    await acc?.write(new TextEncoder().encode("hi"));
    await within(p, 10_000);
    const a = socket(undefined, undefined, undefined, fd);
    out.recv = [ex, got, await attempt(() => (a.getpeername() as [string, number])[1] === port)];
    a.close();
    acc?.close();
    l.close();
  }
  assert.deepEqual(out, py);
  assert.deepEqual(out.fast, [true, ["ok"], ["ok", true], ["OSError", 106]]);
});
