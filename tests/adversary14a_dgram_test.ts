// adv14a's probe of the datagram layer, each finding beside its CPython twin (python3 in the same test).
// A scenario is a list of steps run by a small interpreter here and by its twin in python3; every step's outcome
// (value, or exception class / errno / str(e)) is compared. Addresses print as the name of the socket they belong to.
// A14a-1: UDP connect() keeps what the kernel queued before it (a stranger's datagram too), and a reconnect does not
//         let in a datagram that arrived while the old peer's filter held (Linux filters on arrival).
// A14a-2: send() on an unconnected AF_UNIX datagram socket shut for writing raises BrokenPipeError (not ENOTCONN).
// A14a-3: an AF_UNIX datagram socket shut for writing is writable (a send raises at once), even with a receive pending.
// A14a-4: a socketpair(AF_UNIX, SOCK_DGRAM) end connected to another socket reports that peer in getpeername().

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_PEEK,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython } from "./_twin.ts";
import { HAS_IPV6, TempDir } from "./_socket_fixtures.ts";

type Step = (string | number | boolean | null | (string | number)[])[];
type Scenarios = Record<string, Step[]>;

const FAM: Record<string, number> = { u4: AF_INET, u6: AF_INET6, unix: AF_UNIX };
const FLAGS: Record<string, number> = { PEEK: MSG_PEEK, DW: MSG_DONTWAIT };
const UDP = HAS_IPV6 ? ["u4", "u6"] : ["u4"];

const PY = `
import selectors
FAM = {"u4": AF_INET, "u6": AF_INET6, "unix": AF_UNIX}
FL = {"PEEK": MSG_PEEK, "DW": MSG_DONTWAIT}
def flags(f):
    return sum(FL[x] for x in (f or "").split("|") if x)
def run(D, steps):
    S, nm, log = {}, {}, []
    def norm(v):
        if isinstance(v, bytes): return "b:" + v.decode("latin-1")
        if isinstance(v, (tuple, list)):
            for n in S:
                if nm.get(n) is not None and tuple(v) == tuple(nm[n]) if isinstance(nm.get(n), tuple) else False: return "@" + n
            if len(v) in (2, 4) and isinstance(v[0], str) and isinstance(v[1], int) and v[1] >= 1024: v = [v[0], "P"] + list(v[2:])
            return [norm(x) for x in v]
        if isinstance(v, str):
            for n in S:
                if v and nm.get(n) == v: return "@" + n
        return v
    def addr(a):
        return nm[a[1:]] if isinstance(a, str) and a.startswith("@") else tuple(a) if isinstance(a, list) else a
    def do(op):
        k = op[0]
        if k == "mk":
            s = S[op[1]] = socket(FAM[op[2]], SOCK_DGRAM)
            s.bind(os.path.join(D, op[1]) if op[2] == "unix" else ("::1" if op[2] == "u6" else "127.0.0.1", 0))
            nm[op[1]] = s.getsockname(); return None
        if k == "pair":
            S[op[1]], S[op[2]] = socketpair(AF_UNIX, SOCK_DGRAM); return None
        if k == "sleep": time.sleep(op[2] / 1000); return None
        if k == "select":
            r, w, _ = select.select([S[n] for n in op[1]], [S[n] for n in op[2]], [], op[3])
            return [[n for n in op[1] if S[n] in r], [n for n in op[2] if S[n] in w]]
        s = S[op[1]]
        if k == "sendto": return s.sendto(op[2].encode(), addr(op[3]))
        if k == "send": return s.send(op[2].encode())
        if k == "connect": return s.connect(addr(op[2]))
        if k == "recv": return s.recv(op[2], flags(op[3]) if len(op) > 3 else 0)
        if k == "recvfrom": return s.recvfrom(op[2], flags(op[3]) if len(op) > 3 else 0)
        if k == "timeout": return s.settimeout(op[2])
        if k == "blocking": return s.setblocking(op[2])
        if k == "shutdown": return s.shutdown(op[2])
        if k == "getpeername": return s.getpeername()
        if k == "getsockname": return s.getsockname()
        raise ValueError(k)
    for op in steps:
        try: log.append([op[0], "ok", norm(do(op))])
        except Exception as e: log.append([op[0], type(e).__name__, getattr(e, "errno", None), str(e)])
    for s in S.values(): s.close()
    return log
R = {}
for i, (name, steps) in enumerate(SC.items()):
    R[name] = run(tempfile.mkdtemp(), steps)
print(json.dumps(R))
`;

