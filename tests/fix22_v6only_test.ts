// fix22 (P15-2, fixed): IPV6_V6ONLY follows Linux at bind. `__inet6_bind()` sets `sk_ipv6only` for a specific address
// that is neither `::` nor IPv4-mapped (restored when the bind fails), an accepted socket inherits its listener's, and
// `do_ipv6_setsockopt(IPV6_V6ONLY)` returns EINVAL while the socket has a local port (`inet_num`: bound, listening,
// connecting, connected, accepted, autobound by a send or a connect; given back once a TCP connection is closed in
// the kernel: refused, reset, FINs both ways). Before the fix pysocket read 0 after bind(("::1", 0)) and took the
// option at any time. The class: SOCK_STREAM and SOCK_DGRAM x bind (::1 as 2- and 4-tuple and spelt long, ::, the
// mapped 127.0.0.1, a port in use, a second bind) / listen / accept / connect (in flight, refused, reset, FINs) /
// sendto and connect autobinds / create_server / create_connection / detach / socketpair(AF_INET6), against CPython
// 3.11 (twin). Loopback only. Each row reads the option, sets it to 0, reads it again, and, on a socket with a port,
// sets it to 1 and reads it (setting 1 on a socket without one is the documented ENOPROTOOPT: Deno's IPv6 listeners
// are dual-stack, docs/limits.md). create_server(("::", 0), family=AF_INET6) stays that documented difference.

import assert from "node:assert/strict";
import {
  type AddressInput,
  AF_INET6,
  create_connection,
  create_server,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SHUT_RDWR,
  SHUT_WR,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
} from "../mod.ts";
import { _set_platform_for_tests } from "../_platform.ts";
import { HAS_IPV6, RESET_PEER_PY, test_needing } from "./_socket_fixtures.ts";
import { attempt, cpython, settled_within, sleep } from "./_twin.ts";

const test = test_needing("python3");

