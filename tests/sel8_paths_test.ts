// The echo and round-trip paths after issue 17's sixth round (sel8): a blocking recv()/recv_into() with
// nothing buffered waits through one reaction on the reader's wake-up (no async frames), a blocking
// sendall()/send() chains its caller on the write itself (no resolvers), recv(n) takes buffered bytes at
// the call on a socket with no file, the send queue and a selector's ready list keep their arrays. Each
// test is the class of bug such a change could bring: every waiter woken by every state change, as
// CPython's; concurrent callers that must neither lose nor duplicate bytes; a short write that must go
// on with the rest; a queue that empties, refills and compacts; a ready list that shrinks mid-stream.

import assert from "node:assert/strict";
import {
  BlockingIOError,
  create_connection,
  create_server,
  SHUT_RD,
  SHUT_WR,
  type Socket,
  socketpair,
} from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../selectors.ts";
import { resetting, sleep, test_needing, within } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const enc = new TextEncoder();
const dec = new TextDecoder();
const LIMIT = 20_000;

async function tcp_pair(): Promise<[Socket, Socket]> {
  using srv = create_server(["127.0.0.1", 0]);
  const c = await create_connection(srv.getsockname() as [string, number]);
  const [s] = await srv.accept();
  return [c, s];
}

/** What a call ended with, as the twin prints it: ["ok", text or count] or [error name, errno]. */
async function outcome(p: Promise<Uint8Array | number>): Promise<unknown[]> {
  try {
    const r = await within(p, LIMIT, "wait");
    return ["ok", typeof r === "number" ? r : dec.decode(r)];
  } catch (e) {
    return [(e as Error).name, (e as { errno?: number }).errno ?? null];
  }
}

test("a blocking recv()/recv_into() waiting with nothing buffered is woken by data, EOF, the peer's SHUT_WR, a reset and shutdown(SHUT_RD) from another task, as CPython's threads are", async () => {
  const py = await cpython(`
out = []
for call in ("recv", "recv_into"):
    for how in ("data", "eof", "peer_shut_wr", "reset", "shut_rd"):
        c, s = pair()
        buf = bytearray(16)
        res = []
        def waiter():
            if call == "recv": res.append(attempt(lambda: s.recv(16)))
            else:
                r = attempt(lambda: s.recv_into(buf))
                res.append(["ok", bytes(buf[:r[1]]).decode()] if r[0] == "ok" else r)
        t = threading.Thread(target=waiter); t.start(); time.sleep(0.05)
        if how == "data": c.sendall(b"hello")
        elif how == "eof": c.close()
        elif how == "peer_shut_wr": c.shutdown(SHUT_WR)
        elif how == "reset":
            c.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); c.close()
        elif how == "shut_rd": s.shutdown(SHUT_RD)
        t.join(10)
        out.append([call, how, res[0] if res else "hung"])
        c.close(); s.close()
print(json.dumps(out))
`);
  const ts: unknown[] = [];
  for (const call of ["recv", "recv_into"]) {
    for (const how of ["data", "eof", "peer_shut_wr", "reset", "shut_rd"]) {
      const buf = new Uint8Array(16);
      const wait = (s: Socket) => call === "recv" ? s.recv(16) : s.recv_into(buf).then((n) => buf.subarray(0, n));
      if (how === "reset") {
        // The peer resets (node:net's resetAndDestroy: an RST, as SO_LINGER 0 then close() in the twin).
        await using srv = await resetting(50);
        using c = await create_connection(["127.0.0.1", srv.port]);
        ts.push([call, how, await outcome(wait(c))]);
        continue;
      }
      const [c, s] = await tcp_pair();
      try {
        const p = wait(s);
        await sleep(50);
        if (how === "data") await c.sendall(enc.encode("hello"));
        else if (how === "eof") c.close();
        else if (how === "peer_shut_wr") await c.shutdown(SHUT_WR);
        else await s.shutdown(SHUT_RD);
        ts.push([call, how, await outcome(p)]);
      } finally {
        c.close();
        s.close();
      }
    }
  }
  assert.deepEqual(ts, py);
});