async function run_ts(dir: string, steps: Step[]): Promise<unknown[]> {
  const S: Record<string, Socket> = {}, nm: Record<string, unknown> = {}, log: unknown[] = [];
  const norm = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return "b:" + String.fromCharCode(...v);
    if (Array.isArray(v)) {
      for (const n of Object.keys(S)) {
        if (Array.isArray(nm[n]) && JSON.stringify(nm[n]) === JSON.stringify(v)) return "@" + n;
      }
      if ((v.length === 2 || v.length === 4) && typeof v[0] === "string" && typeof v[1] === "number" && v[1] >= 1024) {
        v = [v[0], "P", ...v.slice(2)];
      }
      return (v as unknown[]).map(norm);
    }
    if (typeof v === "string") { for (const n of Object.keys(S)) if (v && nm[n] === v) return "@" + n; }
    return v ?? null;
  };
  // deno-lint-ignore no-explicit-any
  const addr = (a: unknown): any => typeof a === "string" && a.startsWith("@") ? nm[a.slice(1)] : a;
  const flags = (f: unknown) => String(f ?? "").split("|").filter(Boolean).reduce((r, x) => r | FLAGS[x]!, 0);
  const T = (x: unknown) => new TextEncoder().encode(String(x));
  const doit = async (op: Step): Promise<unknown> => {
    const k = op[0];
    if (k === "mk") {
      const s = S[op[1] as string] = socket(FAM[op[2] as string]!, SOCK_DGRAM);
      s.bind(op[2] === "unix" ? `${dir}/${op[1]}` : [op[2] === "u6" ? "::1" : "127.0.0.1", 0]);
      nm[op[1] as string] = s.getsockname();
      return null;
    }
    if (k === "pair") {
      [S[op[1] as string], S[op[2] as string]] = await socketpair(AF_UNIX, SOCK_DGRAM) as unknown as [Socket, Socket];
      return null;
    }
    const s = S[String(op[1])]!;
    switch (k) {
      case "sendto":
        return await s.sendto(T(op[2]), addr(op[3]));
      case "send":
        return await s.send(T(op[2]));
      case "connect":
        return await s.connect(addr(op[2]));
      case "recv":
        return await s.recv(op[2] as number, flags(op[3]));
      case "recvfrom":
        return await s.recvfrom(op[2] as number, flags(op[3]));
      case "timeout":
        return s.settimeout(op[2] as number | null);
      case "blocking":
        return s.setblocking(op[2] as boolean);
      case "shutdown":
        return s.shutdown(op[2] as number);
      case "getpeername":
        return s.getpeername();
      case "getsockname":
        return s.getsockname();
      case "select": {
        const rs = (op[1] as string[]).map((n) => S[n]!), ws = (op[2] as string[]).map((n) => S[n]!);
        const [r, w] = await select(rs, ws, [], op[3] as number);
        return [
          (op[1] as string[]).filter((n) => r.includes(S[n]!)),
          (op[2] as string[]).filter((n) => w.includes(S[n]!)),
        ];
      }
      case "sleep":
        return await new Promise((r) => setTimeout(() => r(null), op[2] as number));
    }
    throw new Error(`unknown step ${k}`);
  };
  try {
    for (const op of steps) {
      try {
        log.push([op[0], "ok", norm(await doit(op))]);
      } catch (e) {
        const o = e as { name: string; errno?: number | null; message: string };
        log.push([op[0], o.name, o.errno ?? null, o.message]);
      }
    }
  } finally {
    for (const s of Object.values(S)) s.close();
  }
  return log;
}

