// adv20: a seeded, model-free differential sequence fuzzer (pysocket against CPython 3.11).
// A sequence is 8-25 random operations over one connected pair of sockets A and B of one family (TCP over
// 127.0.0.1, an AF_UNIX stream socketpair, two connected UDP sockets, an AF_UNIX datagram socketpair). The same
// sequences run in ONE python3 process (JSON in, JSON out; independent sequences in a thread pool, each sequence's
// operations in one thread, in order) and here (each sequence in one task, in order; sequences concurrently). Every
// operation's outcome is normalised to a string and the two lists are compared. Every blocking operation is bounded:
// the sockets start with a 0.1 s timeout and settimeout() picks 0, 0.05 or 0.1 only (never None). A 20 ms sleep
// follows every operation that changes what the peer sees (send, sendall, shutdown, close), so data visibility is no
// race (P13-3).

import {
  AF_INET,
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
} from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { python_json, rng } from "./_twin.ts";

export type Family = "tcp" | "unix" | "udp" | "unixdg";
export const FAMILIES: Family[] = ["tcp", "unix", "udp", "unixdg"];
/** One operation: [name, side (0 = A, 1 = B), ...arguments]. */
export type Op = [string, number, ...number[]];
export type Seq = { fam: Family; ops: Op[] };

/** Generator switches: each lets a finding's trigger through (off: the CI run filters it out). */
export type Opts = { a20_2?: boolean; a20_3?: boolean };

/** mulberry32: a small seeded PRNG (tests/_twin.ts's `rng`, the same sequence). */
export const mulberry32: (seed: number) => () => number = rng;

const STREAM = ["tcp", "unix"];
/** Operations after which the peer's view changes: a sleep follows each (P13-3). */
const CHANGES = new Set(["send", "sendall", "send_dw", "shutdown", "close"]);

/**
 * A random sequence. `opts.filter` drops the cases a documented limit covers (see the report):
 * - AF_UNIX datagram: a look (recv, select, selector) leaves a receive in flight, and a send from that socket then
 *   waits for a datagram (docs/limits.md, "AF_UNIX datagram sends wait for a pending receive"): one side sends, the
 *   other looks.
 * - makefile() reads only while the socket has a timeout (non-blocking file reads are documented to differ).
 */
export function generate(rand: () => number, fam: Family, opts: Opts = {}): Seq {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const n = 8 + Math.floor(rand() * 18);
  const ops: Op[] = [];
  const timeout = [0.1, 0.1];
  const stream = STREAM.includes(fam);
  const gone = [false, false]; // closed, or (stream) shut for reading: the other side sends no more
  const fed = [false, false]; // the other side sent to it
  const sender = Math.floor(rand() * 2); // unixdg only
  const size = () => rand() < 0.7 ? 1 + Math.floor(rand() * 60) : 1 + Math.floor(rand() * 3000);
  while (ops.length < n) {
    let side = Math.floor(rand() * 2);
    const kind = pick([
      "send",
      "send",
      "sendall",
      "recv",
      "recv",
      "recv",
      "recv_into",
      "recvfrom",
      "settimeout",
      "setblocking",
      "shutdown",
      "close",
      "select0",
      "select",
      "selector",
      "makefile",
      "names",
      "fileno",
      "so_error",
      "so_type",
      "state",
      "send_dw",
    ]);
    if (fam === "unixdg") {
      const looks = ["recv", "recv_into", "recvfrom", "select0", "select", "selector", "makefile"];
      if (kind === "send" || kind === "sendall" || kind === "send_dw") side = sender;
      else if (looks.includes(kind)) side = 1 - sender;
    }
    if ((kind === "send" || kind === "sendall" || kind === "send_dw") && gone[1 - side]) continue;
    // A TCP close with unread bytes resets where pysocket sends a FIN (docs/limits.md): close only a side nothing
    // was sent to. AF_UNIX likewise while A20-2 stands.
    if (kind === "close" && stream && fed[side] && !(opts.a20_2 && fam === "unix")) continue;
    let op: Op;
    switch (kind) {
      case "send":
      case "sendall":
      case "send_dw":
        op = [kind, side, size()];
        break;
      case "recv": {
        const flags = pick([0, 0, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_PEEK | MSG_DONTWAIT]);
        op = ["recv", side, rand() < 0.05 ? 0 : 1 + Math.floor(rand() * (rand() < 0.5 ? 64 : 4096)), flags];
        break;
      }
      case "recv_into":
      case "recvfrom":
        op = [kind, side, 1 + Math.floor(rand() * (rand() < 0.5 ? 64 : 4096))];
        break;
      case "settimeout": {
        const t = pick([0, 0.05, 0.1]);
        timeout[side] = t;
        op = ["settimeout", side, t];
        break;
      }
      case "setblocking":
        timeout[side] = 0;
        op = ["setblocking", side];
        break;
      case "shutdown":
        op = ["shutdown", side, pick([SHUT_RD, SHUT_WR, SHUT_RDWR])];
        break;
      case "makefile":
        if (timeout[side] === 0 || fam === "udp" || fam === "unixdg") continue;
        op = ["makefile", side, opts.a20_3 ? pick([0, 1]) : 0, 1 + Math.floor(rand() * 200)];
        break;
      case "select":
        op = ["select", side, 0.05, fam === "unixdg" ? 1 : 0];
        break;
      case "select0":
      case "selector":
        op = [kind, side, 0, fam === "unixdg" ? 1 : 0];
        break;
      default:
        op = [kind, side];
    }
    // The peer's send after our SHUT_RD: TCP is not reset (P12-1), AF_UNIX takes it (P13-2, and the AF_UNIX
    // datagram corner of "shutdown() of a datagram socket works as Linux's"), Linux refuses it.
    if (op[0] === "close" || (fam !== "udp" && op[0] === "shutdown" && op[2] !== SHUT_WR)) gone[side] = true;
    if (op[0] === "send" || op[0] === "sendall" || op[0] === "send_dw") fed[1 - side] = true;
    ops.push(op);
    if (CHANGES.has(op[0])) ops.push(["sleep", 0, 0.02]);
  }
  return { fam, ops };
}

