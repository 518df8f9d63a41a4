// adv18a A18a-2: a client that connects between bind() and listen(n). Deno listens at bind(), so the kernel queues
// it (CPython's connect is refused until listen()); the first listen(n) made the Deno listener again with the new
// backlog and reset it: the client's connect had succeeded, its bytes were lost and its recv read ECONNRESET. A
// client that retries connect until the server is up (the usual "wait for the port" loop) works against CPython and
// broke against pysocket. Now a listen() never closes a listener whose queue may hold a connection: it is made again
// only when /proc/net/tcp shows the queue empty, or, where that cannot be read (macOS, Windows, Deno without
// --allow-read: simulated through the _set_proc_net_for_tests seam), when listen() runs in the same synchronous run
// as bind().

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, type Socket, socket } from "../mod.ts";
import { _set_proc_net_for_tests } from "../socket.ts";
import { select } from "../selectors.ts";
import { attempt, cpython, sleep } from "./_twin.ts";

const te = new TextEncoder();

// [backlog (null: listen()), family, host]
const ROWS: [number | null, number, string][] = [
  [5, AF_INET, "127.0.0.1"],
  [0, AF_INET, "127.0.0.1"],
  [null, AF_INET, "127.0.0.1"],
  [1, AF_INET6, "::1"],
];

/** The "wait for the port" program: a client retries connect until it is served; the server listens 200 ms late. */
async function program(backlog: number | null, fam: number, host: string): Promise<unknown[]> {
  const l = socket(fam);
  l.bind([host, 0]);
  const addr = l.getsockname();
  const client = (async () => {
    let c: Socket | null = null;
    for (let i = 0; i < 40 && c === null; i++) {
      const x = socket(fam);
      try {
        await x.connect(addr);
        c = x;
      } catch {
        x.close();
        await sleep(25);
      }
    }
    if (c === null) return ["never connected"];
    c.settimeout(3);
    try {
      await c.sendall(te.encode("hi"));
      return await attempt(() => c.recv(10));
    } finally {
      c.close();
    }
  })();
  await sleep(200);
  if (backlog === null) l.listen();
  else l.listen(backlog);
  l.settimeout(3);
  const server = await attempt(async () => {
    const [a] = await l.accept();
    a.settimeout(3);
    const d = await a.recv(10);
    await a.sendall(new TextEncoder().encode(new TextDecoder().decode(d).toUpperCase()));
    a.close();
    return d;
  });
  const got = [server, await client];
  l.close();
  return got;
}

const PY_PROGRAM = `
def program(backlog, fam, host):
    l = socket(fam); l.bind((host, 0)); addr = l.getsockname(); res = []
    def client():
        c = None
        for i in range(40):
            x = socket(fam)
            try:
                x.connect(addr); c = x; break
            except OSError:
                x.close(); time.sleep(0.025)
        if c is None: res.append(["never connected"]); return
        c.settimeout(3); c.sendall(b"hi"); res.append(attempt(lambda: c.recv(10))); c.close()
    t = threading.Thread(target=client); t.start()
    time.sleep(0.2)
    if backlog is None: l.listen()
    else: l.listen(backlog)
    l.settimeout(3)
    def serve():
        a, _ = l.accept(); a.settimeout(3); d = a.recv(10); a.sendall(d.upper()); a.close(); return d
    server = attempt(serve)
    t.join(5); l.close()
    return [server, res[0]]
`;

Deno.test("A client that connects between bind() and listen(n) is served, as CPython's retrying client is (A18a-2)", async () => {
  const py = await cpython(
    PY_PROGRAM + `null = None
print(json.dumps([program(*r) for r in ${JSON.stringify(ROWS)}]))`,
  );
  const got: unknown[] = [];
  for (const [b, fam, host] of ROWS) got.push(await program(b, fam, host));
  assert.deepEqual(got, py);
  assert.deepEqual(got[0], [["ok", "hi"], ["ok", "HI"]]);
});