/** Run the scenarios here and in python3; every step's outcome must match. */
async function twin(sc: Scenarios): Promise<void> {
  const py = await cpython(`SC = json.loads(${JSON.stringify(JSON.stringify(sc))})\n` + PY) as Record<string, unknown>;
  for (const [name, steps] of Object.entries(sc)) {
    using dir = new TempDir();
    const mine = await run_ts(dir.path, steps);
    assert.deepEqual(
      mine,
      py[name],
      `${name}:\n pysocket ${JSON.stringify(mine)}\n CPython  ${JSON.stringify(py[name])}`,
    );
  }
}

Deno.test("A14a-1: UDP connect() keeps the kernel's queue (a stranger's datagram too); a reconnect never lets in what the old filter dropped (CPython twin)", async () => {
  const sc: Scenarios = {};
  for (const fam of UDP) {
    const three: Step[] = [["mk", "a", fam], ["mk", "b", fam], ["mk", "c", fam]];
    // First connect: datagrams from b and from the stranger c were queued before it; no select() or recv read them.
    sc[`${fam} first connect`] = [
      ...three,
      ["sendto", "b", "b0", "@a"],
      ["sendto", "c", "c0", "@a"],
      ["sleep", "", 30],
      ["connect", "a", "@b"],
      ["sendto", "b", "b1", "@a"],
      ["sendto", "c", "c1", "@a"],
      ["timeout", "a", 0.3],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
    ];
    // select() read b0 ahead; c0 stayed in the kernel's queue (one receive at a time).
    sc[`${fam} first connect after select`] = [
      ...three,
      ["sendto", "b", "b0", "@a"],
      ["sendto", "c", "c0", "@a"],
      ["sleep", "", 30],
      ["select", ["a"], [], 1],
      ["connect", "a", "@b"],
      ["timeout", "a", 0.3],
      ["recvfrom", "a", 10, "PEEK"],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
    ];
    // Connected to b, c2 arrives and is dropped by Linux; a reconnect to c must not return it.
    sc[`${fam} reconnect`] = [
      ...three,
      ["connect", "a", "@b"],
      ["sendto", "b", "b2", "@a"],
      ["sendto", "c", "c2", "@a"],
      ["sleep", "", 30],
      ["select", ["a"], [], 1],
      ["connect", "a", "@c"],
      ["getpeername", "a"],
      ["sendto", "b", "b3", "@a"],
      ["sendto", "c", "c3", "@a"],
      ["timeout", "a", 0.3],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
      ["recvfrom", "a", 10],
    ];
    // Non-blocking, a burst queued before connect(): all returned, in order, then EAGAIN.
    const burst: Step[] = [...three];
    for (let i = 0; i < 12; i++) burst.push(["sendto", i % 3 ? "c" : "b", `d${i}`, "@a"]);
    burst.push(["sleep", "", 30], ["blocking", "a", false], ["connect", "a", "@b"], ["sendto", "c", "late", "@a"]);
    for (let i = 0; i < 13; i++) burst.push(["recv", "a", 10]);
    sc[`${fam} burst before connect`] = burst;
  }
  await twin(sc);
});

Deno.test("A14a-2: send() on an unconnected AF_UNIX datagram socket after shutdown(SHUT_WR) raises BrokenPipeError (CPython twin)", async () => {
  const sc: Scenarios = {};
  for (const fam of ["unix", ...UDP]) {
    sc[fam] = [
      ["mk", "a", fam],
      ["send", "a", "z"],
      ["shutdown", "a", 2],
      ["send", "a", "z"],
      ["sendto", "a", "z", "@a"],
      ["getpeername", "a"],
    ];
  }
  await twin(sc);
});

