// The send queue of a timed or non-blocking stream socket (_stream.ts
// StreamWriter): many small sends queued behind a write in flight go out
// together, in order, each byte once, and taking a written one off the queue
// costs the same however long the queue is. Before, every queued message was
// its own write and was shifted off an array: a timed sender of 16-byte
// messages spent ~22 µs per send (O(queue length) per write) and fell ever
// further behind its own queue.
//
// Each test checks the bytes a real peer received against what send()
// reported as taken (a SHA-256 of the stream, and the count); the CPython
// twin runs the same non-blocking sender and must agree on the stream.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { create_connection, create_server, Socket } from "../mod.ts";
import { DefaultSelector, EVENT_WRITE } from "../selectors.ts";
import * as ssl from "../ssl.ts";
import { missing, resetting, sleep, within } from "./_socket_fixtures.ts";
import { make_certs, python_server } from "./_ssl_fixtures.ts";

/** Message i: its length (1-40 bytes) and contents follow from i alone, so order and duplicates show. */
function message(i: number): Uint8Array {
  const n = 1 + (i * 7919) % 40;
  const m = new Uint8Array(n);
  for (let k = 0; k < n; k++) m[k] = (i * 31 + k) & 0xff;
  return m;
}

function sha(parts: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Deno's Conn.prototype.write, counted while `fn` runs (every TCP write pysocket makes goes through it). */
async function counting_writes<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const c = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(c)) as { write(p: Uint8Array): Promise<number> };
  c.close();
  l.close();
  const orig = proto.write;
  let n = 0;
  proto.write = function (this: unknown, p: Uint8Array) {
    n++;
    return orig.call(this, p);
  };
  try {
    return [await fn(), n];
  } finally {
    proto.write = orig;
  }
}

Deno.test("send queue: 30,000 small timed sends to a peer that reads late arrive in order, each once, in few writes", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  using a = await create_connection(["127.0.0.1", port]);
  const [b] = await srv.accept();
  using _b = b;
  a.settimeout(10);
  const N = 30_000;
  const sent: Uint8Array[] = [];
  let total = 0;
  // The peer reads nothing for 300 ms: the queue fills (up to its 256 KiB), then sends wait for room.
  const [, writes] = await counting_writes(() =>
    within(
      (async () => {
        const late = sleep(300).then(async () => {
          const parts: Uint8Array[] = [];
          let got = 0;
          for (let i = 0; i < 100_000; i++) {
            const d = await b.recv(1 << 20);
            if (d.length === 0) break;
            parts.push(d.slice());
            got += d.length;
          }
          return { parts, got };
        });
        for (let i = 0; i < N; i++) {
          const m = message(i);
          let off = 0;
          while (off < m.length) off += await a.send(off === 0 ? m : m.subarray(off));
          sent.push(m);
          total += m.length;
        }
        a.shutdown(1);
        const r = await late;
        assert.equal(r.got, total, "every byte sent arrives, none twice");
        assert.equal(sha(r.parts), sha(sent), "in the order sent");
      })(),
      60_000,
      "30,000 timed sends",
    )
  );
  // One write per message was the old cost (30,000); queued ones now go out together.
  assert.ok(writes < N / 4, `${writes} writes for ${N} queued messages`);
});

