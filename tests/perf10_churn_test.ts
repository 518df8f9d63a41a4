// Issue 17, eighth round (perf10): a blocking accept() and a blocking connect() to an IP literal on a fresh socket
// (create_connection()'s dotted-quad path too) are reactions on the pending Deno operation instead of async frames.
// What must not change: every state change still ends a waiting accept (a connection, shutdown(SHUT_RD), close(),
// detach() going on), concurrent callers each get their own outcome, and a connect's failure or a close() under
// it reports what it did before. Against CPython's twin where CPython's threads behave alike.

import assert from "node:assert/strict";
import {
  AF_INET,
  create_connection,
  create_server,
  OSError,
  SHUT_RD,
  SOCK_STREAM,
  type Socket,
  socket,
} from "../mod.ts";
import { attempt, cpython, stalled } from "./_twin.ts";

const LIMIT = 20_000;

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what}: still waiting after ${LIMIT} ms`)), LIMIT);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a waiting blocking accept() is ended by a connection, by shutdown(SHUT_RD), and goes on across detach() (twin)", async () => {
  const py = await cpython(`
import threading
out = {}
def waiting(srv, act):
    got = []
    def run():
        try:
            a, addr = srv.accept(); got.append(addr); a.close()
        except OSError as e:
            got.append([type(e).__name__, e.errno])
    cl = []
    t = threading.Thread(target=run); t.start(); time.sleep(0.1)
    act(cl)
    t.join(10)
    if not got: return "still waiting"
    return ["ok", got[0] == cl[0].getsockname()] if isinstance(got[0], tuple) else got[0]
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
out["connection"] = waiting(srv, lambda cl: cl.append(create_connection(srv.getsockname())))
out["shutdown"] = waiting(srv, lambda cl: srv.shutdown(SHUT_RD))
srv.close()
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
addr = srv.getsockname()
def detach_then_connect(cl):
    global fd
    fd = srv.detach(); cl.append(create_connection(addr))
out["detach"] = waiting(srv, detach_then_connect)
again = socket(fileno=fd)
c = create_connection(addr); a, _ = again.accept()
out["adopted"] = a.getpeername() == c.getsockname()
a.close(); c.close(); again.close()
print(json.dumps(out))
`);
  const out: Record<string, unknown> = {};
  const waiting = async (srv: Socket, act: (cl: Socket[]) => Promise<void> | void) => {
    const cl: Socket[] = [];
    const p: Promise<{ addr: unknown } | { err: unknown }> = srv.accept().then(([a, addr]) => {
      a.close();
      return { addr };
    }, (e) => ({ err: e instanceof OSError ? [e.name, e.errno] : String(e) }));
    await sleep(100);
    await act(cl);
    const got = await within(p, "accept");
    // The peer's address, compared once the client is known (the accept may resolve before its connect's caller).
    const r = "addr" in got ? ["ok", JSON.stringify(got.addr) === JSON.stringify(cl[0]!.getsockname())] : got.err;
    for (const c of cl) c.close();
    return r;
  };
  let srv = create_server(["127.0.0.1", 0]);
  out.connection = await waiting(srv, async (cl) => void cl.push(await create_connection(srv.getsockname())));
  out.shutdown = await waiting(srv, () => srv.shutdown(SHUT_RD));
  srv.close();
  srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  let fd = -1;
  out.detach = await waiting(srv, async (cl) => {
    fd = srv.detach();
    cl.push(await create_connection(addr));
  });
  const again = socket(AF_INET, SOCK_STREAM, 0, fd);
  const c = await create_connection(addr);
  const [a] = await within(again.accept(), "adopted accept");
  out.adopted = JSON.stringify(a.getpeername()) === JSON.stringify(c.getsockname());
  a.close();
  c.close();
  again.close();
  assert.deepEqual(out, py);
});

Deno.test("close() of a listener under blocking accepts from three tasks: each raises EBADF at once; a connection queued before is taken first", async () => {
  const srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const c = await create_connection(addr);
  // Queued before anyone waits: taken at the call.
  const [first] = await within(srv.accept(), "queued accept");
  assert.deepEqual(first.getpeername(), c.getsockname());
  first.close();
  c.close();
  const waits = [0, 1, 2].map(() => attempt(() => srv.accept()));
  await sleep(50);
  srv.close();
  assert.deepEqual(await within(Promise.all(waits), "closed accepts"), [["OSError", 9], ["OSError", 9], [
    "OSError",
    9,
  ]]);
  assert.deepEqual(await attempt(() => srv.accept()), ["OSError", 9]);
});

Deno.test("churn: 300 connect + accept + exchange + close cycles, three blocking accepts waiting at once: every connection accepted once, by exactly one task, with its own bytes", async () => {
  using srv = create_server(["127.0.0.1", 0], { backlog: 64 });
  const addr = srv.getsockname() as [string, number];
  const N = 300;
  const seen = new Map<string, number>();
  let accepted = 0;
  const worker = async (id: number) => {
    const mine: number[] = [];
    while (accepted < N) {
      let a: Socket;
      try {
        [a] = await srv.accept();
      } catch (e) {
        if (e instanceof OSError && e.errno === 9) break; // closed at the end
        throw e;
      }
      accepted++;
      const got = new TextDecoder().decode(await a.recv(16));
      seen.set(got, (seen.get(got) ?? 0) + 1);
      await a.sendall(new TextEncoder().encode(`${got}:${id}`));
      mine.push(Number(got));
      a.close();
    }
    return mine;
  };
  const workers = [0, 1, 2].map(worker);
  for (let i = 0; i < N; i++) {
    const c = i % 2 ? await create_connection(addr) : socket();
    if (i % 2 === 0) await c.connect(addr);
    await c.sendall(new TextEncoder().encode(String(i)));
    const back = new TextDecoder().decode(await within(c.recv(32), `reply ${i}`));
    assert.match(back, new RegExp(`^${i}:[012]$`));
    c.close();
  }
  srv.close();
  const per = await within(Promise.all(workers), "workers");
  assert.equal(per.flat().length, N);
  assert.deepEqual([...seen.values()].every((v) => v === 1), true);
  assert.deepEqual(per.flat().sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
});

Deno.test("a blocking connect() on a fresh socket: closed under it (a stalled peer) raises EBADF at once; a second connect() to the same address while it runs waits for it; refused is ConnectionRefusedError, and the socket can be closed after", async () => {
  using st = await stalled();
  const k = socket();
  const p = attempt(() => k.connect(["127.0.0.1", st.port]));
  await sleep(50);
  k.close();
  assert.deepEqual(await within(p, "closed connect"), ["OSError", 9]);

  using srv = create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname() as [string, number];
  const s = socket();
  const both = Promise.all([attempt(() => s.connect(addr)), attempt(() => s.connect(addr))]);
  assert.deepEqual(await within(both, "two connects"), [["ok", null], ["ok", null]]);
  const [a] = await srv.accept();
  assert.deepEqual(a.getpeername(), s.getsockname());
  assert.deepEqual(await attempt(() => s.connect(addr)), ["OSError", 106]); // EISCONN
  a.close();
  s.close();

  const free = create_server(["127.0.0.1", 0]);
  const gone = free.getsockname() as [string, number];
  free.close();
  const r = socket();
  assert.deepEqual(await attempt(() => r.connect(gone)), ["ConnectionRefusedError", 111]);
  assert.deepEqual(await attempt(() => create_connection(gone)), ["ConnectionRefusedError", 111]);
  r.close();
});
