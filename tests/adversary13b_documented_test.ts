// adv13b: differences from CPython found and documented (docs/limits.md: "pysocket seldom sends a TCP reset" and
// "Connected UDP is emulated"), run beside CPython's twin and printed as ignored; pysocket's side is asserted as
// documented, so a change shows here.
// - A13b-5: a listener closed after Deno took a connection from the kernel (a select() saw it) closes that
//   connection with a FIN: its client reads EOF (CPython's: ConnectionResetError; one still in the backlog: both);
// - A13b-1: a stranger's datagram already in the kernel's queue at connect() is dropped (Linux keeps it); UDP matches
//   since A14a-1, the row stays as a check;
// - A13b-2: an AF_UNIX datagram socket disconnected by its dead peer keeps the kernel's queue (Linux purges it), and
//   a stranger's send to a connected AF_UNIX datagram socket is delivered, then dropped (Linux: EPERM);
// - A13b-6: reading a socket file of a datagram socket raises EOPNOTSUPP saying so (CPython reads the datagrams as
//   one byte stream); writing one sends a datagram per flush, as CPython's.

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, create_connection, SOCK_DGRAM, socket } from "../mod.ts";
import { select } from "../selectors.ts";
import { sleep, TempDir, test_needing } from "./_socket_fixtures.ts";
import { cpython, out } from "./_twin.ts";

const test = test_needing("python3");
const T = (s: string) => new TextEncoder().encode(s);

const PY = `
def out(fn):
    try:
        r = fn()
        return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e:
        return [type(e).__name__, getattr(e, "errno", None)]
R = {}
for seen in (False, True):
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = create_connection(l.getsockname()); c.sendall(b"hello")
    if seen: select.select([l], [], [], 2)
    time.sleep(0.05); l.close(); c.settimeout(2)
    R["listener closed, connection %s" % ("seen by select()" if seen else "in the backlog")] = out(lambda: c.recv(10))
    c.close()
a, b, c = (socket(AF_INET, SOCK_DGRAM) for _ in range(3))
for s in (a, b, c): s.bind(("127.0.0.1", 0))
c.sendto(b"stranger", a.getsockname()); time.sleep(0.1)
a.connect(b.getsockname()); a.settimeout(0.3)
R["UDP: stranger's datagram queued before connect()"] = out(lambda: a.recv(20))
for s in (a, b, c): s.close()
d = tempfile.mkdtemp()
a, b, c = (socket(AF_UNIX, SOCK_DGRAM) for _ in range(3))
for s, n in ((a, "a"), (b, "b"), (c, "c")): s.bind(os.path.join(d, n))
b.connect(a.getsockname())
R["AF_UNIX: a stranger's send to a connected socket"] = out(lambda: c.sendto(b"x", b.getsockname()))
a.sendto(b"queued", b.getsockname()); time.sleep(0.05); a.close(); b.settimeout(0.3)
R["AF_UNIX: peer gone, send"] = out(lambda: b.send(b"1"))
R["AF_UNIX: then recv of the queued datagram"] = out(lambda: b.recv(20))
b.close(); c.close()
a, b = socket(AF_INET, SOCK_DGRAM), socket(AF_INET, SOCK_DGRAM)
a.bind(("127.0.0.1", 0)); b.connect(a.getsockname())
f = b.makefile("wb"); f.write(b"hel"); f.write(b"lo"); f.flush(); a.settimeout(1)
R["UDP: a socket file's write and flush, then recv"] = out(lambda: a.recv(20))
b.send(b"hello")
R["UDP: a socket file's read(3)"] = out(lambda: a.makefile("rb").read(3))
a.close(); b.close()
print(json.dumps(R))
`;

