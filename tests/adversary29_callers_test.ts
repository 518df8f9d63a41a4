// adv29: TWO concurrent callers of the same operation on one socket (two tasks; two threads in CPython), against
// CPython 3.11's threads (twin). CPython does not lock a socket, so how bytes are split between two readers is its
// race; what both define is that no byte or datagram is lost or duplicated, every caller ends (EOF at the peer's
// close, b'' at our SHUT_RD for datagrams), and where CPython's file object does lock (io.BufferedReader), each
// readline()/read(n) returns whole lines/records. Each scenario reports these invariants on both sides; they are
// compared, and pysocket's completion order (observable in one event loop) must also rebuild the stream exactly.
// Stream families: TCP 127.0.0.1, TCP ::1, AF_UNIX, socketpair(); datagram: UDP, AF_UNIX bound paths, socketpair.

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import { cpython, sleep } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { compare_twice } from "./_adv29.ts";

const test = test_needing("python3");

const STREAM_FAMS = ["inet", "inet6", "unix", "pair"];
const DGRAM_FAMS = ["udp", "unix_dgram", "pair_dgram"];
const STREAM_OPS = [
  "recv+recv",
  "recv+recv_into",
  "recv_into+recv_into",
  "recvfrom+recvmsg",
  "recv+waitall",
  "waitall+waitall",
  "peek+recv",
  "rb_readline+rb_readline",
  "rb_read10+rb_read10",
  "rb_readline+rb_read10",
  "r_readline+r_readline",
  "sendall+sendall",
  "sendall+send",
  "accept+accept",
];
const DGRAM_OPS = ["recvfrom+recvfrom", "recv+recv_into", "recvmsg+recvfrom", "peek+recv"];

/** Cells that differ from CPython: id -> finding. */
const KNOWN: Record<string, string> = {};

const N_REC = 60; // records of 10 bytes ("rec-0000X\n"), sent in bursts of 1..4 records
const N_DG = 40;

