// Issue 17, seventh round (sel9): a listener's accept queue keeps its array's slots (a shift() of the last
// connection then a push() of the next made a new backing store per connection). What must not change: every
// connection is accepted exactly once, in arrival order, by every kind of accept (blocking, non-blocking after
// select(), timed), and a drained listener raises BlockingIOError. Against CPython's twin.

import assert from "node:assert/strict";
import { BlockingIOError, create_connection, create_server, type Socket } from "../mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors.ts";
import { cpython } from "./_twin.ts";

const N = 240;

const PY = `
import selectors
N = ${N}
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen(N + 16)
addr = srv.getsockname()
clients = []
for i in range(N):
    c = create_connection(addr); c.sendall(str(i).encode().ljust(4)); clients.append(c)
got = []
def take(a):
    got.append(int(a.recv(4).decode().strip())); a.close()
# blocking, timed, then non-blocking after select(): a third each
for i in range(N // 3):
    a, _ = srv.accept(); take(a)
srv.settimeout(5)
for i in range(N // 3):
    a, _ = srv.accept(); take(a)
srv.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
last = None
while len(got) < N:
    for key, m in sel.select(5):
        while True:
            try:
                a, _ = srv.accept()
            except BlockingIOError as e:
                last = type(e).__name__
                break
            a.setblocking(True); take(a)
try:
    srv.accept(); last = "accepted"
except BlockingIOError as e:
    last = type(e).__name__
for c in clients: c.close()
srv.close()
print(json.dumps([len(got), got == sorted(got), sorted(got) == list(range(N)), last]))
`;

Deno.test("every connection accepted exactly once, in order, by blocking, timed and select()-driven non-blocking accepts (twin)", async () => {
  using srv = create_server(["127.0.0.1", 0], { backlog: N + 16 });
  const addr = srv.getsockname() as [string, number];
  const clients: Socket[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const c = await create_connection(addr);
      await c.sendall(new TextEncoder().encode(String(i).padEnd(4)));
      clients.push(c);
    }
    const got: number[] = [];
    const take = async (a: Socket) => {
      let b = new Uint8Array(0);
      for (let k = 0; k < 50 && b.length < 4; k++) b = new Uint8Array([...b, ...await a.recv(4 - b.length)]);
      got.push(Number(new TextDecoder().decode(b).trim()));
      a.close();
    };
    for (let i = 0; i < N / 3; i++) await take((await srv.accept())[0]);
    srv.settimeout(5);
    for (let i = 0; i < N / 3; i++) await take((await srv.accept())[0]);
    srv.setblocking(false);
    using sel = new DefaultSelector();
    sel.register(srv, EVENT_READ);
    let last: string | null = null;
    for (let rounds = 0; got.length < N && rounds < 10_000; rounds++) {
      for (const _ of await sel.select(5)) {
        for (;;) {
          let a: Socket;
          try {
            [a] = await srv.accept();
          } catch (e) {
            if (!(e instanceof BlockingIOError)) throw e;
            last = e.name;
            break;
          }
          a.setblocking(true);
          await take(a);
        }
      }
    }
    try {
      await srv.accept();
      last = "accepted";
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      last = e.name;
    }
    const sorted = [...got].sort((x, y) => x - y);
    const mine = [got.length, got.every((v, i) => v === sorted[i]), sorted.every((v, i) => v === i), last];
    assert.deepEqual(mine, await cpython(PY));
  } finally {
    for (const c of clients) c.close();
  }
});