const PY = `
def ops(s, full):
    r = [attempt(lambda: s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)),
         attempt(lambda: s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)),
         attempt(lambda: s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY))]
    if full:
        r += [attempt(lambda: s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)),
              attempt(lambda: s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY))]
    return r
def sock(t): return socket(AF_INET6, SOCK_DGRAM if t == "udp" else SOCK_STREAM)
def listener(host="::1"):
    l = socket(AF_INET6); l.bind((host, 0)); l.listen(); return l
def gone():
    d = socket(AF_INET6); d.bind(("::1", 0)); p = d.getsockname()[1]; d.close(); return p
def row(name):
    t, what = name.split("/")
    keep = []
    def k(*xs): keep.extend(xs); return xs[0]
    try:
        if t == "pair": return [attempt(lambda: socketpair(AF_INET6, SOCK_DGRAM if what == "dgram" else SOCK_STREAM) and 0)]
        if what == "fresh": return ops(k(sock(t)), False)
        if what.startswith("bind_"):
            s = k(sock(t))
            s.bind({"bind_v6": ("::1", 0), "bind_v6_4": ("::1", 0, 0, 0), "bind_v6_long": ("0:0:0:0:0:0:0:1", 0),
                    "bind_any": ("::", 0), "bind_mapped": ("::ffff:127.0.0.1", 0)}[what])
            return ops(s, True)
        if what == "inuse":
            a = k(sock(t)); a.bind(("::1", 0))
            if t == "tcp": a.listen()
            s = k(sock(t))
            return [attempt(lambda: s.bind(a.getsockname()))] + ops(s, False)
        if what == "second_bind":
            s = k(sock(t)); s.bind(("::", 0))
            return [attempt(lambda: s.bind(("::1", 0)))] + ops(s, True)
        if what == "detach":
            s = sock(t); s.bind(("::1", 0))
            return ops(k(socket(AF_INET6, s.type, 0, s.detach())), True)
        if t == "udp":
            s = k(sock(t))
            if what == "sendto":
                rx = k(sock(t)); rx.bind(("::1", 0)); s.sendto(b"x", rx.getsockname())
            elif what == "connect": s.connect(("::1", gone()))
            elif what == "bound_connect": s.bind(("::1", 0)); s.connect(("::1", gone()))
            elif what == "recv_unbound":
                s.setblocking(False); return [attempt(lambda: s.recv(1))] + ops(s, False)
            return ops(s, True)
        if what == "listen_v6": return ops(k(listener()), True)
        if what == "listen_unbound":
            s = k(sock(t)); s.listen(); return ops(s, True)
        if what == "create_server": return ops(k(create_server(("::1", 0), family=AF_INET6)), True)
        if what == "create_server_dual":
            return ops(k(create_server(("::", 0), family=AF_INET6, dualstack_ipv6=True)), True)
        if what == "bound_port_fins":
            l = k(listener()); p = gone()
            c = k(sock(t)); c.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); c.bind(("::1", p)); c.connect(l.getsockname())
            a = k(l.accept()[0]); c.shutdown(SHUT_WR); a.shutdown(SHUT_WR); time.sleep(0.1)
            return [attempt(lambda: c.recv(10)), attempt(lambda: a.recv(10))] + ops(c, False)
        if what in ("refused", "bound_refused"):
            s = k(sock(t))
            if what == "bound_refused": s.bind(("::1", 0))
            return [attempt(lambda: s.connect(("::1", gone())))] + ops(s, False)
        if what == "reset":
            # tests/fixtures/reset_peer.py on ::1 resets (SO_LINGER 0) the connection 150 ms after accepting it.
            import subprocess
            pr = subprocess.Popen([sys.executable, RESET_PEER_PY, "6", "", "150"], stdout=subprocess.PIPE)
            try:
                c = k(create_connection(("::1", int(pr.stdout.readline())))); time.sleep(0.4)
                return [attempt(lambda: c.recv(10))] + ops(c, False)
            finally:
                pr.kill(); pr.wait(10); pr.stdout.close()
        if what == "connecting":
            l = k(socket(AF_INET6)); l.bind(("::1", 0)); l.listen(0)
            k(create_connection(l.getsockname()[:2]))
            for _ in range(3):
                x = k(socket(AF_INET6)); x.setblocking(False); x.connect_ex(l.getsockname())
            s = k(sock(t)); s.setblocking(False)
            return [s.connect_ex(l.getsockname())] + ops(s, True)
        # connected pairs: the listener on ::1 (or as named), the client on ::1 (or AF_INET to the mapped one)
        host = {"accepted_any": "::", "accepted_mapped": "::ffff:127.0.0.1"}.get(what, "::1")
        l = k(create_server(("::1", 0), family=AF_INET6) if what.startswith("cs_") else listener(host))
        p = l.getsockname()[1]
        if what == "accepted_mapped": c = k(create_connection(("127.0.0.1", p)))
        elif what == "cs_client": c = k(create_connection(("::1", p)))
        elif what == "bound_client":
            c = k(sock(t)); c.bind(("::1", 0)); c.connect(("::1", p))
        else: c = k(create_connection(("::1", p)))
        a = k(l.accept()[0])
        if what in ("accepted", "accepted_any", "accepted_mapped", "cs_accepted"): return ops(a, True)
        if what == "accepted_after_close":
            l.close(); return ops(a, True)
        if what == "shutdown":
            c.shutdown(SHUT_RDWR); time.sleep(0.1); return ops(c, True)
        if what == "peer_closed":
            a.close(); time.sleep(0.1); return ops(c, True)
        if what == "fins":
            c.shutdown(SHUT_WR); a.shutdown(SHUT_WR); time.sleep(0.1)
            return [attempt(lambda: c.recv(10)), attempt(lambda: a.recv(10))] + ops(c, False) + ops(a, False)
        return ops(c, True)
    finally:
        for x in keep: x.close()
print(json.dumps({n: row(n) for n in NAMES}))
`;

const ROWS = [
  ...["tcp", "udp"].flatMap((t) =>
    [
      "fresh",
      "bind_v6",
      "bind_v6_4",
      "bind_v6_long",
      "bind_any",
      "bind_mapped",
      "inuse",
      "second_bind",
      "detach",
    ].map((w) => `${t}/${w}`)
  ),
  ...["sendto", "connect", "bound_connect", "recv_unbound"].map((w) => `udp/${w}`),
  ...[
    "listen_v6",
    "listen_unbound",
    "create_server",
    "create_server_dual",
    "refused",
    "connecting",
    "client",
    "bound_client",
    "accepted",
    "accepted_any",
    "accepted_mapped",
    "accepted_after_close",
    "cs_client",
    "cs_accepted",
    "shutdown",
    "peer_closed",
    "reset",
    "fins",
  ].map((w) => `tcp/${w}`),
  "pair/stream",
  "pair/dgram",
];