Deno.test("A14a-3: an AF_UNIX datagram socket shut for writing is writable, with a receive pending too (CPython twin)", async () => {
  const sc: Scenarios = {};
  for (const how of [1, 2]) {
    sc[`unix SHUT ${how}`] = [
      ["mk", "a", "unix"],
      ["mk", "b", "unix"],
      ["connect", "a", "@b"],
      ["timeout", "a", 0.05],
      ["recv", "a", 10], // times out: its receive stays pending
      ["shutdown", "a", how],
      ["select", [], ["a"], 0.5],
      ["send", "a", "x"],
    ];
  }
  await twin(sc);
});

Deno.test("A14a-4: a socketpair(AF_UNIX, SOCK_DGRAM) end connected elsewhere reports that peer (CPython twin)", async () => {
  await twin({
    pair: [
      ["pair", "p", "q"],
      ["mk", "c", "unix"],
      ["getpeername", "p"],
      ["connect", "p", "@c"],
      ["getpeername", "p"],
      ["getsockname", "p"],
      ["getpeername", "q"],
      ["connect", "q", "@c"],
      ["getpeername", "q"],
    ],
  });
});

Deno.test("A14a documented differences (printed as ignored): a socketpair() end's datagram elsewhere shows its private name; its partner is not told of a reconnect; an AF_UNIX stranger's queued datagram at connect()", async () => {
  const sc: Scenarios = {
    "socketpair end sends elsewhere": [
      ["pair", "p", "q"],
      ["mk", "c", "unix"],
      ["sendto", "p", "s", "@c"],
      ["timeout", "c", 1],
      ["recvfrom", "c", 10],
    ],
    "socketpair end reconnects; its partner sends": [
      ["pair", "p", "q"],
      ["mk", "c", "unix"],
      ["connect", "p", "@c"],
      ["send", "q", "x"],
    ],
    "AF_UNIX stranger queued before connect()": [
      ["mk", "a", "unix"],
      ["mk", "b", "unix"],
      ["mk", "c", "unix"],
      ["sendto", "c", "c0", "@a"],
      ["connect", "a", "@b"],
      ["timeout", "a", 0.3],
      ["recvfrom", "a", 10],
    ],
  };
  const py = await cpython(`SC = json.loads(${JSON.stringify(JSON.stringify(sc))})\n` + PY) as Record<
    string,
    unknown[]
  >;
  const mine: Record<string, unknown[]> = {};
  for (const [name, steps] of Object.entries(sc)) {
    using dir = new TempDir();
    mine[name] = await run_ts(dir.path, steps);
    const last = (x: unknown[] | undefined) => JSON.stringify(x?.at(-1));
    if (last(py[name]) !== last(mine[name])) {
      console.log(
        `ignored (documented in docs/limits.md, "Connected UDP is emulated"): ${name}: CPython ${
          last(py[name])
        }, pysocket ${last(mine[name])}`,
      );
    }
  }
  // As documented: CPython's outcome, then pysocket's (a change shows here).
  assert.deepEqual(py["socketpair end sends elsewhere"]!.at(-1), ["recvfrom", "ok", ["b:s", null]]);
  const got = mine["socketpair end sends elsewhere"]!.at(-1) as [string, string, [string, string]];
  assert.equal(got[2][0], "b:s");
  assert.match(got[2][1], /^\0pysocket-/);
  assert.deepEqual(py["socketpair end reconnects; its partner sends"]!.at(-1), [
    "send",
    "PermissionError",
    1,
    "[Errno 1] Operation not permitted",
  ]);
  assert.deepEqual(mine["socketpair end reconnects; its partner sends"]!.at(-1), ["send", "ok", 1]);
  assert.deepEqual(py["AF_UNIX stranger queued before connect()"]!.at(-1), ["recvfrom", "ok", ["b:c0", "@c"]]);
  assert.deepEqual(mine["AF_UNIX stranger queued before connect()"]!.at(-1), [
    "recvfrom",
    "TimeoutError",
    null,
    "timed out",
  ]);
});