Deno.test("Without /proc/net/tcp (seam: macOS, Windows, no --allow-read) the early client is still served (A18a-2)", async () => {
  const py = await cpython(
    PY_PROGRAM + `null = None
print(json.dumps([program(*r) for r in ${JSON.stringify(ROWS)}]))`,
  );
  const readers: [string, (p: string) => string][] = [
    ["missing", () => {
      throw new Deno.errors.NotFound("no /proc");
    }],
    ["denied", () => {
      throw new Deno.errors.NotCapable("read");
    }],
    ["no row for the port (another namespace)", () => "  sl  local_address rem_address   st tx_queue rx_queue\n"],
    ["garbage", () => "\0\0\0 not a table"],
  ];
  try {
    for (const [name, fn] of readers) {
      _set_proc_net_for_tests(fn);
      const got: unknown[] = [];
      for (const [b, fam, host] of ROWS) got.push(await program(b, fam, host));
      assert.deepEqual(got, py, name);
    }
  } finally {
    _set_proc_net_for_tests(null);
  }
});

/** How many of `burst` non-blocking connects complete while nobody accepts (as backlog_test.ts counts them). */
async function queued(l: Socket, burst: number): Promise<number> {
  const cs: Socket[] = [];
  try {
    for (let i = 0; i < burst; i++) {
      const c = socket();
      c.setblocking(false);
      await c.connect_ex(l.getsockname());
      cs.push(c);
    }
    await sleep(300);
    const [, w] = await select([], cs, [], 0);
    return w.length;
  } finally {
    for (const c of cs) c.close();
  }
}

Deno.test("listen(0) still reaches the kernel: after an await (read from /proc), unbound (A18a-3), and without /proc in bind()'s own run (A18a-2's guard, F5)", async () => {
  const py = await cpython(`
out = []
for i in range(4):
    l = socket()
    if i != 1 and i != 3: l.bind(("127.0.0.1", 0)); time.sleep(0.05)
    l.listen(0)
    cs = []
    for _ in range(4):
        c = socket(); c.setblocking(False); c.connect_ex(l.getsockname()); cs.append(c)
    time.sleep(0.3)
    out.append(len(select.select([], cs, [], 0)[1]))
    for c in cs: c.close()
    l.close()
print(json.dumps(out))
`);
  const got: number[] = [];
  // /proc readable, an await between bind() and listen(0): the queue is read empty, the listener made again.
  {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    await sleep(50);
    l.listen(0);
    got.push(await queued(l, 4));
    l.close();
  }
  // Unbound: listen(0) binds, then makes the listener again with 0 (A18a-3: Deno's 511 stayed).
  {
    const l = socket();
    l.listen(0);
    got.push(await queued(l, 4));
    l.close();
  }
  try {
    _set_proc_net_for_tests(() => {
      throw new Deno.errors.NotFound("no /proc");
    });
    // No /proc, bind() and listen(0) in one run: made again.
    {
      const l = socket();
      l.bind(["127.0.0.1", 0]);
      l.listen(0);
      got.push(await queued(l, 4));
      l.close();
    }
    // No /proc, unbound: listen(0) binds with the backlog.
    {
      const l = socket();
      l.listen(0);
      const n = l.getsockname() as [string, number];
      assert.ok(n[1] > 0);
      got.push(await queued(l, 4));
      l.close();
    }
  } finally {
    _set_proc_net_for_tests(null);
  }
  assert.deepEqual(got, py);
  assert.deepEqual(got, [1, 1, 1, 1]);
});

Deno.test("Without /proc an await between bind() and listen(n) keeps Deno's listener: nothing queued is lost, nothing thrown (A18a-2, documented)", async () => {
  // CPython's listen(0) here queues one connection; pysocket cannot tell that its queue is empty, so it keeps
  // Deno's backlog (511) rather than risk resetting a connection: all four complete. Printed, not compared.
  try {
    _set_proc_net_for_tests(() => {
      throw new Deno.errors.NotFound("no /proc");
    });
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    const early = socket();
    await early.connect(l.getsockname());
    await early.sendall(te.encode("early"));
    l.listen(0);
    l.listen(3); // a second listen(): kept too
    const n = await queued(l, 4);
    l.settimeout(3);
    const [a] = await l.accept();
    a.settimeout(3);
    assert.equal(new TextDecoder().decode(await a.recv(10)), "early");
    a.close();
    early.close();
    l.close();
    console.log(`  no /proc, listen(0) after an await: ${n} of 4 connects completed (CPython: 1; Deno's backlog kept)`);
    assert.equal(n, 4);
  } finally {
    _set_proc_net_for_tests(null);
  }
});