const PY = `
def rec(i): return ("rec-%05d\\n" % i).encode()
def mk_stream(fam, tmp, tag):
    if fam == "pair": return socketpair()
    F = {"inet": AF_INET, "inet6": AF_INET6, "unix": AF_UNIX}[fam]
    l = socket(F); l.bind({"inet": ("127.0.0.1", 0), "inet6": ("::1", 0)}.get(fam) or os.path.join(tmp, tag)); l.listen()
    b = socket(F); b.connect(l.getsockname()); a, _ = l.accept(); l.close(); return a, b
def mk_dgram(fam, tmp, tag):
    if fam == "pair_dgram": return socketpair(AF_UNIX, SOCK_DGRAM)
    F = AF_INET if fam == "udp" else AF_UNIX
    a = socket(F, SOCK_DGRAM); b = socket(F, SOCK_DGRAM)
    a.bind(("127.0.0.1", 0) if F == AF_INET else os.path.join(tmp, tag + "a"))
    b.bind(("127.0.0.1", 0) if F == AF_INET else os.path.join(tmp, tag + "b"))
    a.connect(b.getsockname()); b.connect(a.getsockname()); return a, b
def reader(a, op, fh):
    if op == "recv": return lambda: a.recv(7)
    if op == "recv_into":
        def g():
            buf = bytearray(7); n = a.recv_into(buf); return bytes(buf[:n])
        return g
    if op == "recvfrom": return lambda: a.recvfrom(7)[0]
    if op == "recvmsg": return lambda: a.recvmsg(7)[0]
    if op == "waitall": return lambda: a.recv(10, MSG_WAITALL)
    if op == "rb_readline": return lambda: fh["rb"].readline()
    if op == "rb_read10": return lambda: fh["rb"].read(10)
    if op == "r_readline": return lambda: fh["r"].readline().encode()
def run_stream(cell, res, tmp):
    fam, ops = cell.split("/")
    o1, o2 = ops.split("+")
    tag = cell.replace("/", "_").replace("+", "_")
    if o1 == "accept":
        F = {"inet": AF_INET, "inet6": AF_INET6, "unix": AF_UNIX}[fam]
        l = socket(F); l.bind({"inet": ("127.0.0.1", 0), "inet6": ("::1", 0)}.get(fam) or os.path.join(tmp, tag)); l.listen()
        got = []
        def acc():
            try:
                c, _ = l.accept(); c.settimeout(2); got.append(c.recv(10).decode())
            except Exception as e: got.append(type(e).__name__)
        ths = [threading.Thread(target=acc, daemon=True) for _ in range(2)]
        for x in ths: x.start()
        time.sleep(0.2)
        cs = []
        for i in range(3):
            c = socket(F); c.connect(l.getsockname()); c.sendall(b"client%d" % i); cs.append(c)
        for x in ths: x.join(3)
        l.settimeout(1); third = attempt(lambda: l.accept()[0].recv(10))
        res[cell] = {"got": sorted(got + [third[1] if third[0] == "ok" else third[0]]), "waiting": sum(x.is_alive() for x in ths)}
        return
    a, b = mk_stream(fam, tmp, tag)
    if o1.startswith("send"):
        a.settimeout(10)
        n1, n2 = 2 << 20, 1 << 20
        count = {}
        def drain():
            b.settimeout(5); tot = b""
            while True:
                try: d = b.recv(65536)
                except Exception: break
                if not d: break
                count["a"] = count.get("a", 0) + d.count(b"a"); count["b"] = count.get("b", 0) + d.count(b"b")
        outs = []
        def snd(op, byte, n):
            try:
                if op == "sendall": a.sendall(byte * n); outs.append("ok")
                else:
                    k = 0
                    while k < n: k += a.send((byte * n)[k:])
                    outs.append("ok")
            except Exception as e: outs.append(type(e).__name__)
        dr = threading.Thread(target=drain, daemon=True)
        t1 = threading.Thread(target=snd, args=(o1, b"a", n1), daemon=True)
        t2 = threading.Thread(target=snd, args=(o2, b"b", n2), daemon=True)
        time.sleep(0.05); t1.start(); t2.start(); time.sleep(0.3); dr.start()
        t1.join(10); t2.join(10); a.close(); dr.join(10)
        res[cell] = {"outs": sorted(outs), "count": count, "want": {"a": n1, "b": n2}}
        b.close(); return
    fh = {"rb": a.makefile("rb"), "r": a.makefile("r")}
    parts = {1: [], 2: []}
    def loop(k, g):
        for _ in range(500):
            try: d = g()
            except Exception as e: parts[k].append(type(e).__name__); return
            parts[k].append(d.decode())
            if not d: return
    if o1 == "peek":
        def peek_loop():
            d = a.recv(100, MSG_PEEK); parts[1].append(d.decode())
        t1 = threading.Thread(target=peek_loop, daemon=True)
    else:
        t1 = threading.Thread(target=loop, args=(1, reader(a, o1, fh)), daemon=True)
    t2 = threading.Thread(target=loop, args=(2, reader(a, o2, fh)), daemon=True)
    t1.start(); t2.start(); time.sleep(0.1)
    sent = b""
    i = 0; k = 0
    while i < ${N_REC}:
        n = 1 + (k % 4); k += 1
        chunk = b"".join(rec(j) for j in range(i, min(i + n, ${N_REC}))); i += n
        b.sendall(chunk); sent += chunk; time.sleep(0.005)
    time.sleep(0.1); b.close()
    t1.join(3); t2.join(3)
    res[cell] = summarize(o1, o2, parts, sent.decode(), [t1.is_alive(), t2.is_alive()])
def summarize(o1, o2, parts, sent, alive):
    data = [p for k in (1, 2) for p in parts[k] if p and not p[0].isupper()]
    ends = sorted([parts[k][-1] if parts[k] else "none" for k in (1, 2)])
    whole = {}
    for k, o in ((1, o1), (2, o2)):
        if o in ("rb_readline", "r_readline", "rb_read10") or (o == "waitall" and o1 == o2):
            whole[str(k)] = all(len(p) == 10 and p.startswith("rec-") and p.endswith("\\n") for p in parts[k] if p)
    if o1 == "peek":
        peek = parts[1][0] if parts[1] else ""
        data = [p for p in parts[2] if p and not p[0].isupper()]
        ends = [parts[2][-1] if parts[2] else "none"]
        return {"union": sorted("".join(data)) == sorted(sent), "len": [len("".join(data)), len(sent)],
                "peek_ok": bool(peek) and peek in sent, "ends": ends, "whole": whole, "alive": alive}
    return {"union": sorted("".join(data)) == sorted(sent), "len": [len("".join(data)), len(sent)],
            "ends": ends, "whole": whole, "alive": alive}
def run_dgram(cell, res, tmp):
    fam, ops = cell.split("/")
    o1, o2 = ops.split("+")
    a, b = mk_dgram(fam, tmp, cell.replace("/", "_").replace("+", "_"))
    got = {1: [], 2: []}
    def rd(op):
        if op == "recvfrom": return lambda: a.recvfrom(100)[0]
        if op == "recv": return lambda: a.recv(100)
        if op == "recv_into":
            def g():
                buf = bytearray(100); n = a.recv_into(buf); return bytes(buf[:n])
            return g
        if op == "recvmsg": return lambda: a.recvmsg(100)[0]
    def loop(k, g):
        for _ in range(200):
            try: d = g()
            except Exception as e: got[k].append(type(e).__name__); return
            got[k].append(d.decode())
            if not d: return
    if o1 == "peek":
        t1 = threading.Thread(target=lambda: got[1].append(a.recv(100, MSG_PEEK).decode()), daemon=True)
    else: t1 = threading.Thread(target=loop, args=(1, rd(o1)), daemon=True)
    t2 = threading.Thread(target=loop, args=(2, rd(o2)), daemon=True)
    t1.start(); t2.start(); time.sleep(0.1)
    sent = []
    for i in range(${N_DG}):
        m = "dg-%03d" % i; b.send(m.encode()); sent.append(m)
        if i % 5 == 4: time.sleep(0.005)
    time.sleep(0.3)
    a.shutdown(SHUT_RD)
    t1.join(2); t2.join(2)
    if o1 == "peek":
        recvd = [d for d in got[2] if d and not d[0].isupper()]
        res[cell] = {"union": sorted(recvd) == sorted(sent), "n": len(recvd), "peek_ok": bool(got[1]) and got[1][0] in sent,
                     "ends": [got[2][-1] if got[2] else "none"], "alive": [t1.is_alive(), t2.is_alive()]}
    else:
        recvd = [d for k in (1, 2) for d in got[k] if d and not d[0].isupper()]
        res[cell] = {"union": sorted(recvd) == sorted(sent), "n": len(recvd), "ends": sorted([got[k][-1] if got[k] else "none" for k in (1, 2)]),
                     "alive": [t1.is_alive(), t2.is_alive()]}
def run_cell(cell, res, tmp):
    try:
        (run_dgram if cell.split("/")[0] in ("udp", "unix_dgram", "pair_dgram") else run_stream)(cell, res, tmp)
    except Exception as e: res[cell] = {"setup": repr(e)}
tmp = tempfile.mkdtemp()
res = {}
cells = __CELLS__
ths = [threading.Thread(target=run_cell, args=(c, res, tmp), daemon=True) for c in cells]
for x in ths: x.start()
for x in ths: x.join(40)
print(json.dumps(res))
sys.stdout.flush()
os._exit(0)
`;

