// shutdown() and close() as state changes every waiter sees (issues 13, 14):
// each scenario runs against its CPython twin (python3 in the same test,
// threads standing for tasks) and every wait is bounded.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_UNIX,
  BrokenPipeError,
  ConnectionRefusedError,
  create_server,
  errno,
  OSError,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  type Socket,
  socket,
} from "../mod.ts";
import { select } from "../selectors.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { lone_v4, resetting, sleep, test_needing, within } from "./_socket_fixtures.ts";
import { attempt, cpython, err, pair, stalled } from "./_twin.ts";

const test = test_needing("python3");

const LIMIT = 10_000;
const td = new TextDecoder();

test("Socket.shutdown(SHUT_RD/SHUT_RDWR) wakes recv, recv_into, readline and select waiting in other tasks (CPython twin)", async () => {
  const py = await cpython(`
out = {}
for fam in (AF_INET, AF_UNIX):
  for how in (SHUT_RD, SHUT_RDWR):
    c, s = pair(fam)
    res = {}
    f = s.makefile('rb')
    def run(k, fn):
        try: res[k] = fn()
        except Exception as e: res[k] = type(e).__name__
    buf = bytearray(100000)
    ts = [threading.Thread(target=run, args=a) for a in [
        ("recv", lambda: s.recv(10).decode()),
        ("recv_into", lambda: s.recv_into(buf)),
        ("readline", lambda: f.readline().decode()),
        ("select", lambda: len(select.select([s], [], [], 10)[0])),
    ]]
    for t in ts: t.start()
    time.sleep(0.2)
    s.shutdown(how)
    for t in ts: t.join(5)
    out[f"{fam}/{how}"] = res
    c.close(); s.close()
print(json.dumps(out))
`);
  const ours: Record<string, unknown> = {};
  for (const fam of [AF_INET, AF_UNIX]) {
    for (const how of [SHUT_RD, SHUT_RDWR]) {
      using p = await pair(fam);
      const [, s] = p;
      const f = s.makefile("rb");
      const res: Record<string, unknown> = {};
      const run = (k: string, fn: () => Promise<unknown>) =>
        fn().then((v) => res[k] = v, (e) => res[k] = (e as Error).name);
      const waits = [
        run("recv", async () => td.decode(await s.recv(10))),
        run("recv_into", () => s.recv_into(new Uint8Array(100000))), // the direct read path
        run("readline", async () => td.decode(await f.readline() as Uint8Array)),
        run("select", async () => (await select([s], [], [], 10))[0].length),
      ];
      await sleep(100);
      await within(s.shutdown(how), LIMIT, "shutdown");
      await within(Promise.all(waits), LIMIT, `waiters woken by shutdown(${how})`);
      ours[`${fam}/${how}`] = res;
    }
  }
  assert.deepEqual(ours, py);
});

