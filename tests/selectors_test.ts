import assert from "node:assert/strict";
import {
  AF_INET,
  create_connection,
  create_server,
  SHUT_WR,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import {
  BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  KeyError,
  PollSelector,
  select,
  SelectSelector,
} from "../selectors.ts";
import { run_example, test_needing, within as bounded } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Fail instead of hanging when `p` takes longer than `ms`. */
const within = <T>(ms: number, p: Promise<T>): Promise<T> => bounded(p, ms, "selectors test");

test("select() reports a listener readable once a connection is pending", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  assert.deepEqual(await select([srv], [], [], 0), [[], [], []]);
  using cli = await create_connection(srv.getsockname() as [string, number]);
  const [r, w, x] = await within(2000, select([srv], [], [], 2));
  assert.deepEqual([r.length, w.length, x.length], [1, 0, 0]);
  assert.equal(r[0], srv);
  srv.settimeout(0);
  const [conn] = await srv.accept(); // returns at once: readiness was real
  conn.close();
  assert.ok(cli.fileno() > 0);
});

test("select() with a timeout returns three empty lists when nothing is ready", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  const t0 = performance.now();
  assert.deepEqual(await select([a, b], [], [a], 0.1), [[], [], []]);
  const dt = performance.now() - t0;
  assert.ok(dt >= 90 && dt < 1000, `waited ${dt} ms`);
  assert.deepEqual(await select([a, b], [], [], 0), [[], [], []]);
});

test("select() loses and duplicates no byte when data arrives after a timeout", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  // A timed-out select leaves the read-ahead pending in the socket.
  assert.deepEqual((await select([b], [], [], 0.05))[0], []);
  await a.sendall(enc.encode("first"));
  assert.deepEqual((await within(2000, select([b], [], [], 2)))[0], [b]);
  b.settimeout(0);
  assert.equal(dec.decode(await b.recv(100)), "first");
  await assert.rejects(b.recv(100), (e: Error) => e.name === "BlockingIOError");
  // Many rounds: select times out, then bytes come; every byte exactly once.
  const sent: number[] = [];
  const got: number[] = [];
  for (let i = 0; i < 30; i++) {
    assert.deepEqual((await select([b], [], [], 0.005))[0], []);
    const chunk = Array.from({ length: 1 + (i * 37) % 200 }, (_, k) => (i + k) & 255);
    sent.push(...chunk);
    await a.sendall(new Uint8Array(chunk));
    while (got.length < sent.length) {
      const [r] = await within(2000, select([b], [], [], 2));
      assert.deepEqual(r, [b]);
      got.push(...await b.recv(64));
    }
  }
  assert.deepEqual(got, sent);
  assert.deepEqual((await select([b], [], [], 0))[0], []);
});

test("select() reports end of stream as readable and recv() then returns b''", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  const waiting = select([b], [], [], 2);
  await a.shutdown(SHUT_WR);
  assert.deepEqual((await within(2000, waiting))[0], [b]);
  b.settimeout(0);
  assert.equal((await b.recv(10)).length, 0);
});

test("select() reports a connected socket writable and keeps the list order", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  const [r, w] = await select([], [b, a], [], 1);
  assert.deepEqual(r, []);
  assert.deepEqual(w, [b, a]);
});

test("select() refuses unknown numbers, non-sockets and closed sockets as Python does", async () => {
  const s = socket();
  // A number (or fileno()) that names no open socket: CPython's OSError EBADF (rdy9: numbers are accepted).
  await assert.rejects(select([1e9 as unknown as Socket], [], []), /^OSError: \[Errno 9\] Bad file descriptor/);
  await assert.rejects(select([{} as unknown as Socket], [], []), TypeError);
  await assert.rejects(select([{ fileno: () => 1e9 } as unknown as Socket], [], []), /\[Errno 9\]/);
  await assert.rejects(select([s], [], [], -1), RangeError);
  await assert.rejects(select([s], [], [], "1" as unknown as number), TypeError);
  s.close();
  await assert.rejects(select([s], [], []), /negative integer \(-1\)/);
});