const dec = new TextDecoder();
const enc = new TextEncoder();
const rec = (i: number) => `rec-${String(i).padStart(5, "0")}\n`;
const name_of = (e: unknown) => (e as Error)?.name ?? String(e);
const sorted_chars = (s: string) => [...s].sort().join("");

async function mk_stream(fam: string, tmp: string, tag: string): Promise<[Socket, Socket]> {
  if (fam === "pair") return await socketpair() as [Socket, Socket];
  const F = fam === "inet" ? AF_INET : fam === "inet6" ? AF_INET6 : AF_UNIX;
  const l = socket(F);
  l.bind(fam === "inet" ? ["127.0.0.1", 0] : fam === "inet6" ? ["::1", 0] : `${tmp}/${tag}`);
  l.listen();
  const b = socket(F);
  await b.connect(l.getsockname());
  const [a] = await l.accept();
  l.close();
  return [a, b];
}

async function mk_dgram(fam: string, tmp: string, tag: string): Promise<[Socket, Socket]> {
  if (fam === "pair_dgram") return await socketpair(AF_UNIX, SOCK_DGRAM) as [Socket, Socket];
  const F = fam === "udp" ? AF_INET : AF_UNIX;
  const a = socket(F, SOCK_DGRAM), b = socket(F, SOCK_DGRAM);
  a.bind(F === AF_INET ? ["127.0.0.1", 0] : `${tmp}/${tag}a`);
  b.bind(F === AF_INET ? ["127.0.0.1", 0] : `${tmp}/${tag}b`);
  await a.connect(b.getsockname());
  await b.connect(a.getsockname());
  return [a, b];
}