test("Socket.shutdown() of a listener: SHUT_WR changes nothing, SHUT_RD stops listening and a pending accept raises EINVAL (CPython twin)", async () => {
  const script = `
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
port = srv.getsockname()[1]
res = {}
def acc():
    try: srv.accept(); res["accept"] = "ok"
    except OSError as e: res["accept"] = err(e)
t = threading.Thread(target=acc); t.start()
t2 = threading.Thread(target=lambda: res.update(select=len(select.select([srv], [], [], 5)[0]))); t2.start()
time.sleep(0.2)
out = {"shut_wr": attempt(lambda: srv.shutdown(SHUT_WR))}
time.sleep(0.1)
out["pending_after_wr"] = "accept" not in res
out["shut_rd"] = attempt(lambda: srv.shutdown(SHUT_RD))
t.join(5); t2.join(5)
out["accept"] = res.get("accept")
out["select"] = res.get("select")
out["same_port"] = srv.getsockname()[1] == port
c = socket(); out["connect"] = c.connect_ex(("127.0.0.1", port)); c.close()
out["accept_again"] = attempt(lambda: srv.accept())
out["shutdown_again"] = attempt(lambda: srv.shutdown(SHUT_RDWR))
srv.listen()
out["relisten_host"] = srv.getsockname()[0]
out["relisten_new_port"] = srv.getsockname()[1] not in (0, port)
out["relisten_accepts"] = socket().connect_ex(srv.getsockname()) == 0
srv.close()
print(json.dumps(out))
`;
  const py = await cpython(script);
  const srv = socket(AF_INET);
  try {
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const port = srv.getsockname()[1];
    let accepted: unknown = undefined;
    const acc = srv.accept().then((r) => {
      r[0].close();
      accepted = "ok";
    }, (e) => accepted = err(e));
    const sel = select([srv], [], [], 5).then((r) => r[0].length);
    await sleep(100);
    const out: Record<string, unknown> = { shut_wr: await attempt(() => srv.shutdown(SHUT_WR)) };
    await sleep(50);
    out.pending_after_wr = accepted === undefined;
    out.shut_rd = await attempt(() => srv.shutdown(SHUT_RD));
    await within(acc, LIMIT, "accept woken by shutdown");
    out.accept = accepted;
    out.select = await within(sel, LIMIT, "select woken by shutdown");
    out.same_port = srv.getsockname()[1] === port;
    {
      using c = socket();
      out.connect = await c.connect_ex(["127.0.0.1", port]);
    }
    out.accept_again = await attempt(() => srv.accept());
    out.shutdown_again = await attempt(() => srv.shutdown(SHUT_RDWR));
    srv.listen();
    out.relisten_host = srv.getsockname()[0];
    out.relisten_new_port = ![0, port].includes(srv.getsockname()[1]);
    {
      using c = socket();
      out.relisten_accepts = await c.connect_ex(srv.getsockname()) === 0;
      (await srv.accept())[0].close();
    }
    assert.deepEqual(out, py);
  } finally {
    srv.close();
  }
});

test("Socket.shutdown(SHUT_WR/SHUT_RDWR) under a sendall blocked on a peer that does not read returns at once; the sendall raises BrokenPipeError; the peer then reads to EOF (CPython twin)", async () => {
  const py = await cpython(`
out = {}
for how in (SHUT_WR, SHUT_RDWR):
  for timeout in (None, 30.0):
    c, s = pair()
    c.settimeout(timeout)
    res = {}
    def snd():
        try: c.sendall(b"x" * (64 << 20)); res["sendall"] = "ok"
        except OSError as e: res["sendall"] = type(e).__name__
    t = threading.Thread(target=snd); t.start(); time.sleep(0.3)
    c.shutdown(how)
    t.join(10)
    got = 0
    s.settimeout(10)
    while True:
        d = s.recv(1 << 20)
        if not d: break
        got += len(d)
    res["peer_eof"] = True
    out[f"{how}/{timeout}"] = res
    c.close(); s.close()
print(json.dumps(out))
`);
  const ours: Record<string, unknown> = {};
  for (const how of [SHUT_WR, SHUT_RDWR]) {
    for (const timeout of [null, 30]) {
      using p = await pair();
      const [c, s] = p;
      c.settimeout(timeout);
      const res: Record<string, unknown> = {};
      const snd = c.sendall(new Uint8Array(64 << 20)).then(() => res.sendall = "ok", (e) => res.sendall = e.name);
      await sleep(200);
      await within(c.shutdown(how), LIMIT, `shutdown(${how}) under a blocked sendall (timeout ${timeout})`);
      await within(snd, LIMIT, "sendall woken by shutdown");
      s.settimeout(10);
      for (let i = 0; i < 100_000; i++) {
        if ((await s.recv(1 << 20)).length === 0) break;
      }
      res.peer_eof = true;
      ours[`${how}/${timeout === null ? "None" : "30.0"}`] = res;
    }
  }
  assert.deepEqual(ours, py);
  for (const v of Object.values(ours)) assert.equal((v as { sendall: string }).sendall, BrokenPipeError.name);
});