test("select() rejects with signal.reason when aborted", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  const ac = new AbortController();
  const reason = new Error("stop");
  const p = select([b], [], [], null, { signal: ac.signal });
  setTimeout(() => ac.abort(reason), 20);
  await assert.rejects(within(2000, p), (e) => e === reason);
  // The read-ahead it started is kept: the next bytes are read once.
  await a.sendall(enc.encode("x"));
  assert.equal(dec.decode(await b.recv(10)), "x");
  await assert.rejects(select([b], [], [], { signal: AbortSignal.abort(reason) }), (e) => e === reason);
});

test("select() wakes when one of many sockets becomes readable", async () => {
  const pairs = await Promise.all(Array.from({ length: 10 }, () => socketpair()));
  try {
    const readers = pairs.map(([, b]) => b);
    const waiting = select(readers, [], [], 5);
    await pairs[7]![0].sendall(enc.encode("7"));
    const [r] = await within(3000, waiting);
    assert.deepEqual(r, [readers[7]]);
  } finally {
    for (const [a, b] of pairs) a.close(), b.close();
  }
});

test("select() serves several clients with the classic Python loop", async () => {
  using server = create_server(["127.0.0.1", 0]);
  server.setblocking(false);
  const addr = server.getsockname() as [string, number];
  const CLIENTS = 8, MESSAGES = 20;
  const stop = AbortSignal.timeout(10_000);
  const serve = (async () => {
    const inputs: Socket[] = [server];
    const outputs: Socket[] = [];
    const queues = new Map<Socket, Uint8Array[]>();
    let finished = 0;
    while (finished < CLIENTS) {
      const [readable, writable, exceptional] = await select(inputs, outputs, inputs, { signal: stop });
      for (const s of readable) {
        if (s === server) {
          const [conn] = await s.accept();
          conn.setblocking(false);
          inputs.push(conn);
          queues.set(conn, []);
        } else {
          const data = await s.recv(1024);
          if (data.length > 0) {
            queues.get(s)!.push(data);
            if (!outputs.includes(s)) outputs.push(s);
          } else {
            if (outputs.includes(s)) outputs.splice(outputs.indexOf(s), 1);
            inputs.splice(inputs.indexOf(s), 1);
            s.close();
            queues.delete(s);
            finished++;
          }
        }
      }
      for (const s of writable) {
        const q = queues.get(s);
        const next = q?.shift();
        if (next === undefined) {
          if (outputs.includes(s)) outputs.splice(outputs.indexOf(s), 1);
        } else {
          const n = await s.send(next);
          if (n < next.length) q!.unshift(next.subarray(n));
        }
      }
      assert.deepEqual(exceptional, []);
    }
  })();
  const client = async (id: number) => {
    using c = await create_connection(addr, 5);
    let want = "";
    let got = "";
    for (let i = 0; i < MESSAGES; i++) {
      const msg = `client ${id} message ${i}\n`;
      want += msg;
      await c.sendall(enc.encode(msg));
    }
    while (got.length < want.length) {
      const chunk = await c.recv(4096);
      if (chunk.length === 0) break;
      got += dec.decode(chunk);
    }
    assert.equal(got, want);
  };
  await within(15_000, Promise.all([serve, ...Array.from({ length: CLIENTS }, (_, i) => client(i))]));
});