type Res = Record<string, unknown>;

/** pysocket's side only, printed: cells whose chunks, in the order they completed, do not rebuild the stream. */
const ORDER_BAD: string[] = [];

async function run_stream(cell: string, res: Record<string, Res>, tmp: string): Promise<void> {
  const [fam, ops] = cell.split("/") as [string, string];
  const [o1, o2] = ops.split("+") as [string, string];
  const tag = cell.replaceAll("/", "_").replaceAll("+", "_");
  if (o1 === "accept") {
    const F = fam === "inet" ? AF_INET : fam === "inet6" ? AF_INET6 : AF_UNIX;
    const l = socket(F);
    l.bind(fam === "inet" ? ["127.0.0.1", 0] : fam === "inet6" ? ["::1", 0] : `${tmp}/${tag}`);
    l.listen();
    const got: string[] = [];
    const conns: Socket[] = [];
    const acc = async () => {
      try {
        const [c] = await l.accept();
        conns.push(c);
        c.settimeout(2);
        got.push(dec.decode(await c.recv(10)));
      } catch (e) {
        got.push(name_of(e));
      }
    };
    let done = 0;
    const ps = [acc(), acc()].map((p) => p.then(() => done++));
    await sleep(200);
    const cs: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const c = socket(F);
      await c.connect(l.getsockname());
      await c.sendall(enc.encode(`client${i}`));
      cs.push(c);
    }
    await Promise.race([Promise.all(ps), sleep(3000)]);
    l.settimeout(1);
    let third: string;
    try {
      const [c] = await l.accept();
      conns.push(c);
      c.settimeout(1);
      third = dec.decode(await c.recv(10));
    } catch (e) {
      third = name_of(e);
    }
    res[cell] = { got: [...got, third].sort(), waiting: 2 - done };
    for (const x of [l, ...cs, ...conns]) x.close();
    await Promise.race([Promise.all(ps), sleep(2000)]);
    return;
  }
  const [a, b] = await mk_stream(fam, tmp, tag);
  try {
    if (o1.startsWith("send")) {
      a.settimeout(10);
      const n1 = 2 << 20, n2 = 1 << 20;
      const count: Record<string, number> = {};
      const drain = async () => {
        b.settimeout(5);
        for (let i = 0; i < 100000; i++) {
          let d: Uint8Array;
          try {
            d = await b.recv(65536);
          } catch {
            break;
          }
          if (!d.length) break;
          for (const x of d) {
            const k = String.fromCharCode(x);
            count[k] = (count[k] ?? 0) + 1;
          }
        }
      };
      const outs: string[] = [];
      const snd = async (op: string, byte: string, n: number) => {
        try {
          const buf = new Uint8Array(n).fill(byte.charCodeAt(0));
          if (op === "sendall") await a.sendall(buf);
          else {
            let k = 0;
            for (let i = 0; i < 100000 && k < n; i++) k += await a.send(buf.subarray(k));
          }
          outs.push("ok");
        } catch (e) {
          outs.push(name_of(e));
        }
      };
      await sleep(50);
      const p1 = snd(o1, "a", n1), p2 = snd(o2, "b", n2);
      await sleep(300);
      const dr = drain();
      await Promise.race([Promise.all([p1, p2]), sleep(10000)]);
      a.close();
      await Promise.race([dr, sleep(10000)]);
      res[cell] = { outs: outs.sort(), count, want: { a: n1, b: n2 } };
      return;
    }
    const fh = { rb: a.makefile("rb"), r: a.makefile("r") };
    const parts: Record<number, string[]> = { 1: [], 2: [] };
    const order: string[] = [];
    const reader = (op: string): () => Promise<string> => {
      switch (op) {
        case "recv":
          return async () => dec.decode(await a.recv(7));
        case "recv_into":
          return async () => {
            const buf = new Uint8Array(7);
            return dec.decode(buf.subarray(0, await a.recv_into(buf)));
          };
        case "recvfrom":
          return async () => dec.decode((await a.recvfrom(7))[0]);
        case "recvmsg":
          return async () => dec.decode((await a.recvmsg(7))[0]);
        case "waitall":
          return async () => dec.decode(await a.recv(10, MSG_WAITALL));
        case "rb_readline":
          return async () => dec.decode(await fh.rb.readline() as Uint8Array);
        case "rb_read10":
          return async () => dec.decode(await fh.rb.read(10) as Uint8Array);
        case "r_readline":
          return async () => await fh.r.readline() as string;
      }
      throw new Error(op);
    };
    const loop = async (k: number, g: () => Promise<string>) => {
      for (let i = 0; i < 500; i++) {
        let d: string;
        try {
          d = await g();
        } catch (e) {
          parts[k]!.push(name_of(e));
          return;
        }
        parts[k]!.push(d);
        order.push(d);
        if (!d) return;
      }
    };
    const alive = [true, true];
    const t1 = (o1 === "peek"
      ? a.recv(100, MSG_PEEK).then((d) =>
        void parts[1]!.push(dec.decode(d)), (e) => void parts[1]!.push(name_of(e)))
      : loop(1, reader(o1))).finally(() => alive[0] = false);
    const t2 = loop(2, reader(o2)).finally(() => alive[1] = false);
    await sleep(100);
    let sent = "";
    for (let i = 0, k = 0; i < N_REC; k++) {
      const n = 1 + (k % 4);
      let chunk = "";
      for (let j = i; j < Math.min(i + n, N_REC); j++) chunk += rec(j);
      i += n;
      await b.sendall(enc.encode(chunk));
      sent += chunk;
      await sleep(5);
    }
    await sleep(100);
    b.close();
    await Promise.race([Promise.all([t1, t2]), sleep(3000)]);
    res[cell] = summarize(o1, o2, parts, sent, alive);
    if (o1 !== "peek" && order.join("") !== sent) {
      ORDER_BAD.push(`${cell}: the chunks in completion order do not rebuild the stream: ${JSON.stringify(order)}`);
    }
    fh.rb.close();
    fh.r.close();
  } finally {
    a.close();
    b.close();
  }
}

