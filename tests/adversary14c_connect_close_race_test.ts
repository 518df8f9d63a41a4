// adv14c, A14c-3: close() racing a connect that has just completed. close() aborts the Deno.connect in flight
// (through its AbortSignal); Deno 2.9.6's connect ends with `signal.throwIfAborted()` even after its op succeeded,
// so an abort landing between the op's success and the call's return rejected and dropped the connected TcpConn
// unclosed: the socket stayed open until the process ended and the peer never read EOF (CPython's close() closes the
// descriptor: the peer reads EOF at once). Made repeatable here: close() is queued on a timer, then the task spins
// 2 ms while the kernel completes the loopback handshake, so the timer and the connect's completion land in the
// same event-loop turn. Before the fix 8 of 300 connections hung (every run); after, none. The twin shows CPython's
// peer reading EOF for every connection a racing close() ended.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { cpython } from "./_twin.ts";

const ROUNDS = 300;

/** EOF (null), an error, or "hung" when nothing came within `ms`. */
async function eof_within(c: Deno.Conn, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const buf = new Uint8Array(16);
    const r = await Promise.race([
      c.read(buf).then((n) => n === null ? "eof" : "data", () => "error"),
      new Promise<string>((res) => timer = setTimeout(() => res("hung"), ms)),
    ]);
    return r;
  } finally {
    clearTimeout(timer);
    try {
      c.close();
    } catch { /* closed */ }
  }
}

Deno.test("A14c-3: close() racing a connect that completes in the same turn closes the connection: its peer reads EOF (twin)", async () => {
  const py = await cpython(`
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen(512)
addr = srv.getsockname()
for i in range(${ROUNDS}):
    s = socket()
    t = threading.Thread(target=s.close)
    try:
        t.start(); s.connect(addr)
    except OSError:
        pass
    t.join(); s.close()
srv.settimeout(0.5)
seen = {}
try:
    while True:
        a, _ = srv.accept(); a.settimeout(5)
        try: k = "eof" if a.recv(16) == b"" else "data"
        except TimeoutError: k = "hung"
        except OSError: k = "error"
        seen[k] = seen.get(k, 0) + 1; a.close()
except TimeoutError:
    pass
print(json.dumps(seen.get("hung", 0)))
`);
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const accepted: Deno.Conn[] = [];
  const acceptor = (async () => {
    for await (const c of l) accepted.push(c);
  })().catch(() => {});
  const outcomes: Record<string, number> = {};
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const s = socket();
      const p = s.connect(["127.0.0.1", port]).then(() => "ok", (e) => `${e.name} ${e.errno}`);
      setTimeout(() => s.close(), 0);
      const end = performance.now() + 2;
      while (performance.now() < end) { /* the loopback handshake completes meanwhile */ }
      const k = await p;
      outcomes[k] = (outcomes[k] ?? 0) + 1;
      s.close();
    }
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    l.close();
    await acceptor;
  }
  const seen: Record<string, number> = {};
  for (const k of await Promise.all(accepted.map((c) => eof_within(c, 5_000)))) seen[k] = (seen[k] ?? 0) + 1;
  assert.equal(Object.values(outcomes).reduce((a, b) => a + b, 0), ROUNDS);
  assert.equal(seen.hung ?? 0, py, `connections whose peer never read EOF: ${JSON.stringify({ seen, outcomes })}`);
  assert.equal(py, 0);
});