test("DefaultSelector register/modify/unregister/get_key/get_map follow Python", () => {
  using sel = new DefaultSelector<string>();
  using s = socket();
  using t = socket();
  const key = sel.register(s, EVENT_READ, "a");
  assert.deepEqual([key.fileobj, key.fd, key.events, key.data], [s, s.fileno(), EVENT_READ, "a"]);
  assert.ok(Object.isFrozen(key));
  assert.throws(() => sel.register(s, EVENT_READ), KeyError);
  assert.throws(() => sel.register(s.fileno(), EVENT_READ), /already registered/);
  assert.throws(() => sel.register(t, 0), RangeError);
  assert.throws(() => sel.register(t, 4), /Invalid events: 4/);
  assert.throws(() => sel.register(99, EVENT_READ), /\[Errno 9\] Bad file descriptor/); // CPython: OSError EBADF
  assert.throws(() => sel.register({} as unknown as Socket, EVENT_READ), /^RangeError: Invalid file object/); // CPython: ValueError
  assert.equal(sel.get_key(s), key);
  assert.equal(sel.get_key(s.fileno()), key);
  assert.throws(() => sel.get_key(t), KeyError);
  const k2 = sel.modify(s, EVENT_READ, "b");
  assert.equal(k2.data, "b");
  const k3 = sel.modify(s.fileno(), EVENT_READ | EVENT_WRITE, "c");
  assert.deepEqual([k3.events, k3.data, k3.fileobj], [3, "c", s]);
  assert.equal(sel.modify(s, 3, "c"), k3);
  assert.throws(() => sel.modify(t, EVENT_READ), KeyError);
  assert.equal(sel.get_map()?.size, 1);
  assert.equal(sel.get_map()?.get(s.fileno()), k3);
  assert.equal(sel.unregister(s.fileno()), k3);
  assert.throws(() => sel.unregister(s), /is not registered/);
  assert.equal(sel.get_map()?.size, 0);
  sel.close();
  assert.equal(sel.get_map(), null);
  assert.throws(() => sel.register(t, EVENT_READ), RangeError);
  assert.equal(SelectSelector, DefaultSelector);
  assert.equal(PollSelector, DefaultSelector);
  assert.equal(EpollSelector, DefaultSelector);
  assert.equal(BaseSelector, DefaultSelector);
});

test("DefaultSelector.select() times out empty, then reports data read exactly once", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  using sel = new DefaultSelector();
  sel.register(b, EVENT_READ, "reader");
  assert.deepEqual(await sel.select(0.05), []);
  assert.deepEqual(await sel.select(-1), []);
  await a.sendall(enc.encode("hello"));
  const ready = await within(2000, sel.select(2));
  assert.equal(ready.length, 1);
  assert.equal(ready[0]![0].fileobj, b);
  assert.equal(ready[0]![0].data, "reader");
  assert.equal(ready[0]![1], EVENT_READ);
  assert.equal(dec.decode(await b.recv(100)), "hello");
  assert.deepEqual(await sel.select(0), []);
  sel.modify(b, EVENT_READ | EVENT_WRITE);
  const rw = await sel.select(0);
  assert.equal(rw[0]?.[1], EVENT_WRITE);
});

test("DefaultSelector.select() does not report a key unregistered while it waited", async () => {
  const [a, b] = await socketpair();
  using _a = a, _b = b;
  using sel = new DefaultSelector();
  sel.register(b, EVENT_READ);
  const waiting = sel.select(2);
  sel.unregister(b);
  await a.sendall(enc.encode("z"));
  assert.deepEqual(await within(3000, waiting), []);
  assert.equal(dec.decode(await b.recv(5)), "z");
});