const upper = (p: string) => p.length > 0 && p[0]! >= "A" && p[0]! <= "Z";

function summarize(o1: string, o2: string, parts: Record<number, string[]>, sent: string, alive: boolean[]): Res {
  let data = [...parts[1]!, ...parts[2]!].filter((p) => p && !upper(p));
  let ends = [1, 2].map((k) => parts[k]!.at(-1) ?? "none").sort();
  const whole: Record<string, boolean> = {};
  for (const [k, o] of [[1, o1], [2, o2]] as [number, string][]) {
    // A MSG_WAITALL record is whole only beside another MSG_WAITALL: beside recv(7) (which may leave 3 bytes of a
    // record) it is a race in CPython too (its threads' order decides; seen whole in CPython, cut in a loaded run here).
    if (["rb_readline", "r_readline", "rb_read10"].includes(o) || (o === "waitall" && o1 === o2)) {
      whole[String(k)] = parts[k]!.filter((p) => p).every((p) =>
        p.length === 10 && p.startsWith("rec-") && p.endsWith("\n")
      );
    }
  }
  const u = data.join("");
  if (o1 === "peek") {
    const peek = parts[1]![0] ?? "";
    data = parts[2]!.filter((p) => p && !upper(p));
    ends = [parts[2]!.at(-1) ?? "none"];
    const u2 = data.join("");
    return {
      union: sorted_chars(u2) === sorted_chars(sent),
      len: [u2.length, sent.length],
      peek_ok: !!peek && sent.includes(peek),
      ends,
      whole,
      alive,
    };
  }
  return { union: sorted_chars(u) === sorted_chars(sent), len: [u.length, sent.length], ends, whole, alive };
}