export function payload(len: number, k: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + len + k * 7) & 255;
  return b;
}

function bytes_str(b: Uint8Array): string {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return `b${b.length}:${h.toString(16)}`;
}

function err_str(e: unknown): string {
  const o = e as { name?: string; errno?: number | null; message?: string };
  // A Python ValueError is a RangeError here (the API's mapping).
  const name = o.name === "RangeError" ? "ValueError" : o.name ?? "?";
  return `E:${name}:${o.errno ?? "None"}:${o.message ?? String(e)}`;
}

type Names = Map<string, string>;
function addr_str(a: unknown, names: Names): string {
  if (a === null || a === undefined) return "None";
  if (Array.isArray(a)) {
    const key = `${a[0]}:${a[1]}`;
    return names.get(key) ?? `?${a[0]}`;
  }
  if (typeof a === "string") return a === "" ? "''" : "path";
  if (a instanceof Uint8Array) return a.length === 0 ? "''" : "bytes";
  return String(a);
}

async function setup(fam: Family): Promise<{ s: Socket[]; names: Names }> {
  const names: Names = new Map();
  let s: Socket[];
  if (fam === "tcp") {
    const l = socket(AF_INET, SOCK_STREAM);
    try {
      l.bind(["127.0.0.1", 0]);
      l.listen();
      const c = socket(AF_INET, SOCK_STREAM);
      await c.connect(l.getsockname());
      const [b] = await l.accept();
      s = [c, b];
    } finally {
      l.close();
    }
  } else if (fam === "udp") {
    const a = socket(AF_INET, SOCK_DGRAM);
    const b = socket(AF_INET, SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    b.bind(["127.0.0.1", 0]);
    await a.connect(b.getsockname());
    await b.connect(a.getsockname());
    s = [a, b];
  } else {
    s = await socketpair(AF_UNIX, fam === "unix" ? SOCK_STREAM : SOCK_DGRAM);
  }
  if (fam === "tcp" || fam === "udp") {
    s.forEach((x, i) => {
      const a = x.getsockname() as [string, number];
      names.set(`${a[0]}:${a[1]}`, "AB"[i]!);
    });
  }
  for (const x of s) x.settimeout(0.1);
  return { s, names };
}

/** Run one sequence in pysocket: the list of outcomes. */
export async function run_pysocket(seq: Seq): Promise<string[]> {
  let st: { s: Socket[]; names: Names };
  try {
    st = await setup(seq.fam);
  } catch (e) {
    return [`setup ${err_str(e)}`];
  }
  const { s, names } = st;
  const out: string[] = [];
  try {
    for (let k = 0; k < seq.ops.length; k++) {
      const [name, side, a1, a2] = seq.ops[k]!;
      const x = s[side]!;
      try {
        out.push(await run_op(name, x, a1 ?? 0, a2 ?? 0, k, names));
      } catch (e) {
        out.push(err_str(e));
      }
    }
  } finally {
    for (const x of s) {
      try {
        x.close();
      } catch { /* closed */ }
    }
  }
  return out;
}

async function run_op(name: string, x: Socket, a1: number, a2: number, k: number, names: Names): Promise<string> {
  switch (name) {
    case "sleep":
      await new Promise((r) => setTimeout(r, a1 * 1000));
      return "None";
    case "send":
      return `i${await x.send(payload(a1, k))}`;
    case "sendall":
      return `${(await x.sendall(payload(a1, k))) ?? "None"}`;
    case "send_dw":
      return `i${await x.send(payload(a1, k), MSG_DONTWAIT)}`;
    case "state":
      return `${x.gettimeout()} ${x.getblocking()}`;
    case "recv":
      return bytes_str(await x.recv(a1, a2));
    case "recv_into": {
      const buf = new Uint8Array(a1);
      const n = await x.recv_into(buf);
      return `i${n} ${bytes_str(buf.subarray(0, n))}`;
    }
    case "recvfrom": {
      const [d, addr] = await x.recvfrom(a1);
      return `${bytes_str(d)} ${addr_str(addr, names)}`;
    }
    case "settimeout":
      x.settimeout(a1);
      return "None";
    case "setblocking":
      x.setblocking(false);
      return "None";
    case "shutdown":
      await x.shutdown(a1);
      return "None";
    case "close":
      x.close();
      return "None";
    case "select0":
    case "select": {
      const [r, w] = await select([x], a2 ? [] : [x], [], name === "select0" ? 0 : a1);
      return `r${r.length} w${w.length}`;
    }
    case "selector": {
      const sel = new DefaultSelector();
      try {
        sel.register(x, a2 ? EVENT_READ : EVENT_READ | EVENT_WRITE);
        const ev = await sel.select(0);
        return ev.map(([, m]) => `m${m}`).join(",") || "[]";
      } finally {
        sel.close();
      }
    }
    case "makefile": {
      const f = x.makefile("rb");
      try {
        const r = a1 === 0 ? await f.read1(a2) : await f.readline();
        return bytes_str(r as Uint8Array);
      } finally {
        f.close();
      }
    }
    case "names": {
      let p: string, n: string;
      try {
        n = addr_str(x.getsockname(), names);
      } catch (e) {
        n = err_str(e);
      }
      try {
        p = addr_str(x.getpeername(), names);
      } catch (e) {
        p = err_str(e);
      }
      return `${n} ${p}`;
    }
    case "fileno":
      return `${x.fileno() >= 0}`;
    case "so_error":
      return `i${x.getsockopt(SOL_SOCKET, SO_ERROR)}`;
    case "so_type":
      return `i${x.getsockopt(SOL_SOCKET, SO_TYPE)}`;
  }
  throw new Error(`unknown op ${name}`);
}

const PY = String.raw`
import json, sys, socket, select, selectors, time
from socket import *
from concurrent.futures import ThreadPoolExecutor

def payload(n, k):
    return bytes(((i * 31 + n + k * 7) & 255) for i in range(n))

def bstr(b):
    h = 2166136261
    for x in b:
        h = ((h ^ x) * 16777619) & 0xffffffff
    return "b%d:%x" % (len(b), h)

def estr(e):
    en = getattr(e, "errno", None)
    return "E:%s:%s:%s" % (type(e).__name__, "None" if en is None else en, str(e))

def astr(a, names):
    if a is None: return "None"
    if isinstance(a, tuple): return names.get("%s:%s" % (a[0], a[1]), "?" + str(a[0]))
    if isinstance(a, (str, bytes)): return "''" if len(a) == 0 else ("path" if isinstance(a, str) else "bytes")
    return str(a)

def setup(fam):
    names = {}
    if fam == "tcp":
        l = socket(AF_INET, SOCK_STREAM); l.bind(("127.0.0.1", 0)); l.listen()
        c = socket(AF_INET, SOCK_STREAM); c.connect(l.getsockname()); b, _ = l.accept(); l.close()
        s = [c, b]
    elif fam == "udp":
        a = socket(AF_INET, SOCK_DGRAM); b = socket(AF_INET, SOCK_DGRAM)
        a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
        a.connect(b.getsockname()); b.connect(a.getsockname())
        s = [a, b]
    else:
        s = list(socketpair(AF_UNIX, SOCK_STREAM if fam == "unix" else SOCK_DGRAM))
    if fam in ("tcp", "udp"):
        for i, x in enumerate(s):
            a = x.getsockname(); names["%s:%s" % (a[0], a[1])] = "AB"[i]
    for x in s: x.settimeout(0.1)
    return s, names

def op(name, x, a1, a2, k, names):
    if name == "sleep": time.sleep(a1); return "None"
    if name == "send": return "i%d" % x.send(payload(a1, k))
    if name == "sendall": return str(x.sendall(payload(a1, k)))
    if name == "send_dw": return "i%d" % x.send(payload(a1, k), MSG_DONTWAIT)
    if name == "state":
        t = x.gettimeout()
        return "%s %s" % ("null" if t is None else (str(int(t)) if t == int(t) else str(t)), "true" if x.getblocking() else "false")
    if name == "recv": return bstr(x.recv(a1, a2))
    if name == "recv_into":
        buf = bytearray(a1); n = x.recv_into(buf); return "i%d %s" % (n, bstr(bytes(buf[:n])))
    if name == "recvfrom":
        d, addr = x.recvfrom(a1); return "%s %s" % (bstr(d), astr(addr, names))
    if name == "settimeout": x.settimeout(a1); return "None"
    if name == "setblocking": x.setblocking(False); return "None"
    if name == "shutdown": x.shutdown(a1); return "None"
    if name == "close": x.close(); return "None"
    if name in ("select0", "select"):
        r, w, _ = select.select([x], [] if a2 else [x], [], 0 if name == "select0" else a1)
        return "r%d w%d" % (len(r), len(w))
    if name == "selector":
        sel = selectors.DefaultSelector()
        try:
            sel.register(x, selectors.EVENT_READ if a2 else selectors.EVENT_READ | selectors.EVENT_WRITE)
            ev = sel.select(0)
            return ",".join("m%d" % m for _, m in ev) or "[]"
        finally:
            sel.close()
    if name == "makefile":
        f = x.makefile("rb")
        try:
            r = f.read1(a2) if a1 == 0 else f.readline()
            return bstr(r) if r is not None else "None"
        finally:
            f.close()
    if name == "names":
        try: n = astr(x.getsockname(), names)
        except Exception as e: n = estr(e)
        try: p = astr(x.getpeername(), names)
        except Exception as e: p = estr(e)
        return "%s %s" % (n, p)
    if name == "fileno": return "true" if x.fileno() >= 0 else "false"
    if name == "so_error": return "i%d" % x.getsockopt(SOL_SOCKET, SO_ERROR)
    if name == "so_type": return "i%d" % x.getsockopt(SOL_SOCKET, SO_TYPE)
    raise RuntimeError(name)

def run(seq):
    try:
        s, names = setup(seq["fam"])
    except Exception as e:
        return ["setup " + estr(e)]
    out = []
    try:
        for k, o in enumerate(seq["ops"]):
            name, side = o[0], o[1]
            a1 = o[2] if len(o) > 2 else None
            a2 = o[3] if len(o) > 3 else None
            try:
                out.append(op(name, s[side], a1, a2, k, names))
            except Exception as e:
                out.append(estr(e))
    finally:
        for x in s: x.close()
    return out

seqs = json.load(sys.stdin)
with ThreadPoolExecutor(max_workers=int(sys.argv[1]) if len(sys.argv) > 1 else 16) as ex:
    print(json.dumps(list(ex.map(run, seqs))))
`;

/** Run sequences in python3 (one process, a thread pool). */
export async function run_cpython(seqs: Seq[]): Promise<string[][]> {
  const r = await python_json(PY, seqs, 300_000);
  if (typeof r === "string") throw new Error(r);
  return r as string[][];
}

/** Run sequences in pysocket, `width` at a time. */
export async function run_all_pysocket(seqs: Seq[], width = 16): Promise<string[][]> {
  const out: string[][] = new Array(seqs.length);
  let next = 0;
  const worker = async () => {
    while (next < seqs.length) {
      const i = next++;
      out[i] = await run_pysocket(seqs[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

/** Index of the first differing outcome, or -1. */
export function first_diff(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Render a sequence as Python-ish lines. */
export function show(seq: Seq, upto = seq.ops.length - 1): string {
  return `${seq.fam}: ` + seq.ops.slice(0, upto + 1).map((o) => `${"AB"[o[1]]}.${o[0]}(${o.slice(2).join(",")})`)
    .join("; ");
}

function length_of(r: string): number | null {
  const m = /^(?:i\d+ )?b(\d+):/.exec(r);
  return m ? Number(m[1]) : null;
}

/**
 * The finding a difference at op `k` belongs to, or null (a new difference). The CI run stops comparing a sequence
 * at a known finding's difference and counts it; each finding is pinned by an ignored test.
 */
export function classify(seq: Seq, k: number, cpy: string, pys: string): string | null {
  const [name] = seq.ops[k]!;
  const stream = STREAM.includes(seq.fam);
  // A20-1: a stream read returns only the bytes a finished read-ahead brought, not those the kernel got since.
  if (stream && ["recv", "recv_into", "recvfrom", "makefile"].includes(name)) {
    const a = length_of(cpy), b = length_of(pys);
    if (a !== null && b !== null && b > 0 && b < a) return "A20-1";
  }
  // A20-4: TCP after both directions were shut: Linux's socket is closed (ENOTCONN), pysocket's still connected.
  if (seq.fam === "tcp" && (name === "shutdown" || name === "names") && cpy.includes("E:OSError:107:")) {
    if (!pys.includes("E:OSError:107:")) return "A20-4";
  }
  if (seq.fam === "unix") {
    const closed = seq.ops.slice(0, k).some((o) => o[0] === "close");
    // A20-5: AF_UNIX shutdown() after the peer's reset: Linux's succeeds, pysocket's raises ENOTCONN.
    if (name === "shutdown" && closed && cpy === "None" && pys.includes("E:OSError:107:")) return "A20-5";
    // A20-6: SO_ERROR after a reset no call has seen: Linux's is ECONNRESET, pysocket's 0.
    if (name === "so_error" && closed && cpy === "i104" && pys === "i0") return "A20-6";
    // A20-2: the peer closed with bytes pysocket had read ahead: no reset.
    if (closed && cpy.includes("E:ConnectionResetError:104:") && !pys.includes("ConnectionResetError")) return "A20-2";
  }
  // A20-3: a closed makefile() that had read ahead: CPython dropped the bytes, pysocket keeps them.
  if (STREAM.includes(seq.fam) && seq.ops.slice(0, k).some((o) => o[0] === "makefile" && o[2] === 1)) return "A20-3";
  return null;
}

/** Both twins on `seqs`: [CPython's outcomes, pysocket's]. */
export function twins(seqs: Seq[]): Promise<[string[][], string[][]]> {
  return Promise.all([run_cpython(seqs), run_all_pysocket(seqs)]);
}

/** The smallest sequence found (one op, with its sleep, removed at a time) whose twins still differ. */
export async function shrink(s: Seq, rounds = 40): Promise<Seq> {
  let cur = s;
  for (let round = 0; round < rounds; round++) {
    const cands: Seq[] = [];
    for (let i = 0; i < cur.ops.length; i++) {
      if (cur.ops[i]![0] === "sleep") continue;
      const n = cur.ops[i + 1]?.[0] === "sleep" ? 2 : 1;
      const ops = cur.ops.slice(0, i).concat(cur.ops.slice(i + n));
      if (ops.length) cands.push({ fam: cur.fam, ops });
    }
    if (!cands.length) break;
    const [a, b] = await twins(cands);
    const k = cands.findIndex((_, j) => first_diff(a[j]!, b[j]!) >= 0);
    if (k < 0) break;
    cur = cands[k]!;
  }
  return cur;
}