Deno.test("a blocking recv()/recv_into() waiting with nothing buffered, closed from another task, raises EBADF (CPython's would wait on: Linux does not wake it); later calls raise EBADF too", async () => {
  for (const call of ["recv", "recv_into"]) {
    const [c, s] = await tcp_pair();
    try {
      const p = call === "recv" ? s.recv(16) : s.recv_into(new Uint8Array(16));
      await sleep(20);
      s.close();
      assert.deepEqual(await outcome(p), ["OSError", 9], call);
      assert.deepEqual(await outcome(s.recv(16)), ["OSError", 9], call);
    } finally {
      c.close();
      s.close();
    }
  }
});

Deno.test("three tasks in blocking recv()/recv_into() on one socket, 300 messages one by one: every byte reaches exactly one of them, in the stream's order", async () => {
  const [c, s] = await tcp_pair();
  try {
    const N = 300;
    const sent = Array.from({ length: N }, (_, i) => `<${i}>`).join("");
    const order: string[] = [];
    let done = false;
    const task = async (into: boolean) => {
      const buf = new Uint8Array(7);
      for (;;) {
        const chunk = into ? buf.subarray(0, await s.recv_into(buf)) : await s.recv(5);
        if (chunk.length === 0) return;
        order.push(dec.decode(chunk)); // resumes run in the order the bytes were taken
        if (done) return;
      }
    };
    const tasks = [task(false), task(true), task(false)];
    for (let i = 0; i < N; i++) {
      await c.sendall(enc.encode(`<${i}>`));
      if (i % 7 === 0) await sleep(1);
    }
    c.close(); // EOF ends each task
    await within(Promise.all(tasks), LIMIT, "receivers");
    done = true;
    assert.equal(order.join(""), sent);
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("blocking sendall() round trips with recv_into(), then a sendall() larger than the kernel's buffers to a reader that pauses (short writes go on): every byte arrives, in order", async () => {
  const [c, s] = await tcp_pair();
  try {
    // Round trips: each sendall is a direct write the kernel takes whole.
    const echo = (async () => {
      const b = new Uint8Array(64);
      for (let i = 0; i < 200; i++) {
        let got = 0;
        while (got < 64) got += await s.recv_into(b.subarray(got));
        await s.sendall(b);
      }
    })();
    const req = new Uint8Array(64), resp = new Uint8Array(64);
    for (let i = 0; i < 200; i++) {
      req.fill(i & 0xff);
      await c.sendall(req);
      let got = 0;
      while (got < 64) got += await c.recv_into(resp.subarray(got));
      assert.ok(resp.every((x) => x === (i & 0xff)), `round ${i}`);
    }
    await within(echo, LIMIT, "echo");
    // Then 24 MiB in one sendall while the reader pauses now and then: the first write comes back short,
    // the rest goes on as copies; then a small sendall after it (the writer is "full" now), then send().
    const big = new Uint8Array(24 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    const reader = (async () => {
      const b = new Uint8Array(1 << 20);
      let total = 0, bad = -1, reads = 0;
      while (total < big.length + 4 + 3) {
        const n = await s.recv_into(b);
        if (n === 0) break;
        for (let k = 0; k < n; k++) {
          const at = total + k;
          const want = at < big.length ? big[at] : at < big.length + 4 ? 0x61 : 0x62;
          if (b[k] !== want && bad < 0) bad = at;
        }
        total += n;
        if (++reads % 8 === 0) await sleep(2);
      }
      return [total, bad];
    })();
    await within(c.sendall(big), LIMIT, "big sendall");
    await within(c.sendall(enc.encode("aaaa")), LIMIT, "small sendall");
    let n = 0;
    while (n < 3) n += await within(c.send(enc.encode("bbb").subarray(n)), LIMIT, "send");
    assert.deepEqual(await within(reader, LIMIT, "reader"), [big.length + 7, -1]);
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("a non-blocking sender of 40,000 small messages to a reader that pauses: the queue fills, flushes, compacts and refills, and the peer gets exactly what send() reported, in order", async () => {
  const [a, b] = await socketpair();
  try {
    a.setblocking(false);
    const N = 40_000;
    const reader = (async () => {
      const parts: Uint8Array[] = [];
      let total = 0, reads = 0;
      for (;;) {
        const d = await b.recv(65536);
        if (d.length === 0) break;
        parts.push(d);
        total += d.length;
        if (++reads % 4 === 0) await sleep(1);
      }
      const all = new Uint8Array(total);
      let off = 0;
      for (const p of parts) all.set(p, off), off += p.length;
      return all;
    })();
    const expect: number[] = [];
    using sel = new DefaultSelector();
    sel.register(a, EVENT_WRITE);
    let blocked = 0;
    for (let i = 0; i < N; i++) {
      const msg = new Uint8Array(1 + (i % 23)).fill(i & 0xff);
      let off = 0;
      while (off < msg.length) {
        try {
          const k = await a.send(msg.subarray(off));
          for (let j = 0; j < k; j++) expect.push(msg[off + j]!);
          off += k;
        } catch (e) {
          if (!(e instanceof BlockingIOError)) throw e;
          blocked++;
          await within(sel.select(5), LIMIT, "select for writing");
        }
      }
    }
    a.close(); // queued bytes still go out (linger), then EOF
    const got = await within(reader, 60_000, "reader");
    assert.equal(got.length, expect.length);
    assert.ok(got.every((x, i) => x === expect[i]), "bytes in order");
    assert.ok(blocked > 0, "the queue filled at least once (else the refill was never run)");
  } finally {
    a.close();
    b.close();
  }
});

test("a DefaultSelector with 40 ready sockets: unregistering some and draining others between selects reports exactly the registered, still-readable ones, as CPython's", async () => {
  const py = await cpython(`
import selectors
sel = selectors.DefaultSelector()
pairs = [socketpair() for _ in range(40)]
for i, (a, b) in enumerate(pairs):
    sel.register(b, selectors.EVENT_READ, i)
    a.sendall(b"x" * (1 + i % 3))
time.sleep(0.05)
out = []
def look():
    return sorted(k.data for k, m in sel.select(1))
out.append(look())
for i in range(0, 40, 3): sel.unregister(pairs[i][1])
for i in range(1, 40, 4): pairs[i][1].recv(100)
out.append(look())
for i in range(2, 40, 5):
    try: sel.unregister(pairs[i][1])
    except KeyError: pass
pairs[5][0].sendall(b"y"); pairs[6][0].sendall(b"y")
time.sleep(0.05)
out.append(look())
for i in range(40):
    pairs[i][1].setblocking(False)
    try: pairs[i][1].recv(100)
    except BlockingIOError: pass
pairs[8][0].sendall(b"z")
time.sleep(0.05)
out.append(sorted(k.data for k, m in sel.select(0)))
print(json.dumps(out))
`);
  const pairs = await Promise.all(Array.from({ length: 40 }, () => socketpair()));
  try {
    using sel = new DefaultSelector<number>();
    for (let i = 0; i < 40; i++) {
      sel.register(pairs[i]![1], EVENT_READ, i);
      await pairs[i]![0].sendall(new Uint8Array(1 + i % 3).fill(0x78));
    }
    await sleep(50);
    const look = async (t: number) => (await sel.select(t)).map(([k]) => k.data!).sort((x, y) => x - y);
    const ts: number[][] = [];
    ts.push(await look(1));
    for (let i = 0; i < 40; i += 3) sel.unregister(pairs[i]![1]);
    for (let i = 1; i < 40; i += 4) await pairs[i]![1].recv(100);
    ts.push(await look(1));
    for (let i = 2; i < 40; i += 5) {
      try {
        sel.unregister(pairs[i]![1]);
      } catch (e) {
        if ((e as Error).name !== "KeyError") throw e;
      }
    }
    await pairs[5]![0].sendall(enc.encode("y"));
    await pairs[6]![0].sendall(enc.encode("y"));
    await sleep(50);
    ts.push(await look(1));
    for (let i = 0; i < 40; i++) {
      pairs[i]![1].setblocking(false);
      try {
        await pairs[i]![1].recv(100);
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
      }
    }
    await pairs[8]![0].sendall(enc.encode("z"));
    await sleep(50);
    ts.push(await look(0));
    assert.deepEqual(ts, py);
  } finally {
    for (const [a, b] of pairs) a.close(), b.close();
  }
});
