// fix21 (A20-1, fixed): a stream recv returns every byte that arrived, up to n, whatever read the bytes before it
// came in. Before the fix a recv after a look (select(), a selector, poll(), epoll()), after a timed-out or
// non-blocking recv, after MSG_PEEK or after a short recv returned only the bytes pysocket's finished read had
// brought, not those the kernel got since (CPython: all of them). The class: every source of a finished read with
// nobody taking its bytes x every recv flavour x TCP and AF_UNIX, against CPython 3.11 (twin), plus a check that an
// idle connection's top-up read pins no big buffer (a 64 KiB burst, drained: the reader shrinks back).

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, MSG_PEEK, type Socket } from "../mod.ts";
import { DefaultSelector, epoll, EPOLLIN, EVENT_READ, poll, POLLIN, select } from "../selectors.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cpython, pair, pooled, sleep } from "./_twin.ts";

const test = test_needing("python3");

const SOURCES = ["select", "selector", "poll", "epoll", "timeout", "nonblock", "peek", "short"];
const READERS = ["recv", "recv_into", "recvfrom", "recvmsg"];
const FAMS = [["tcp", AF_INET], ["unix", AF_UNIX]] as const;
const ROWS = SOURCES.flatMap((s) => READERS.flatMap((r) => FAMS.map(([f]) => `${s}/${r}/${f}`)));

// Each row: the peer sends "ab", the source's read takes place, the peer sends "cdef", 0.1 s later one recv of 100.
const PY = `
import selectors
def row(name):
    src, rd, fam = name.split("/")
    c, s = pair(AF_UNIX if fam == "unix" else AF_INET)
    out = []
    try:
        if src == "timeout":
            s.settimeout(0.05)
            out.append(attempt(lambda: s.recv(100)))
            s.settimeout(None)
        elif src == "nonblock":
            s.setblocking(False)
            out.append(attempt(lambda: s.recv(100)))
            s.setblocking(True)
        c.sendall(b"ab"); time.sleep(0.1)
        if src == "select": out.append(len(select.select([s], [], [], 1)[0]))
        elif src == "selector":
            sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ); out.append(len(sel.select(1))); sel.close()
        elif src == "poll":
            p = select.poll(); p.register(s, select.POLLIN); out.append(len(p.poll(1000)))
        elif src == "epoll":
            e = select.epoll(); e.register(s.fileno(), select.EPOLLIN); out.append(len(e.poll(1))); e.close()
        elif src == "peek": out.append(s.recv(100, MSG_PEEK).decode())
        elif src == "short": out.append(s.recv(1).decode())
        c.sendall(b"cdef"); time.sleep(0.1)
        if rd == "recv": got = s.recv(100)
        elif rd == "recv_into":
            b = bytearray(100); got = bytes(b[:s.recv_into(b)])
        elif rd == "recvfrom": got = s.recvfrom(100)[0]
        else: got = s.recvmsg(100)[0]
        out.append(got.decode())
    finally:
        c.close(); s.close()
    return out
res = {}
def run(n): res[n] = row(n)
names = ${JSON.stringify(ROWS)}
for i in range(0, len(names), 16):
    ths = [threading.Thread(target=run, args=(n,)) for n in names[i:i + 16]]
    for t in ths: t.start()
    for t in ths: t.join(20)
print(json.dumps(res))
`;

const te = new TextEncoder(), td = new TextDecoder();

async function attempt_recv(s: Socket): Promise<unknown[]> {
  try {
    return ["ok", td.decode(await s.recv(100))];
  } catch (e) {
    const o = e as { name?: string; errno?: number | null };
    return [o.name ?? String(e), o.errno ?? null];
  }
}

async function row(name: string): Promise<unknown[]> {
  const [src, rd, fam] = name.split("/");
  using p = await pair(fam === "unix" ? AF_UNIX : AF_INET);
  const [c, s] = p;
  const out: unknown[] = [];
  if (src === "timeout") {
    s.settimeout(0.05);
    out.push(await attempt_recv(s));
    s.settimeout(null);
  } else if (src === "nonblock") {
    s.setblocking(false);
    out.push(await attempt_recv(s));
    s.setblocking(true);
  }
  await c.sendall(te.encode("ab"));
  await sleep(100);
  if (src === "select") out.push((await select([s], [], [], 1))[0].length);
  else if (src === "selector") {
    using sel = new DefaultSelector();
    sel.register(s, EVENT_READ);
    out.push((await sel.select(1)).length);
  } else if (src === "poll") {
    const pl = poll();
    pl.register(s, POLLIN);
    out.push((await pl.poll(1000)).length);
  } else if (src === "epoll") {
    const e = epoll();
    e.register(s.fileno(), EPOLLIN);
    out.push((await e.poll(1)).length);
    e.close();
  } else if (src === "peek") out.push(td.decode(await s.recv(100, MSG_PEEK)));
  else if (src === "short") out.push(td.decode(await s.recv(1)));
  await c.sendall(te.encode("cdef"));
  await sleep(100);
  let got: Uint8Array;
  if (rd === "recv") got = await s.recv(100);
  else if (rd === "recv_into") {
    const b = new Uint8Array(100);
    got = b.subarray(0, await s.recv_into(b));
  } else if (rd === "recvfrom") got = (await s.recvfrom(100))[0];
  else got = (await s.recvmsg(100))[0];
  out.push(td.decode(got));
  return out;
}

test("fix21 A20-1: a recv after any finished read (look, timeout, EAGAIN, MSG_PEEK, short recv) returns every byte that arrived, as CPython's (twin)", async () => {
  const [py, ts] = await Promise.all([
    cpython(PY) as Promise<Record<string, unknown[]>>,
    (async () => {
      const res: Record<string, unknown[]> = {};
      await pooled(ROWS, 16, async (n) => res[n] = await row(n));
      return res;
    })(),
  ]);
  const bad = ROWS.filter((n) => JSON.stringify(py[n]) !== JSON.stringify(ts[n]));
  // Each row's last recv must have all the bytes both sends brought (less the one "short" took): the twin agrees.
  for (const n of ROWS) {
    assert.equal((py[n]!.at(-1) as string).length, n.startsWith("short/") ? 5 : 6, `CPython's own ${n}`);
  }
  assert.deepEqual(
    bad.map((n) => `${n}: CPython ${JSON.stringify(py[n])}, pysocket ${JSON.stringify(ts[n])}`),
    [],
  );
  console.log(`fix21: ${ROWS.length} rows equal to CPython's`);
});

Deno.test("fix21: a connection drained after a 64 KiB burst seen through select() keeps only a small read buffer", async () => {
  using p = await pair(AF_INET);
  const [c, s] = p;
  await c.sendall(new Uint8Array(65536));
  let got = 0;
  for (let i = 0; i < 200 && got < 65536; i++) {
    await select([s], [], [], 1);
    got += (await s.recv(65536)).length;
  }
  assert.equal(got, 65536);
  await c.sendall(te.encode("x"));
  await select([s], [], [], 1);
  assert.equal(td.decode(await s.recv(10)), "x");
  await select([s], [], [], 0); // the next look: its read (drained, the peer paused) waits in the small buffer
  const cap = s._stream_parts().reader.capacity;
  assert.ok(cap <= 8192, `the drained reader holds ${cap} bytes`);
});