test("DefaultSelector echo server serves 50 concurrent clients without losing a message", async () => {
  using server = create_server(["127.0.0.1", 0], { backlog: 128 });
  const addr = server.getsockname() as [string, number];
  const CLIENTS = 50, MESSAGES = 10;
  using sel = new DefaultSelector<(s: Socket, mask: number) => Promise<void>>();
  let closed = 0;
  const read = async (conn: Socket) => {
    const data = await conn.recv(4096);
    if (data.length) await conn.sendall(data);
    else {
      sel.unregister(conn);
      conn.close();
      closed++;
    }
  };
  const accept = async (s: Socket) => {
    const [conn] = await s.accept();
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
  };
  sel.register(server, EVENT_READ, accept);
  const deadline = AbortSignal.timeout(20_000);
  const loop = (async () => {
    while (closed < CLIENTS) {
      for (const [key, mask] of await sel.select({ signal: deadline })) {
        await key.data!(key.fileobj as Socket, mask);
      }
    }
  })();
  const client = async (id: number) => {
    using c = await create_connection(addr, 10);
    for (let i = 0; i < MESSAGES; i++) {
      const msg = enc.encode(`${id}:${i};`);
      await c.sendall(msg);
      let got = "";
      while (got.length < msg.length) got += dec.decode(await c.recv(100));
      assert.equal(got, `${id}:${i};`);
    }
  };
  await within(25_000, Promise.all([loop, ...Array.from({ length: CLIENTS }, (_, i) => client(i))]));
  assert.equal(closed, CLIENTS);
});

test({
  name: "select() reports a datagram socket readable when a datagram is queued",
  ignore: typeof (Deno as { listenDatagram?: unknown }).listenDatagram !== "function",
  async fn() {
    using r = socket(AF_INET, SOCK_DGRAM);
    r.bind(["127.0.0.1", 0]);
    using s = socket(AF_INET, SOCK_DGRAM);
    assert.deepEqual((await select([r], [], [], 0.05))[0], []);
    await s.sendto(enc.encode("d1"), r.getsockname());
    assert.deepEqual((await within(2000, select([r], [], [], 2)))[0], [r]);
    r.settimeout(0);
    assert.equal(dec.decode((await r.recvfrom(100))[0]), "d1");
    await assert.rejects(r.recvfrom(100), (e: Error) => e.name === "BlockingIOError");
  },
});

// ---- examples/select_echo.ts ------------------------------------------------

const dec2 = new TextDecoder();

test("examples/select_echo.ts --self-test serves 20 clients and exits by itself", async () => {
  const out = await run_example("select_echo.ts", ["--self-test"], async () => {});
  assert.match(out, /self-test ok: 20 clients, (\d+) bytes checked, \1 bytes echoed/);
});

test("examples/select_echo.ts echoes for concurrent python3 clients", async () => {
  const out = await run_example("select_echo.ts", ["--port", "0", "--clients", "3"], async (port) => {
    const res = await new Deno.Command("python3", {
      args: [
        "-c",
        `
import socket, sys, threading
port = int(sys.argv[1])
errors = []
def client(i):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            want = b"".join(b"python %d line %d\\n" % (i, k) for k in range(200))
            s.sendall(want)
            got = b""
            while len(got) < len(want):
                chunk = s.recv(4096)
                assert chunk, "eof"
                got += chunk
            assert got == want
    except Exception as e:
        errors.append(e)
ts = [threading.Thread(target=client, args=(i,)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print("ok" if not errors else errors)
`,
        String(port),
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    assert.equal(dec2.decode(res.stdout).trim(), "ok", dec2.decode(res.stderr));
  });
  assert.match(out, /done: \d+ bytes echoed/);
});

test("examples/select_echo.ts serve() echoes for 50 concurrent clients in-process", async () => {
  const { serve } = await import("../examples/select_echo.ts");
  using server = create_server(["127.0.0.1", 0], { backlog: 128 });
  const port = (server.getsockname() as [string, number])[1];
  const clients = Array.from({ length: 50 }, async (_, i) => {
    using c = await create_connection(["127.0.0.1", port], 10);
    const want = `client ${i} `.repeat(100);
    await c.sendall(enc.encode(want));
    let got = "";
    while (got.length < want.length) got += dec.decode(await c.recv(4096));
    assert.equal(got, want);
  });
  const [echoed] = await within(
    20_000,
    Promise.all([serve(server, { clients: 50, signal: AbortSignal.timeout(20_000) }), ...clients]),
  );
  assert.ok((echoed as number) > 0);
});