async function ops(s: Socket, full: boolean): Promise<unknown[]> {
  const r = [
    await attempt(() => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)),
    await attempt(() => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)),
    await attempt(() => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)),
  ];
  if (full) {
    r.push(
      await attempt(() => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)),
      await attempt(() => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)),
    );
  }
  return r;
}

const sock = (t: string): Socket => socket(AF_INET6, t === "udp" ? SOCK_DGRAM : SOCK_STREAM);

function listener(host = "::1"): Socket {
  const l = socket(AF_INET6);
  l.bind([host, 0]);
  l.listen();
  return l;
}

/** A ::1 port nobody listens on. */
function gone(): number {
  const d = socket(AF_INET6);
  d.bind(["::1", 0]);
  const p = d.getsockname()[1];
  d.close();
  return p;
}

const BINDS: Record<string, AddressInput> = {
  bind_v6: ["::1", 0],
  bind_v6_4: ["::1", 0, 0, 0],
  bind_v6_long: ["0:0:0:0:0:0:0:1", 0],
  bind_any: ["::", 0],
  bind_mapped: ["::ffff:127.0.0.1", 0],
};

async function row(name: string): Promise<unknown[]> {
  const [t, what] = name.split("/") as [string, string];
  const keep: { close(): void }[] = [];
  const k = <T extends { close(): void }>(x: T): T => (keep.push(x), x);
  try {
    if (t === "pair") {
      return [await attempt(async () => (await socketpair(AF_INET6, what === "dgram" ? SOCK_DGRAM : SOCK_STREAM), 0))];
    }
    if (what === "fresh") return await ops(k(sock(t)), false);
    if (what in BINDS) {
      const s = k(sock(t));
      s.bind(BINDS[what]!);
      return await ops(s, true);
    }
    if (what === "inuse") {
      const a = k(sock(t));
      a.bind(["::1", 0]);
      if (t === "tcp") a.listen();
      const s = k(sock(t));
      return [await attempt(() => s.bind(a.getsockname())), ...await ops(s, false)];
    }
    if (what === "second_bind") {
      const s = k(sock(t));
      s.bind(["::", 0]);
      return [await attempt(() => s.bind(["::1", 0])), ...await ops(s, true)];
    }
    if (what === "detach") {
      const s = sock(t);
      s.bind(["::1", 0]);
      return await ops(k(socket(AF_INET6, s.type, 0, s.detach())), true);
    }
    if (t === "udp") {
      const s = k(sock(t));
      if (what === "sendto") {
        const rx = k(sock(t));
        rx.bind(["::1", 0]);
        await s.sendto(new Uint8Array([120]), rx.getsockname());
      } else if (what === "connect") await s.connect(["::1", gone()]);
      else if (what === "bound_connect") {
        s.bind(["::1", 0]);
        await s.connect(["::1", gone()]);
      } else if (what === "recv_unbound") {
        s.setblocking(false);
        return [await attempt(() => s.recv(1)), ...await ops(s, false)];
      }
      return await ops(s, true);
    }
    if (what === "listen_v6") return await ops(k(listener()), true);
    if (what === "listen_unbound") {
      const s = k(sock(t));
      s.listen();
      return await ops(s, true);
    }
    if (what === "create_server") return await ops(k(create_server(["::1", 0], { family: AF_INET6 })), true);
    if (what === "create_server_dual") {
      return await ops(k(create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true })), true);
    }
    if (what === "bound_port_fins") {
      const l = k(listener()), p = gone();
      const c = k(sock(t));
      c.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      c.bind(["::1", p]);
      await c.connect(l.getsockname());
      const [a] = await l.accept();
      k(a);
      await c.shutdown(SHUT_WR);
      await a.shutdown(SHUT_WR);
      await sleep(100);
      return [await attempt(() => c.recv(10)), await attempt(() => a.recv(10)), ...await ops(c, false)];
    }
    if (what === "refused" || what === "bound_refused") {
      const s = k(sock(t));
      if (what === "bound_refused") s.bind(["::1", 0]);
      return [await attempt(() => s.connect(["::1", gone()])), ...await ops(s, false)];
    }
    if (what === "reset") {
      // tests/fixtures/reset_peer.py on ::1 resets (SO_LINGER 0) the connection 150 ms after accepting it (a pysocket
      // peer would send a FIN: docs/limits.md "pysocket seldom sends a TCP reset").
      const child = new Deno.Command("python3", {
        args: [RESET_PEER_PY, "6", "", "150"],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      try {
        const reader = child.stdout.getReader();
        let text = "";
        for (let i = 0; i < 50 && !text.includes("\n"); i++) {
          const r = await settled_within(reader.read(), 10_000);
          if (r === null || r.done) break;
          text += new TextDecoder().decode(r.value);
        }
        reader.releaseLock();
        const c = k(await create_connection(["::1", Number(text.trim())]));
        await sleep(400);
        return [await attempt(() => c.recv(10)), ...await ops(c, false)];
      } finally {
        try {
          child.kill();
        } catch { /* exited */ }
        await child.output().catch(() => {});
      }
    }
    if (what === "connecting") {
      // A listener whose backlog is full (Deno's tcpBacklog 0 and one connection): the connect stays in flight.
      const l = Deno.listen({ hostname: "::1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
      const port = (l.addr as Deno.NetAddr).port;
      const filler = await Deno.connect({ hostname: "::1", port });
      try {
        const s = k(sock(t));
        s.setblocking(false);
        return [await s.connect_ex(["::1", port]), ...await ops(s, true)];
      } finally {
        filler.close();
        l.close();
      }
    }
    // Connected pairs: the listener on ::1 (or as named), the client on ::1 (or AF_INET to the mapped one).
    const host = what === "accepted_any" ? "::" : what === "accepted_mapped" ? "::ffff:127.0.0.1" : "::1";
    const l = k(what.startsWith("cs_") ? create_server(["::1", 0], { family: AF_INET6 }) : listener(host));
    const p = (l.getsockname() as [string, number])[1];
    let c: Socket;
    if (what === "accepted_mapped") c = k(await create_connection(["127.0.0.1", p]));
    else if (what === "bound_client") {
      c = k(sock(t));
      c.bind(["::1", 0]);
      await c.connect(["::1", p]);
    } else c = k(await create_connection(["::1", p]));
    const [a] = await l.accept();
    k(a);
    if (["accepted", "accepted_any", "accepted_mapped", "cs_accepted"].includes(what)) return await ops(a, true);
    if (what === "accepted_after_close") {
      l.close();
      return await ops(a, true);
    }
    if (what === "shutdown") {
      await c.shutdown(SHUT_RDWR);
      await sleep(100);
      return await ops(c, true);
    }
    if (what === "peer_closed") {
      a.close();
      await sleep(100);
      return await ops(c, true);
    }
    if (what === "fins") {
      await c.shutdown(SHUT_WR);
      await a.shutdown(SHUT_WR);
      await sleep(100);
      return [
        await attempt(() => c.recv(10)),
        await attempt(() => a.recv(10)),
        ...await ops(c, false),
        ...await ops(a, false),
      ];
    }
    return await ops(c, true);
  } finally {
    for (const x of keep) x.close();
  }
}

/** Compare `rows` with CPython's; the rows that differ, described. */
async function differing(rows: string[]): Promise<string[]> {
  const [py, ts] = await Promise.all([
    cpython(`NAMES = ${JSON.stringify(rows)}\nRESET_PEER_PY = ${JSON.stringify(RESET_PEER_PY)}\n${PY}`) as Promise<
      Record<string, unknown>
    >,
    (async () => {
      const res: Record<string, unknown> = {};
      await Promise.all(rows.map(async (n) => res[n] = await row(n)));
      return res;
    })(),
  ]);
  return rows.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n]))
    .map((n) => `${n}: CPython ${JSON.stringify(py[n])}, pysocket ${JSON.stringify(ts[n])}`);
}

