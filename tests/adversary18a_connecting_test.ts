// adv18a A18a-1: the calls that are not I/O, made while a blocking connect() waits in another task (CPython: in
// another thread), against the python3 twin. getpeername() raised the forgotten-`await` BlockingIOError EINPROGRESS
// that I/O calls raise (send/recv/makefile: pysocket's documented porting aid); CPython's getpeername(2) says
// ENOTCONN. Its sibling: shutdown() while that connect() still resolves its name (the socket has no connect in
// flight yet: Linux's ENOTCONN). getsockname() and repr() show the unbound address meanwhile (documented, A14c-2).

import assert from "node:assert/strict";
import { SHUT_RDWR, SHUT_WR, SO_ERROR, SO_KEEPALIVE, type Socket, socket, SOL_SOCKET } from "../mod.ts";
import { _set_lookup_for_tests } from "../_resolve.ts";
import { attempt, cpython, sleep, stalled } from "./_twin.ts";

const OPS = [
  "getpeername",
  "so_error",
  "setsockopt",
  "fileno",
  "shutdown_wr",
  "shutdown",
  "listen",
  "bind",
  "connect_timed",
] as const;

function op(s: Socket, name: (typeof OPS)[number], port: number): unknown {
  switch (name) {
    case "getpeername":
      return s.getpeername();
    case "so_error":
      return s.getsockopt(SOL_SOCKET, SO_ERROR);
    case "setsockopt":
      return s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1);
    case "fileno":
      return s.fileno() > 0;
    case "shutdown_wr":
      return s.shutdown(SHUT_WR);
    case "shutdown":
      return s.shutdown(SHUT_RDWR);
    case "listen":
      return s.listen();
    case "bind":
      return s.bind(["127.0.0.1", 0]);
    case "connect_timed":
      s.settimeout(0.2);
      return s.connect(["127.0.0.1", port]);
  }
}

Deno.test("getpeername() and the other calls while connect() waits in another task, as CPython's with a thread (A18a-1)", async () => {
  const py = await cpython(`
def op(s, name, addr):
    if name == "getpeername": return s.getpeername()
    if name == "so_error": return s.getsockopt(SOL_SOCKET, SO_ERROR)
    if name == "setsockopt": return s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1)
    if name == "fileno": return s.fileno() > 0
    if name == "shutdown_wr": return s.shutdown(SHUT_WR)
    if name == "shutdown": return s.shutdown(SHUT_RDWR)
    if name == "listen": return s.listen()
    if name == "bind": return s.bind(("127.0.0.1", 0))
    if name == "connect_timed": s.settimeout(0.2); return s.connect(addr)
out = []
for name in ${JSON.stringify(OPS)}:
    l, fill = stalled()
    s = socket(); res = []
    t = threading.Thread(target=lambda: res.append(attempt(lambda: s.connect(l.getsockname()))), daemon=True)
    t.start(); time.sleep(0.05)
    r = attempt(lambda: op(s, name, l.getsockname()))
    t.join(0.5)
    out.append([name, r, attempt(lambda: s.getpeername()), res[0] if res else "waiting"])
    s.close(); l.close()
    for f in fill: f.close()
print(json.dumps(out))
`);
  const got: unknown[] = [];
  for (const name of OPS) {
    using st = await stalled();
    const s = socket();
    const res: unknown[] = [];
    const p = attempt(() => s.connect(["127.0.0.1", st.port])).then((r) => res.push(r));
    await sleep(50);
    const r = await attempt(() => op(s, name, st.port));
    await Promise.race([p, sleep(500)]);
    got.push([name, r, await attempt(() => s.getpeername()), res.length ? res[0] : "waiting"]);
    s.close();
    await p;
  }
  assert.deepEqual(got, py);
  assert.deepEqual((got[0] as unknown[])[1], ["OSError", 107]);
});

