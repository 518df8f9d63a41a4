// Issue 17, seventh round (sel9): create_connection() became a plain function over two async ones (a small frame
// for the common call, an IPv4 literal). What an async function guarantees must hold: every error, even one raised
// while looking at the arguments, comes as a rejection, never a synchronous throw; and the two paths make the same
// socket as CPython's create_connection (twin).

import assert from "node:assert/strict";
import { create_connection, create_server, getdefaulttimeout, setdefaulttimeout } from "../mod.ts";
import { cpython } from "./_twin.ts";

/** create_connection as an untyped caller sees it. */
const loose = create_connection as unknown as (...args: unknown[]) => Promise<unknown>;

Deno.test("create_connection(): bad arguments reject (never a synchronous throw), with the general path's errors", async () => {
  const calls: [string, () => Promise<unknown>][] = [
    ["no arguments", () => loose()],
    ["five arguments", () => loose(["127.0.0.1", 1], 1, null, {}, 5)],
    ["a port out of range", () => loose(["127.0.0.1", 70000])],
    ["a timeout that is not a number", () => loose(["127.0.0.1", 1], "x")],
    [
      "an address whose getter throws",
      () =>
        create_connection(
          new Proxy(["127.0.0.1", 1], {
            get(t, k) {
              if (k === "0") throw new RangeError("boom");
              return Reflect.get(t, k);
            },
          }) as unknown as [string, number],
        ),
    ],
  ];
  for (const [what, call] of calls) {
    let p: Promise<unknown>;
    try {
      p = call();
    } catch (e) {
      assert.fail(`${what}: thrown synchronously: ${e}`);
    }
    assert.ok(p instanceof Promise, what);
    await assert.rejects(p, (e: Error) => e instanceof Error, what);
  }
});

Deno.test("create_connection() to an IPv4 literal and to a name: the same socket as CPython's (twin)", async () => {
  using srv = create_server(["127.0.0.1", 0], { backlog: 8 });
  const port = (srv.getsockname() as [string, number])[1];
  const old = getdefaulttimeout();
  const rows: unknown[] = [];
  try {
    for (
      const [host, t, dflt] of [["127.0.0.1", undefined, null], ["127.0.0.1", 2.5, null], ["localhost", 2.5, null], [
        "127.0.0.1",
        undefined,
        7,
      ]] as const
    ) {
      setdefaulttimeout(dflt);
      const c = t === undefined ? await create_connection([host, port]) : await create_connection([host, port], t);
      const [a] = await srv.accept();
      rows.push([c.family, c.type, c.proto, c.gettimeout(), (c.getpeername() as [string, number])[1] === port]);
      a.close();
      c.close();
    }
  } finally {
    setdefaulttimeout(old);
  }
  const twin = await cpython(`
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen(8)
port = srv.getsockname()[1]
rows = []
for host, t, dflt in [("127.0.0.1", None, None), ("127.0.0.1", 2.5, None), ("localhost", 2.5, None), ("127.0.0.1", None, 7)]:
    setdefaulttimeout(dflt)
    c = create_connection((host, port)) if t is None else create_connection((host, port), t)
    a, _ = srv.accept()
    rows.append([int(c.family), int(c.type), c.proto, c.gettimeout(), c.getpeername()[1] == port])
    a.close(); c.close()
print(json.dumps(rows))
`);
  assert.deepEqual(rows, twin);
});