test("adversary13b documented differences (printed as ignored): FIN for a connection a closed listener had taken; connect() and the kernel's datagram queue; EPERM for strangers; datagram socket files", async () => {
  const mine: Record<string, unknown> = {};
  for (const seen of [false, true]) {
    const l = socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    const c = await create_connection(l.getsockname() as [string, number]);
    await c.sendall(T("hello"));
    if (seen) await select([l], [], [], 2);
    await sleep(50);
    l.close();
    c.settimeout(2);
    mine[`listener closed, connection ${seen ? "seen by select()" : "in the backlog"}`] = await out(() => c.recv(10));
    c.close();
  }
  {
    const a = socket(AF_INET, SOCK_DGRAM), b = socket(AF_INET, SOCK_DGRAM), c = socket(AF_INET, SOCK_DGRAM);
    for (const s of [a, b, c]) s.bind(["127.0.0.1", 0]);
    await c.sendto(T("stranger"), a.getsockname());
    await sleep(100);
    await a.connect(b.getsockname());
    a.settimeout(0.3);
    mine["UDP: stranger's datagram queued before connect()"] = await out(() => a.recv(20));
    for (const s of [a, b, c]) s.close();
  }
  {
    using dir = new TempDir();
    const unix = (n: string) => {
      const s = socket(AF_UNIX, SOCK_DGRAM);
      s.bind(dir.sock(n));
      return s;
    };
    const a = unix("a"), b = unix("b"), c = unix("c");
    await b.connect(a.getsockname());
    mine["AF_UNIX: a stranger's send to a connected socket"] = await out(() => c.sendto(T("x"), b.getsockname()));
    await a.sendto(T("queued"), b.getsockname());
    await sleep(50);
    a.close();
    b.settimeout(0.3);
    mine["AF_UNIX: peer gone, send"] = await out(() => b.send(T("1")));
    mine["AF_UNIX: then recv of the queued datagram"] = await out(() => b.recv(20));
    b.close();
    c.close();
  }
  {
    const a = socket(AF_INET, SOCK_DGRAM), b = socket(AF_INET, SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    await b.connect(a.getsockname());
    const f = b.makefile("wb");
    await f.write(T("hel"));
    await f.write(T("lo"));
    await f.flush();
    a.settimeout(1);
    mine["UDP: a socket file's write and flush, then recv"] = await out(() => a.recv(20));
    await b.send(T("hello"));
    mine["UDP: a socket file's read(3)"] = await out(() => a.makefile("rb").read(3));
    a.close();
    b.close();
  }
  const py = await cpython(PY) as Record<string, unknown>;
  for (const k of Object.keys(py)) {
    if (JSON.stringify(py[k]) !== JSON.stringify(mine[k])) {
      console.log(
        `ignored (documented in docs/limits.md): ${k}: CPython ${JSON.stringify(py[k])}, pysocket ${
          JSON.stringify(mine[k])
        }`,
      );
    }
  }
  assert.deepEqual(py, {
    "listener closed, connection in the backlog": ["ConnectionResetError", 104],
    "listener closed, connection seen by select()": ["ConnectionResetError", 104],
    "UDP: stranger's datagram queued before connect()": ["ok", "stranger"],
    "AF_UNIX: a stranger's send to a connected socket": ["PermissionError", 1],
    "AF_UNIX: peer gone, send": ["ConnectionRefusedError", 111],
    "AF_UNIX: then recv of the queued datagram": ["TimeoutError", null],
    "UDP: a socket file's write and flush, then recv": ["ok", "hello"],
    "UDP: a socket file's read(3)": ["ok", "hel"],
  });
  assert.deepEqual(mine, {
    "listener closed, connection in the backlog": ["ConnectionResetError", 104],
    "listener closed, connection seen by select()": ["ok", ""],
    "UDP: stranger's datagram queued before connect()": ["ok", "stranger"], // matches since A14a-1 (connect() reads the kernel's queue)
    "AF_UNIX: a stranger's send to a connected socket": ["ok", 1],
    "AF_UNIX: peer gone, send": ["ConnectionRefusedError", 111],
    // the stranger's datagram, kept in the kernel's queue and no longer filtered out once disconnected
    "AF_UNIX: then recv of the queued datagram": ["ok", "x"],
    "UDP: a socket file's write and flush, then recv": ["ok", "hello"],
    "UDP: a socket file's read(3)": ["OSError", 95],
  });
});
