// adv16b A16b-3: a TCP peer's reset that met pysocket's write in flight (a full window, the peer never read) is
// taken by Deno's write (reported as EPIPE: Deno's writes never show ECONNRESET there) and never reaches a read.
// poll() then reported POLLOUT|POLLHUP without POLLERR, where Linux reports POLLERR while the error is pending
// (CPython: POLLOUT|POLLERR|POLLHUP = 28). pysocket now reports POLLERR while a write's error is pending (no send has
// raised it yet). What remains different is documented: the waiting send raises BrokenPipeError (CPython
// ConnectionResetError) and the next recv reads b'' (CPython ConnectionResetError).

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { poll, POLLOUT } from "../selectors.ts";
import { cpython } from "./_twin.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("A16b-3: poll() for POLLOUT on a full TCP window whose peer resets reports POLLERR (CPython twin)", async () => {
  const py = await cpython(`
res = []
for mode in ("wait", "after"):
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen()
    a = create_connection(l.getsockname()); b, _ = l.accept(); l.close()
    a.setblocking(False)
    for r in range(50):
        took = 0
        for _ in range(20000):
            try: a.send(b"f" * 65536); took += 1
            except BlockingIOError: break
        if not took: break
        time.sleep(0.1)
    p = select.poll(); p.register(a, select.POLLOUT)
    if mode == "wait":
        got = []
        t = threading.Thread(target=lambda: got.append(p.poll(5000))); t.start(); time.sleep(0.25)
        b.close(); t.join(5)
        res.append([ev for _, ev in got[0]])
    else:
        b.close(); time.sleep(0.3)
        res.append([ev for _, ev in p.poll(0)])
    a.close()
print(json.dumps(res))
`);
  const res: unknown[] = [];
  for (const mode of ["wait", "after"]) {
    // The peer is a raw Deno.Conn: its close with unread bytes resets, as Linux's (pysocket's own sends a FIN).
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const a = socket();
    const [, conn] = await Promise.all([a.connect(["127.0.0.1", (l.addr as Deno.NetAddr).port]), l.accept()]);
    l.close();
    a.setblocking(false);
    for (let round = 0; round < 50; round++) {
      let took = 0;
      for (let i = 0; i < 20000; i++) {
        try {
          await a.send(new Uint8Array(65536));
          took++;
        } catch {
          break;
        }
      }
      if (took === 0) break;
      await sleep(100);
    }
    const p = poll();
    p.register(a, POLLOUT);
    if (mode === "wait") {
      const got = p.poll(5000);
      await sleep(250);
      conn.close();
      res.push((await got).map(([, ev]) => ev));
    } else {
      conn.close();
      await sleep(300);
      res.push((await p.poll(0)).map(([, ev]) => ev));
    }
    a.close();
  }
  assert.deepEqual(res, py);
  assert.deepEqual(res, [[28], [28]]);
});