Deno.test(
  "send queue: a non-blocking sender driven by select() delivers exactly the bytes send() reported (CPython twin)",
  {
    ignore: missing("python3"),
  },
  async () => {
    // The receiver is CPython: it sleeps, then reads to EOF and prints the count and SHA-256.
    const peer = await python_server(`
import socket, hashlib, time
l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
c, _ = l.accept(); time.sleep(0.3)
h = hashlib.sha256(); n = 0
while True:
    d = c.recv(1 << 20)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest())
`);
    try {
      const s = await create_connection(["127.0.0.1", Number(peer.first)]);
      s.setblocking(false);
      using sel = new DefaultSelector<null>();
      sel.register(s, EVENT_WRITE, null);
      const h = createHash("sha256");
      let n = 0, would_block = 0;
      await within(
        (async () => {
          for (let i = 0; i < 20_000; i++) {
            const m = message(i);
            let off = 0;
            while (off < m.length) {
              try {
                const k = await s.send(off === 0 ? m : m.subarray(off));
                h.update(m.subarray(off, off + k));
                n += k;
                off += k;
              } catch (e) {
                if ((e as Error).name !== "BlockingIOError") throw e;
                would_block++;
                await sel.select(10);
              }
            }
          }
        })(),
        60_000,
        "non-blocking sender",
      );
      s.setblocking(true);
      await s.shutdown(1);
      const r = await peer.rest();
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), `${n} ${h.digest("hex")}`);
      s.close();
      // The same sender in CPython: its receiver sees its whole stream too (the count of
      // BlockingIOErrors differs with the kernel's buffers, so it is not compared).
      const twin = await python_server(`
import socket, hashlib, selectors, threading
l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
def msg(i):
    n = 1 + (i * 7919) % 40
    return bytes(((i * 31 + k) & 0xff) for k in range(n))
res = {}
def recv():
    c, _ = l.accept(); h = hashlib.sha256(); n = 0
    while True:
        d = c.recv(1 << 20)
        if not d: break
        h.update(d); n += len(d)
    res["r"] = (n, h.hexdigest())
t = threading.Thread(target=recv); t.start()
s = socket.create_connection(l.getsockname()); s.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_WRITE)
h = hashlib.sha256(); n = 0
for i in range(20000):
    m = msg(i); off = 0
    while off < len(m):
        try:
            k = s.send(m[off:]); h.update(m[off:off + k]); n += k; off += k
        except BlockingIOError:
            sel.select(0.01)
s.setblocking(True); s.shutdown(socket.SHUT_WR); t.join(); s.close()
print(res["r"] == (n, h.hexdigest()), n)
`);
      const tr = await twin.rest();
      assert.equal(tr.code, 0, tr.err);
      assert.equal(tr.out.trim(), `True ${n}`, "CPython's sender sends the same stream, all of it");
      void would_block;
    } finally {
      peer.kill();
    }
  },
);

Deno.test("send queue: timed sends over TLS to a CPython receiver arrive in order, each once", {
  ignore: missing("python3", "openssl"),
}, async () => {
  const certs = await make_certs();
  const peer = await python_server(
    `
import socket, ssl, hashlib, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
c, _ = l.accept(); s = ctx.wrap_socket(c, server_side=True); time.sleep(0.3)
h = hashlib.sha256(); n = 0
while True:
    d = s.recv(1 << 20)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest())
`,
    certs.P("server.pem"),
    certs.P("server.key"),
  );
  try {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.load_verify_locations(certs.P("ca.pem"));
    const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", Number(peer.first)]), {
      server_hostname: "localhost",
    });
    s.settimeout(10);
    const sent: Uint8Array[] = [];
    let total = 0;
    await within(
      (async () => {
        for (let i = 0; i < 20_000; i++) {
          const m = message(i);
          await s.sendall(m);
          sent.push(m);
          total += m.length;
        }
      })(),
      60_000,
      "20,000 timed TLS sends",
    );
    // SHUT_WR, then the peer reads to EOF; only then close(). (A close() at once would make
    // the kernel reset the connection: the server's TLS 1.3 session tickets lie unread, and the
    // peer loses what it had not read yet. CPython's client loses the same bytes that way.)
    await s.shutdown(1);
    const r = await peer.rest();
    s.close();
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `${total} ${sha(sent)}`);
  } finally {
    peer.kill();
  }
});

Deno.test("send queue: a reset under a long queue of small sends is raised by a later send, and nothing hangs", async () => {
  // The peer reads nothing and resets the connection 300 ms after accepting it.
  await using peer = await resetting(300);
  const a: Socket = await create_connection(["127.0.0.1", peer.port]);
  try {
    a.settimeout(5);
    const e = await within(
      (async () => {
        for (let i = 0; i < 200_000; i++) {
          try {
            await a.send(message(i));
          } catch (e) {
            return e as Error;
          }
          if (i % 256 === 0) await sleep(1);
        }
        return null;
      })(),
      20_000,
      "a send after the reset",
    );
    // Every send waiting for room is woken by the failed write (a TimeoutError would mean it was not).
    assert.ok(e !== null, "a send raises once the queue cannot be written");
    assert.ok(["ConnectionResetError", "BrokenPipeError"].includes(e.name), `${e.name}: ${e.message}`);
  } finally {
    a.close();
  }
});