Deno.test("getpeername() and shutdown() while connect() resolves its name in another task: ENOTCONN, as a fresh CPython socket's (A18a-1)", async () => {
  // CPython's connect() thread is in getaddrinfo: the socket is the fresh one. The name goes through the resolver
  // seam (no real lookup), which answers 300 ms late with 127.0.0.1.
  const py = await cpython(`
s = socket()
print(json.dumps([attempt(lambda: s.getpeername()), attempt(lambda: s.shutdown(SHUT_RDWR)),
                  attempt(lambda: s.shutdown(SHUT_WR))]))
`);
  const l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const port = (l.getsockname() as [string, number])[1];
  _set_lookup_for_tests(async () => {
    await sleep(300);
    return [{ address: "127.0.0.1", family: 4 }];
  });
  try {
    const got: unknown[] = [];
    for (const name of ["getpeername", "shutdown", "shutdown_wr"] as const) {
      const s = socket();
      const p = attempt(() => s.connect(["resolver-seam.invalid", port]));
      await sleep(50);
      got.push(await attempt(() => op(s, name, port)));
      assert.deepEqual(await p, ["ok", null], name); // the connect goes on
      assert.equal((s.getpeername() as [string, number])[1], port);
      (await l.accept())[0].close();
      s.close();
    }
    assert.deepEqual(got, py);
  } finally {
    _set_lookup_for_tests(null);
    l.close();
  }
});

const ORDERS: string[][] = [
  ["so_error", "recv", "send"],
  ["send", "recv", "so_error"],
  ["recv", "recv"],
  ["getpeername", "recv"],
  ["so_error", "so_error"],
  ["waiting_send"],
  ["waiting_recv"],
];

Deno.test("shutdown() of a connect in flight that no connect() call waits for leaves ECONNRESET pending, reported once, as Linux (A18a-7, twin)", async () => {
  // A non-blocking connect_ex() to a stalled listener, then shutdown(SHUT_RDWR): Linux's tcp_disconnect sets the
  // socket's error to ECONNRESET; the next send, recv or SO_ERROR reports it once (then ENOTCONN / EPIPE / 0). A send
  // or recv already waiting for the connect (blocking, in another thread/task) is woken with it.
  const py = await cpython(`
out = []
for order in ${JSON.stringify(ORDERS)}:
    l, fill = stalled()
    s = socket(); s.setblocking(False); s.connect_ex(l.getsockname()); time.sleep(0.05)
    row = []
    if order[0].startswith("waiting"):
        s.setblocking(True); s.settimeout(3)
        t = threading.Thread(target=lambda: row.append(attempt(lambda: s.send(b"x") if order[0] == "waiting_send" else s.recv(1))))
        t.start(); time.sleep(0.1)
        s.shutdown(SHUT_RDWR); t.join(5)
    else:
        s.shutdown(SHUT_RDWR)
        for o in order:
            if o == "so_error": row.append(attempt(lambda: s.getsockopt(SOL_SOCKET, SO_ERROR)))
            if o == "recv": row.append(attempt(lambda: s.recv(1)))
            if o == "send": row.append(attempt(lambda: s.send(b"x")))
            if o == "getpeername": row.append(attempt(lambda: s.getpeername()))
    out.append(row); s.close(); l.close()
    for f in fill: f.close()
print(json.dumps(out))
`);
  const out: unknown[] = [];
  for (const order of ORDERS) {
    using st = await stalled();
    const s = socket();
    s.setblocking(false);
    await s.connect_ex(["127.0.0.1", st.port]);
    await sleep(50);
    const row: unknown[] = [];
    if (order[0]!.startsWith("waiting")) {
      s.settimeout(3);
      const p = attempt(() => order[0] === "waiting_send" ? s.send(new Uint8Array([120])) : s.recv(1));
      await sleep(100);
      await s.shutdown(SHUT_RDWR);
      row.push(await p);
    } else {
      await s.shutdown(SHUT_RDWR);
      for (const o of order) {
        if (o === "so_error") row.push(await attempt(() => s.getsockopt(SOL_SOCKET, SO_ERROR)));
        if (o === "recv") row.push(await attempt(() => s.recv(1)));
        if (o === "send") row.push(await attempt(() => s.send(new Uint8Array([120]))));
        if (o === "getpeername") row.push(await attempt(() => s.getpeername()));
      }
    }
    out.push(row);
    s.close();
  }
  assert.deepEqual(out, py);
  assert.deepEqual(out[0], [["ok", 104], ["OSError", 107], ["BrokenPipeError", 32]]);
});