test("Socket.shutdown(SHUT_WR) never waits for the peer to read: queued bytes go out in the background, then EOF", async () => {
  using p = await pair();
  const [c, s] = p;
  c.settimeout(0.2);
  // Fill the kernel's buffers and pysocket's send queue; the peer does not read.
  let sent = 0;
  for (let i = 0; i < 10_000; i++) {
    try {
      sent += await c.send(new Uint8Array(64 * 1024).fill(1));
    } catch (e) {
      assert.equal((e as Error).name, "TimeoutError");
      break;
    }
  }
  await within(c.shutdown(SHUT_WR), LIMIT, "shutdown(SHUT_WR) with a full send queue");
  await assert.rejects(c.send(new Uint8Array(1)), BrokenPipeError);
  // Everything accepted by send() arrives, then EOF.
  s.settimeout(10);
  let got = 0;
  for (let i = 0; i < 100_000; i++) {
    const d = await s.recv(1 << 20);
    if (d.length === 0) break;
    got += d.length;
  }
  assert.equal(got, sent);
  // The connection's other direction still works.
  await s.sendall(new Uint8Array([7]));
  c.settimeout(10);
  assert.deepEqual(await c.recv(1), new Uint8Array([7]));
});

test("Socket.close() under a timed sendall waiting for room raises EBADF at once, not TimeoutError", async () => {
  using p = await pair();
  const [c] = p;
  c.settimeout(60);
  const snd = c.sendall(new Uint8Array(64 << 20)).then(() => "ok", (e) => err(e));
  await sleep(200);
  c.close();
  assert.deepEqual(await within(snd, LIMIT, "sendall woken by close"), ["OSError", errno.EBADF]);
});

test("Socket.close() wakes every waiter with EBADF: recv (a send queued), recv_into, accept, select", async () => {
  using p = await pair();
  const [c, s] = p;
  // A queued timed send keeps the transport open after close() (linger): the waiters must not depend on it.
  c.settimeout(5);
  const queued = await c.send(new Uint8Array(1 << 20));
  const waits = [c.recv(10), c.recv_into(new Uint8Array(1 << 16))].map((w) => w.then(() => "ok", (e) => err(e)));
  const l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const acc = l.accept().then(() => "ok", (e) => err(e));
  const sel = select([l, c], [], [], 10).then((r) => r[0].length);
  await sleep(100);
  c.close();
  l.close();
  const ebadf = ["OSError", errno.EBADF];
  assert.deepEqual(await within(Promise.all(waits), LIMIT, "recv woken by close"), [ebadf, ebadf]);
  assert.deepEqual(await within(acc, LIMIT, "accept woken by close"), ebadf);
  assert.ok(await within(sel, LIMIT, "select woken by close") >= 1);
  // The peer still gets what was queued, then EOF.
  s.settimeout(10);
  let got = 0;
  for (let i = 0; i < 10_000; i++) {
    const d = await s.recv(1 << 20);
    if (d.length === 0) break;
    got += d.length;
  }
  assert.equal(got, queued);
});

// The port-freeing tests listen on a loopback address of this file's own (127.x.y.z; the CPython twin on the same),
// so a freed port cannot be given meanwhile to another test file's 127.0.0.1 listener (the files run in parallel).
const LONE = lone_v4();

test("Socket.close() of a listener with an accept left pending by a timeout frees the port before the next connect (CPython twin)", async () => {
  const py = await cpython(`
l = socket(); l.bind(("${LONE}", 0)); l.listen()
port = l.getsockname()[1]
l.settimeout(0.05)
out = [attempt(l.accept)]
l.close()
c = socket()
out.append(attempt(lambda: c.connect(("${LONE}", port))))
c.close()
print(json.dumps(out))
`);
  const l = socket();
  l.bind([LONE, 0]);
  l.listen();
  const port = l.getsockname()[1];
  l.settimeout(0.05);
  const ours: unknown[] = [await attempt(() => l.accept())];
  l.close();
  using c = socket();
  ours.push(await attempt(() => c.connect([LONE, port])));
  assert.deepEqual(ours, py);
});

