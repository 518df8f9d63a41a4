// fix21 (A20-4, fixed): a TCP connection whose FINs went both ways (each side's shutdown(SHUT_WR), or a close() and
// a shutdown(SHUT_WR)) is closed in Linux's kernel: getpeername() and shutdown() raise ENOTCONN, send() EPIPE, recv()
// reads EOF, getsockname() still answers. Before the fix pysocket's still answered with the peer and shut down
// without error. The class: which side shuts first x whether the second side read the EOF first x what is asked
// afterwards x AF_INET, AF_INET6 and AF_UNIX (whose sockets stay connected), against CPython 3.11 (twin).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  create_connection,
  MSG_DONTWAIT,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  type Socket,
} from "../mod.ts";
import { reset_peer, RESET_PEER_PY, test_needing } from "./_socket_fixtures.ts";
import { attempt, cpython, pair, pooled, sleep } from "./_twin.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";

const test = test_needing("python3");

const FAMS = ["inet", "inet6", "unix"];
const FIRST = ["client", "server"];
const HOW = ["shut_wr", "close"]; // how the first side ends its sending: shutdown(SHUT_WR), or close()
const READ = ["read_eof", "no_read"]; // whether the second side reads the EOF before its own shutdown(SHUT_WR)
const ROWS = FAMS.flatMap((f) => FIRST.flatMap((w) => HOW.flatMap((h) => READ.map((r) => `${f}/${w}/${h}/${r}`))));

const PY = `
FAM = {"inet": AF_INET, "inet6": AF_INET6, "unix": AF_UNIX}
def v6pair():
    l = socket(AF_INET6); l.bind(("::1", 0)); l.listen()
    c = socket(AF_INET6); c.connect(l.getsockname()[:2]); s, _ = l.accept(); l.close()
    return c, s
def probe(x, ops):
    r = []
    for op in ops:
        try:
            if op == "sockname": x.getsockname(); r.append("ok")
            elif op == "peername": x.getpeername(); r.append("ok")
            elif op == "recv": r.append(["ok", len(x.recv(10, MSG_DONTWAIT))])
            elif op == "send": r.append(["ok", x.send(b"x")])
            else: x.shutdown({"shut_rd": SHUT_RD, "shut_wr": SHUT_WR, "shut_rdwr": SHUT_RDWR}[op]); r.append("ok")
        except Exception as e:
            r.append(err(e))
    return r
def row(name):
    fam, first, how, rd = name.split("/")
    c, s = v6pair() if fam == "inet6" else pair(FAM[fam])
    a, b = (c, s) if first == "client" else (s, c)
    try:
        if how == "close": a.close()
        else: a.shutdown(SHUT_WR)
        time.sleep(0.1)
        if rd == "read_eof": b.recv(10)
        b.shutdown(SHUT_WR); time.sleep(0.1)
        out = {"second": probe(b, ["sockname", "peername", "recv", "send", "peername", "shut_rd", "shut_wr"])}
        if how != "close": out["first"] = probe(a, ["peername", "recv", "shut_rdwr", "peername"])
        return out
    finally:
        c.close(); s.close()
res = {}
def run(n): res[n] = row(n)
names = ${JSON.stringify(ROWS)}
ths = [threading.Thread(target=run, args=(n,)) for n in names]
for t in ths: t.start()
for t in ths: t.join(20)
print(json.dumps(res))
`;

async function probe(x: Socket, ops: string[]): Promise<unknown[]> {
  const r: unknown[] = [];
  for (const op of ops) {
    try {
      if (op === "sockname") (x.getsockname(), r.push("ok"));
      else if (op === "peername") (x.getpeername(), r.push("ok"));
      else if (op === "recv") r.push(["ok", (await x.recv(10, MSG_DONTWAIT)).length]);
      else if (op === "send") r.push(["ok", await x.send(new Uint8Array([120]))]);
      else {
        await x.shutdown(op === "shut_rd" ? SHUT_RD : op === "shut_wr" ? SHUT_WR : SHUT_RDWR);
        r.push("ok");
      }
    } catch (e) {
      const o = e as { name?: string; errno?: number | null };
      r.push([o.name ?? String(e), o.errno ?? null]);
    }
  }
  return r;
}