test({
  name: "fix22 P15-2: IPV6_V6ONLY set by a bind to a specific IPv6 address, inherited on accept, EINVAL to set " +
    "while the socket has a port; TCP and UDP, bind/listen/accept/connect/autobind/create_server (twin)",
  ignore: !HAS_IPV6,
  async fn() {
    assert.deepEqual(await differing(ROWS), []);
    console.log(`fix22 IPV6_V6ONLY: ${ROWS.length} rows equal to CPython's`);
  },
});

// The bytes forms and a short value: getsockopt(…, 4) shows the flag bind set; a value shorter than an int is
// EINVAL, bound or not (Linux checks optlen first), as CPython.
test({
  name: "fix22 P15-2: IPV6_V6ONLY's bytes forms after a bind to ::1, and a short value (twin)",
  ignore: !HAS_IPV6,
  async fn() {
    const py = await cpython(`
s = socket(AF_INET6, SOCK_DGRAM); s.bind(("::1", 0)); f = socket(AF_INET6)
print(json.dumps([list(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 4)), list(f.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 4)),
  attempt(lambda: s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, b"\\0\\0\\0\\0")),
  attempt(lambda: s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, b"\\0")),
  attempt(lambda: f.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, b"\\0"))]))
`);
    using s = socket(AF_INET6, SOCK_DGRAM);
    s.bind(["::1", 0]);
    using f = socket(AF_INET6);
    const ts = [
      [...s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 4)],
      [...f.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 4)],
      await attempt(() => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, new Uint8Array(4))),
      await attempt(() => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, new Uint8Array(1))),
      await attempt(() => f.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, new Uint8Array(1))),
    ];
    assert.deepEqual(ts, py);
  },
});