test("Socket.close() of a listener with an accept waiting in another task: the accept raises EBADF, the next connect is refused", async () => {
  // (CPython differs here: a thread blocked in accept(2) keeps the listener
  // alive after close(), and the next connect is accepted by that thread.)
  const l = socket();
  l.bind([LONE, 0]);
  l.listen();
  const port = l.getsockname()[1];
  const pending = attempt(() => l.accept());
  await sleep(50);
  l.close();
  using c = socket();
  assert.deepEqual(await attempt(() => c.connect([LONE, port])), [
    ConnectionRefusedError.name,
    errno.ECONNREFUSED,
  ]);
  assert.deepEqual(await within(pending, LIMIT, "accept after close"), ["OSError", errno.EBADF]);
});

test("await using a listener, and TCPServer.server_close(), free the port for any client (raw Deno.connect too)", async () => {
  let port = 0;
  {
    await using l = socket();
    l.bind([LONE, 0]);
    l.listen();
    port = l.getsockname()[1];
    l.settimeout(0.05);
    await assert.rejects(l.accept()); // leaves an accept in flight
  }
  // Not a pysocket connect: nothing in this process waits for the port.
  await assert.rejects(Deno.connect({ hostname: LONE, port }), Deno.errors.ConnectionRefused);

  const srv = new TCPServer([LONE, 0], BaseRequestHandler);
  const addr = srv.server_address as [string, number];
  srv.socket.settimeout(0.05);
  await assert.rejects(srv.socket.accept());
  srv.server_close();
  using c = socket();
  await assert.rejects(c.connect(addr), ConnectionRefusedError);

  // `await using` a server that was serving: the port is free for any client after it.
  let port2 = 0;
  {
    await using srv2 = new TCPServer([LONE, 0], BaseRequestHandler);
    port2 = (srv2.server_address as [string, number])[1];
    const serving = srv2.serve_forever(0.05);
    await sleep(100);
    await srv2.shutdown();
    await within(serving, LIMIT, "serve_forever after shutdown");
  }
  await assert.rejects(Deno.connect({ hostname: LONE, port: port2 }), Deno.errors.ConnectionRefused);
});

test("Socket.shutdown(SHUT_RD/SHUT_RDWR) after the peer reset the connection raises ENOTCONN, and recv still reports the reset (CPython twin)", async () => {
  const py = await cpython(`
out = {}
for how in (SHUT_RD, SHUT_WR, SHUT_RDWR):
    c, s = pair()
    s.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); s.close()
    time.sleep(0.1)
    out[str(how)] = [attempt(lambda: c.shutdown(how)), attempt(lambda: c.recv(10))]
    c.close()
c, s = pair()
s.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0)); s.close()
time.sleep(0.1)
out["recv first"] = [attempt(lambda: c.recv(10)), attempt(lambda: c.shutdown(SHUT_RDWR))]
print(json.dumps(out))
`);
  await using peer = await resetting(20);
  const ours: Record<string, unknown> = {};
  for (const how of [SHUT_RD, SHUT_WR, SHUT_RDWR]) {
    using c = socket();
    await c.connect(["127.0.0.1", peer.port]);
    await sleep(150);
    ours[String(how)] = [await attempt(() => c.shutdown(how)), await attempt(() => c.recv(10))];
  }
  {
    using c = socket();
    await c.connect(["127.0.0.1", peer.port]);
    await sleep(150);
    ours["recv first"] = [await attempt(() => c.recv(10)), await attempt(() => c.shutdown(SHUT_RDWR))];
  }
  // A deliberate difference: SHUT_WR does not wait a turn for a reset nothing
  // has seen yet (servers call it on every request), so it succeeds there.
  const shut_wr = String(SHUT_WR);
  assert.deepEqual((py as Record<string, unknown[]>)[shut_wr]![0], ["OSError", errno.ENOTCONN]);
  assert.deepEqual(ours[shut_wr], [["ok", null], ["ConnectionResetError", errno.ECONNRESET]]);
  delete ours[shut_wr];
  delete (py as Record<string, unknown>)[shut_wr];
  assert.deepEqual(ours, py);
  // Once a read has seen the reset, SHUT_WR raises ENOTCONN too.
  {
    using c = socket();
    await c.connect(["127.0.0.1", peer.port]);
    await assert.rejects(
      within(c.recv(10), LIMIT, "recv"),
      (e: unknown) => (e as Error).name === "ConnectionResetError",
    );
    await assert.rejects(c.shutdown(SHUT_WR), (e: unknown) => e instanceof OSError && e.errno === errno.ENOTCONN);
  }
});