async function row(name: string): Promise<unknown> {
  const [fam, first, how, rd] = name.split("/");
  using p = await pair(fam === "inet6" ? AF_INET6 : fam === "unix" ? AF_UNIX : AF_INET);
  const [c, s] = p;
  const [a, b] = first === "client" ? [c, s] : [s, c];
  if (how === "close") a.close();
  else await a.shutdown(SHUT_WR);
  await sleep(100);
  if (rd === "read_eof") await b.recv(10);
  await b.shutdown(SHUT_WR);
  await sleep(100);
  const out: Record<string, unknown> = {
    second: await probe(b, ["sockname", "peername", "recv", "send", "peername", "shut_rd", "shut_wr"]),
  };
  if (how !== "close") out.first = await probe(a, ["peername", "recv", "shut_rdwr", "peername"]);
  return out;
}

test("fix21 A20-4: TCP after FINs both ways: getpeername()/shutdown() raise ENOTCONN, send EPIPE, as CPython's; AF_UNIX stays connected (twin)", async () => {
  const [py, ts] = await Promise.all([
    cpython(PY) as Promise<Record<string, unknown>>,
    (async () => {
      const res: Record<string, unknown> = {};
      await pooled(ROWS, 12, async (n) => res[n] = await row(n));
      return res;
    })(),
  ]);
  const bad = ROWS.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n]));
  assert.deepEqual(
    bad.map((n) => `${n}: CPython ${JSON.stringify(py[n])}, pysocket ${JSON.stringify(ts[n])}`),
    [],
  );
  console.log(`fix21 FINs: ${ROWS.length} rows equal to CPython's`);
});

// The sibling met on the way (adversary8a): a reset a read in flight met (a look's, or the read a TCP shutdown(SHUT_WR)
// keeps for the peer's FIN) is Linux's pending socket error: TCP's next send raises it once (ConnectionResetError),
// then EPIPE, and recv reads EOF. The peer, tests/fixtures/reset_peer.py, resets 150 ms after accepting (SO_LINGER 0).
const RESET_ROWS = ["none", "select", "selector", "shut_wr"];

const RESET_PY = `
import selectors, subprocess
def row(look):
    p = subprocess.Popen([sys.executable, ${JSON.stringify(RESET_PEER_PY)}, "4", "", "150"], stdout=subprocess.PIPE)
    s = create_connection(("127.0.0.1", int(p.stdout.readline())))
    try:
        if look == "shut_wr": s.shutdown(SHUT_WR)
        time.sleep(0.4)
        if look == "select": select.select([s], [], [], 1)
        elif look == "selector":
            sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ); sel.select(1); sel.close()
        return [attempt(lambda: s.send(b"x")), attempt(lambda: s.send(b"x")), attempt(lambda: s.recv(10))]
    finally:
        s.close(); p.wait(10)
res = {}
def run(n): res[n] = row(n)
ths = [threading.Thread(target=run, args=(n,)) for n in ${JSON.stringify(RESET_ROWS)}]
for t in ths: t.start()
for t in ths: t.join(20)
print(json.dumps(res))
`;

test("fix21: a reset a read in flight met is TCP's pending error: the next send raises ConnectionResetError once, then EPIPE (twin)", async () => {
  const [py, ts] = await Promise.all([
    cpython(RESET_PY) as Promise<Record<string, unknown>>,
    (async () => {
      const res: Record<string, unknown> = {};
      await pooled(RESET_ROWS, 4, async (look) => {
        const peer = await reset_peer(150);
        const s = await create_connection(["127.0.0.1", peer.port]);
        try {
          if (look === "shut_wr") await s.shutdown(SHUT_WR);
          await sleep(400);
          if (look === "select") await select([s], [], [], 1);
          else if (look === "selector") {
            using sel = new DefaultSelector();
            sel.register(s, EVENT_READ);
            await sel.select(1);
          }
          const x = new Uint8Array([120]);
          res[look] = [await attempt(() => s.send(x)), await attempt(() => s.send(x)), await attempt(() => s.recv(10))];
        } finally {
          s.close();
          await peer.done;
        }
      });
      return res;
    })(),
  ]);
  const bad = RESET_ROWS.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n]));
  assert.deepEqual(bad.map((n) => `${n}: CPython ${JSON.stringify(py[n])}, pysocket ${JSON.stringify(ts[n])}`), []);
});