async function run_dgram(cell: string, res: Record<string, Res>, tmp: string): Promise<void> {
  const [fam, ops] = cell.split("/") as [string, string];
  const [o1, o2] = ops.split("+") as [string, string];
  const [a, b] = await mk_dgram(fam, tmp, cell.replaceAll("/", "_").replaceAll("+", "_"));
  try {
    const got: Record<number, string[]> = { 1: [], 2: [] };
    const rd = (op: string): () => Promise<string> => {
      switch (op) {
        case "recvfrom":
          return async () => dec.decode((await a.recvfrom(100))[0]);
        case "recv":
          return async () => dec.decode(await a.recv(100));
        case "recv_into":
          return async () => {
            const buf = new Uint8Array(100);
            return dec.decode(buf.subarray(0, await a.recv_into(buf)));
          };
        case "recvmsg":
          return async () => dec.decode((await a.recvmsg(100))[0]);
      }
      throw new Error(op);
    };
    const loop = async (k: number, g: () => Promise<string>) => {
      for (let i = 0; i < 200; i++) {
        let d: string;
        try {
          d = await g();
        } catch (e) {
          got[k]!.push(name_of(e));
          return;
        }
        got[k]!.push(d);
        if (!d) return;
      }
    };
    const alive = [true, true];
    const t1 = (o1 === "peek"
      ? a.recv(100, MSG_PEEK).then((d) =>
        void got[1]!.push(dec.decode(d)), (e) => void got[1]!.push(name_of(e)))
      : loop(1, rd(o1))).finally(() => alive[0] = false);
    const t2 = loop(2, rd(o2)).finally(() => alive[1] = false);
    await sleep(100);
    const sent: string[] = [];
    for (let i = 0; i < N_DG; i++) {
      const m = `dg-${String(i).padStart(3, "0")}`;
      await b.send(enc.encode(m));
      sent.push(m);
      if (i % 5 === 4) await sleep(5);
    }
    await sleep(300);
    await a.shutdown(SHUT_RD);
    await Promise.race([Promise.all([t1, t2]), sleep(2000)]);
    const same_set = (x: string[]) => JSON.stringify([...x].sort()) === JSON.stringify([...sent].sort());
    if (o1 === "peek") {
      const recvd = got[2]!.filter((d) => d && !upper(d));
      res[cell] = {
        union: same_set(recvd),
        n: recvd.length,
        peek_ok: !!got[1]!.length && sent.includes(got[1]![0]!),
        ends: [got[2]!.at(-1) ?? "none"],
        alive,
      };
    } else {
      const recvd = [...got[1]!, ...got[2]!].filter((d) => d && !upper(d));
      res[cell] = {
        union: same_set(recvd),
        n: recvd.length,
        ends: [1, 2].map((k) => got[k]!.at(-1) ?? "none").sort(),
        alive,
      };
    }
  } finally {
    a.close();
    b.close();
  }
}

function cells(): string[] {
  const out: string[] = [];
  for (const f of STREAM_FAMS) {
    for (const o of STREAM_OPS) if (!(o === "accept+accept" && f === "pair")) out.push(`${f}/${o}`);
  }
  for (const f of DGRAM_FAMS) for (const o of DGRAM_OPS) out.push(`${f}/${o}`);
  return out;
}

async function run_both(cs: string[]): Promise<[Record<string, Res>, Record<string, Res>]> {
  const tmp = Deno.makeTempDirSync({ prefix: "pysocket-adv29c-" });
  try {
    const [py, ts] = await Promise.all([
      cpython(PY.replace("__CELLS__", JSON.stringify(cs))) as Promise<Record<string, Res>>,
      (async () => {
        const ts: Record<string, Res> = {};
        for (let i = 0; i < cs.length; i += 16) {
          await Promise.all(
            cs.slice(i, i + 16).map((c) =>
              (c.startsWith("udp") || c.includes("dgram") ? run_dgram : run_stream)(c, ts, tmp).catch((e) =>
                ts[c] = { setup: String(e) }
              )
            ),
          );
        }
        return ts;
      })(),
    ]);
    return [py, ts];
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

test("adv29: two concurrent callers of one op: no byte, datagram or connection lost or duplicated, every caller ends, as CPython's threads (twin)", async () => {
  await compare_twice(
    "adv29 callers",
    cells(),
    run_both,
    (c) => c in KNOWN ? `ignored (${KNOWN[c]})` : undefined,
    // Not a contract (CPython's threads can append in either order too): how often two readers' completions came
    // in another order than their bytes, printed for the record.
    () =>
      console.log(`  completion order differed from byte order in ${ORDER_BAD.length} stream cell(s) (not compared)`),
  );
});