test("A peer's reset wakes a recv and a blocked sendall waiting in other tasks", async () => {
  await using peer = await resetting(200);
  using c = socket();
  await c.connect(["127.0.0.1", peer.port]);
  const r = c.recv(10).then(() => "ok", (e) => (e as Error).name);
  const w = c.sendall(new Uint8Array(64 << 20)).then(() => "ok", (e) => e instanceof OSError);
  assert.equal(await within(r, LIMIT, "recv woken by reset"), "ConnectionResetError");
  assert.equal(await within(w, LIMIT, "sendall woken by reset"), true);
});

test("create_server() listener closed by `using` while select() waits on it: select wakes", async () => {
  let sel: Promise<number>;
  {
    using l: Socket = create_server(["127.0.0.1", 0]);
    sel = select([l], [], [], 10).then((r) => r[0].length);
    await sleep(50);
  }
  assert.equal(await within(sel, LIMIT, "select woken by close"), 1);
});

test("Socket.shutdown(SHUT_WR) wakes a select() waiting for writability; shutdown() of a connect in flight aborts it (CPython twin)", async () => {
  const py = await cpython(`
out = {}
c, s = pair()
c.setblocking(False)
try:
    while True: c.send(b"x" * 65536)
except BlockingIOError: pass
res = {}
t = threading.Thread(target=lambda: res.update(w=len(select.select([], [c], [], 10)[1]))); t.start()
time.sleep(0.2)
out["before"] = "w" not in res
c.shutdown(SHUT_WR)
t.join(5)
out["select"] = res.get("w")
sl, fill = stalled()
x = socket(); x.setblocking(False)
out["connecting"] = [x.connect_ex(sl.getsockname()), attempt(lambda: x.shutdown(SHUT_RDWR)), attempt(lambda: x.getpeername())]
print(json.dumps(out))
`);
  using p = await pair();
  const [c] = p;
  c.settimeout(0.1);
  for (let i = 0; i < 10_000; i++) {
    try {
      await c.send(new Uint8Array(65536));
    } catch {
      break; // TimeoutError: the kernel's buffers and pysocket's queue are full
    }
  }
  let w: number | undefined;
  const sel = select([], [c], [], 10).then((r) => w = r[1].length);
  await sleep(100);
  const out: Record<string, unknown> = { before: w === undefined };
  await within(c.shutdown(SHUT_WR), LIMIT, "shutdown");
  await within(sel, LIMIT, "select woken by SHUT_WR");
  out.select = w;
  using st = await stalled();
  using x = socket();
  x.setblocking(false);
  out.connecting = [
    await x.connect_ex(["127.0.0.1", st.port]),
    await attempt(() => x.shutdown(SHUT_RDWR)),
    await attempt(() => x.getpeername()),
  ];
  assert.deepEqual(out, py);
});

test("Socket.shutdown() from another task wakes a connect() waiting on a stalled peer: ConnectionResetError (CPython twin)", async () => {
  const py = await cpython(`
sl, fill = stalled()
s = socket()
res = {}
def c():
    res["connect"] = attempt(lambda: s.connect(sl.getsockname()))
t = threading.Thread(target=c); t.start(); time.sleep(0.2)
out = {"shutdown": attempt(lambda: s.shutdown(SHUT_RDWR))}
t.join(5)
out["connect"] = res.get("connect")
out["getpeername"] = attempt(lambda: s.getpeername())
print(json.dumps(out))
`);
  using st = await stalled();
  using s = socket();
  const conn = attempt(() => s.connect(["127.0.0.1", st.port]));
  await sleep(100);
  const out: Record<string, unknown> = { shutdown: await attempt(() => s.shutdown(SHUT_RDWR)) };
  out.connect = await within(conn, LIMIT, "connect woken by shutdown");
  out.getpeername = await attempt(() => s.getpeername());
  assert.deepEqual(out, py);
});
