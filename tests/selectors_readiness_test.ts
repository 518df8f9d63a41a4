// What select() reports for a socket in each state, against python3 on the
// same machine (Linux): the same scenario runs in both, one select([s], [s],
// [s], 0) per row, and the rows must be equal. Also the two select loops of
// issue 14 that used to spin: a `select(1)` loop with one socket registered
// for read and write must see the waiting data, and a `select([listener],
// [], [], 0)` poll loop must see the connection, as CPython's loops do.

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, AF_UNIX, SO_ERROR, SOCK_DGRAM, type Socket, socket, SOL_SOCKET } from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { HAS_IPV6, lone_v4, sleep, TempDir, test_needing, within } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const dec = new TextDecoder();

async function python(code: string, ...args: string[]): Promise<string> {
  const res = await new Deno.Command("python3", {
    args: ["-c", code, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(res.code, 0, dec.decode(res.stderr));
  return dec.decode(res.stdout);
}

/** The failed connects of the table go to a closed port on this address (both twins). */
const LONE = lone_v4();

const PY_TABLE = String.raw`
import json, os, select, socket, sys, tempfile, time
fams = json.loads(sys.argv[1])
def sel(s):
    try:
        r, w, x = select.select([s], [s], [s], 0)
        return ("r" if r else "-") + ("w" if w else "-") + ("x" if x else "-")
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
out = {}
d = tempfile.mkdtemp()
for name, fam in fams:
    addr = lambda n: os.path.join(d, name + n) if fam == socket.AF_UNIX else ("127.0.0.1" if fam == socket.AF_INET else "::1", 0)
    s = socket.socket(fam, socket.SOCK_STREAM); out[name + " fresh stream"] = sel(s)
    s.bind(addr("l")); out[name + " bound stream"] = sel(s)
    s.listen(); out[name + " listening"] = sel(s)
    c = socket.socket(fam, socket.SOCK_STREAM); c.connect(s.getsockname()); time.sleep(0.05)
    out[name + " listening, connection pending"] = sel(s)
    a, _ = s.accept(); out[name + " connected"] = sel(c)
    out[name + " listening, after accept"] = sel(s)
    c.sendall(b"x"); time.sleep(0.05); out[name + " connected, data waiting"] = sel(a)
    a.recv(1); out[name + " connected, data taken"] = sel(a)
    c.shutdown(socket.SHUT_WR); time.sleep(0.05); out[name + " peer shut down writing"] = sel(a)
    a.shutdown(socket.SHUT_RDWR); out[name + " after own SHUT_RDWR"] = sel(a)
    a.close(); c.close(); s.close()
    out[name + " closed"] = sel(s)
    u = socket.socket(fam, socket.SOCK_DGRAM); out[name + " fresh dgram"] = sel(u)
    u.bind(addr("u")); out[name + " bound dgram"] = sel(u)
    u2 = socket.socket(fam, socket.SOCK_DGRAM); u2.bind(addr("v")); u2.sendto(b"d", u.getsockname()); time.sleep(0.05)
    out[name + " bound dgram, datagram waiting"] = sel(u)
    u.close(); u2.close()
lone = sys.argv[2]  # a loopback address of the test's own: a port freed there stays closed
l = socket.socket(); l.bind((lone, 0)); port = l.getsockname()[1]; l.close()
c = socket.socket(); c.setblocking(False); c.connect_ex((lone, port)); time.sleep(0.1)
out["failed non-blocking connect"] = sel(c)
c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
out["failed non-blocking connect, after SO_ERROR"] = sel(c)
c.close()
print(json.dumps(out))
`;

/** The same scenario with pysocket. */
async function ts_table(fams: [string, number][]): Promise<Record<string, string>> {
  const sel = async (s: Socket) => {
    try {
      const [r, w, x] = await select([s], [s], [s], 0);
      return (r.length ? "r" : "-") + (w.length ? "w" : "-") + (x.length ? "x" : "-");
    } catch (e) {
      return `${e instanceof RangeError ? "ValueError" : (e as Error).name}: ${(e as Error).message}`;
    }
  };
  const out: Record<string, string> = {};
  using dir = new TempDir();
  for (const [name, fam] of fams) {
    const addr = (n: string) => fam === AF_UNIX ? dir.sock(name + n) : [fam === AF_INET ? "127.0.0.1" : "::1", 0];
    using s = socket(fam);
    out[`${name} fresh stream`] = await sel(s);
    s.bind(addr("l") as [string, number]);
    out[`${name} bound stream`] = await sel(s);
    s.listen();
    out[`${name} listening`] = await sel(s);
    using c = socket(fam);
    await c.connect(s.getsockname());
    await sleep(50);
    out[`${name} listening, connection pending`] = await sel(s);
    const [a] = await s.accept();
    using _a = a;
    out[`${name} connected`] = await sel(c);
    out[`${name} listening, after accept`] = await sel(s);
    await c.sendall(new Uint8Array([120]));
    await sleep(50);
    out[`${name} connected, data waiting`] = await sel(a);
    await a.recv(1);
    out[`${name} connected, data taken`] = await sel(a);
    await c.shutdown(1);
    await sleep(50);
    out[`${name} peer shut down writing`] = await sel(a);
    await a.shutdown(2);
    out[`${name} after own SHUT_RDWR`] = await sel(a);
    a.close(), c.close(), s.close();
    out[`${name} closed`] = await sel(s);
    using u = socket(fam, SOCK_DGRAM);
    out[`${name} fresh dgram`] = await sel(u);
    u.bind(addr("u") as [string, number]);
    out[`${name} bound dgram`] = await sel(u);
    using u2 = socket(fam, SOCK_DGRAM);
    u2.bind(addr("v") as [string, number]);
    await u2.sendto(new Uint8Array([100]), u.getsockname());
    await sleep(50);
    out[`${name} bound dgram, datagram waiting`] = await sel(u);
  }
  // A port freed on a loopback address of this file's own stays closed: no other test file (run in parallel) binds it.
  const l = socket();
  l.bind([LONE, 0]);
  const port = (l.getsockname() as [string, number])[1];
  l.close();
  using c = socket();
  c.setblocking(false);
  await c.connect_ex([LONE, port]);
  await sleep(100);
  out["failed non-blocking connect"] = await sel(c);
  c.getsockopt(SOL_SOCKET, SO_ERROR);
  out["failed non-blocking connect, after SO_ERROR"] = await sel(c);
  return out;
}

test("select() reports each socket state as python3 does on this machine (table)", async () => {
  const fams: [string, number][] = [
    ["AF_INET", AF_INET],
    ...(HAS_IPV6 ? [["AF_INET6", AF_INET6] as [string, number]] : []),
    ["AF_UNIX", AF_UNIX],
  ];
  if (!HAS_IPV6) console.log("AF_INET6 rows skipped: this host cannot bind ::1");
  const [want, got] = await within(
    Promise.all([python(PY_TABLE, JSON.stringify(fams), LONE).then((s) => JSON.parse(s)), ts_table(fams)]),
    60_000,
    "readiness table",
  );
  const rows = Object.keys(want);
  assert.equal(rows.length, 14 * fams.length + 2);
  // Known differences, each with its reason (printed); a fix shows up here as a failure to update.
  const KNOWN: Record<string, [string, string]> = {
    "AF_UNIX bound dgram": [
      "---",
      "_dgram.ts: Deno cannot send on an AF_UNIX datagram socket while a receive is in flight, and the read " +
      "watch select() arms is such a receive, so send() would wait (the datagram engine owns this readiness)",
    ],
  };
  for (const [row, [value, why]] of Object.entries(KNOWN)) {
    if (!(row in want)) continue;
    console.log(`known difference, ${row}: python3 ${want[row]}, pysocket ${value}: ${why}`);
    assert.equal(got[row], value, `${row}: the known difference changed; update KNOWN`);
    got[row] = want[row];
  }
  const diff = rows.filter((k) => want[k] !== got[k]).map((k) => `${k}: python3 ${want[k]}, pysocket ${got[k]}`);
  assert.deepEqual(diff, [], diff.join("\n"));
  assert.deepEqual(Object.keys(got).sort(), rows.sort());
});

test("select() reports a connect in flight neither readable nor writable, as python3 (SYN unanswered)", async () => {
  // A listener with backlog 0 holding one unaccepted connection drops further
  // SYNs: the next connect stays in flight (loopback only, nothing leaves).
  const py = await python(String.raw`
import select, socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
c1 = socket.create_connection(l.getsockname()); time.sleep(0.05)
c2 = socket.socket(); c2.setblocking(False); print(c2.connect_ex(l.getsockname()))
time.sleep(0.05)
r, w, x = select.select([c2], [c2], [c2], 0.2)
print(len(r), len(w), len(x))
`);
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
  try {
    const port = (l.addr as Deno.NetAddr).port;
    using c1 = socket();
    await c1.connect(["127.0.0.1", port]);
    await sleep(50);
    using c2 = socket();
    c2.setblocking(false);
    const rc = await c2.connect_ex(["127.0.0.1", port]);
    await sleep(50);
    const [r, w, x] = await select([c2], [c2], [c2], 0.2);
    assert.equal(`${rc}\n${r.length} ${w.length} ${x.length}\n`, py);
  } finally {
    l.close();
  }
});

test("DefaultSelector.select(1) loop with one socket registered read|write sees the waiting data, as CPython's", async () => {
  // Issue 14: this loop used to spin (always writable) and never start the read.
  const py = await python(String.raw`
import selectors, socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
a.sendall(b"waiting"); time.sleep(0.05)
c.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE)
calls = 0; got = b""
while not got and calls < 1000:
    calls += 1
    for key, mask in sel.select(1):
        if mask & selectors.EVENT_READ: got = key.fileobj.recv(100)
print(calls, got.decode())
`);
  const [py_calls, py_got] = py.trim().split(" ");
  using l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  using c = socket();
  await c.connect(l.getsockname());
  const [a] = await l.accept();
  using _a = a;
  await a.sendall(new TextEncoder().encode("waiting"));
  await sleep(50);
  c.setblocking(false);
  using sel = new DefaultSelector();
  sel.register(c, EVENT_READ | EVENT_WRITE);
  let calls = 0, got: Uint8Array = new Uint8Array(0);
  const t0 = performance.now();
  while (!got.length && calls < 1000) {
    calls++;
    for (const [key, mask] of await sel.select(1)) {
      if (mask & EVENT_READ) got = await (key.fileobj as Socket).recv(100);
    }
  }
  assert.equal(dec.decode(got), py_got);
  assert.equal(String(calls), py_calls, `pysocket needed ${calls} select() calls (${performance.now() - t0} ms)`);
});

test("select([listener], [], [], 0) poll loop sees the connection, as CPython's", async () => {
  const py = await python(String.raw`
import select, socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); time.sleep(0.05)
polls = 0
while polls < 1000:
    polls += 1
    r, w, x = select.select([l], [], [], 0)
    if r: break
conn, _ = l.accept()
print(polls, r == [l])
`);
  using l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  using c = socket();
  await c.connect(l.getsockname());
  await sleep(50);
  let polls = 0, r: Socket[] = [];
  while (polls < 1000) {
    polls++;
    [r] = await select([l], [], [], 0);
    if (r.length) break;
  }
  l.setblocking(false);
  const [conn] = await l.accept(); // returns at once: the readiness was real
  conn.close();
  assert.equal(`${polls} ${r.length === 1 && r[0] === l ? "True" : "False"}\n`, py);
});

test("select(..., 0) and DefaultSelector.select(0) give the event loop a turn (a timer fires during a poll loop)", async () => {
  using l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  using sel = new DefaultSelector();
  using c = socket();
  await c.connect(l.getsockname());
  sel.register(c, EVENT_WRITE); // always ready: select() returns at once
  let fired = false;
  const timer = setTimeout(() => fired = true, 20);
  let polls = 0;
  const t0 = performance.now();
  while (!fired && polls < 1_000_000 && performance.now() - t0 < 10_000) {
    polls++;
    await select([l], [c], [], 0);
    await sel.select(0);
  }
  clearTimeout(timer);
  assert.ok(fired, `timer never fired in ${polls} polls`);
});