// V6ONLY-1 (documented, not fixed): which TCP socket keeps its port once its connection or connect attempt ended.
// Linux gives back a port the kernel picked (a bind to port 0, an autobind) and keeps one named to bind()
// (SOCK_BINDPORT_LOCK); pysocket's TCP socket gives its port back whenever the connection closed (reset, FINs both
// ways), and keeps it after a refused connect from a bound socket (bound again, as docs/limits.md's "Connecting from a
// bound address" describes). So setting IPV6_V6ONLY there differs: EINVAL/None after FINs on a socket bound to a named
// port, None/EINVAL after a refused connect from one bound to port 0. Knowing needs the bind's port in the connect
// path's state (socket.ts #rebind and the connected socket): left to the owner of those paths.
const RESIDUAL = ["tcp/bound_refused", "tcp/bound_port_fins"];
const RESIDUAL_WHY = "V6ONLY-1: after a TCP connection or connect attempt ended, Linux keeps a port named to bind() " +
  "and gives back one it picked; pysocket gives back every closed connection's and keeps a refused bound socket's " +
  "(setsockopt(IPV6_V6ONLY, 0): CPython EINVAL / pysocket None after FINs from a named port; None / EINVAL after " +
  "a refused connect from a port-0 bind)";
console.log(`ignored: fix22 ${RESIDUAL.join(", ")}: ${RESIDUAL_WHY}`);
test({
  name: `fix22 V6ONLY-1: ${RESIDUAL.join(", ")} (twin)`,
  ignore: true,
  async fn() {
    assert.deepEqual(await differing(RESIDUAL), []);
  },
});

// The platform seam (docs/platforms.md): Windows' IPv6 sockets have IPV6_V6ONLY on from the start (Deno leaves it:
// ENOPROTOOPT to clear it), macOS and the BSDs leave it as it was at bind; both refuse to change it once bound (EINVAL,
// BSD's ip6_ctloutput as Linux). Reasoned, not run there.
test({
  name: "fix22 P15-2: the windows and darwin seams: IPV6_V6ONLY after a bind to ::1, and EINVAL to set it then",
  ignore: !HAS_IPV6,
  fn() {
    const seen: Record<string, unknown[]> = {};
    for (const os of ["windows", "darwin"]) {
      _set_platform_for_tests(os);
      try {
        for (const t of ["tcp", "udp"]) {
          using s = sock(t);
          const fresh = s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY);
          s.bind(["::1", 0]);
          const r: unknown[] = [fresh, s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)];
          for (const v of [0, 1]) {
            try {
              s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, v);
              r.push("ok");
            } catch (e) {
              r.push((e as { errno?: number }).errno);
            }
          }
          seen[`${os}/${t}`] = r;
        }
      } finally {
        _set_platform_for_tests(null);
      }
    }
    assert.deepEqual(seen, {
      "windows/tcp": [1, 1, 22, 22],
      "windows/udp": [1, 1, 22, 22],
      "darwin/tcp": [0, 0, 22, 22],
      "darwin/udp": [0, 0, 22, 22],
    });
  },
});
