// adv17b A17b-1: listen(backlog) on a socket that LISTENS already (a second listen(n), another value, a bool, a
// negative or huge one; after settimeout, SO_REUSEADDR, on ::1 / ::, on the socket adopted after detach()) must keep
// the connections queued in the kernel, as CPython's listen(2) does. pysocket made the Deno listener again with the
// new backlog and reset them: the client's connect had succeeded and its bytes were lost. CPython twin.

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, SO_REUSEADDR, SOCK_STREAM, type Socket, socket, SOL_SOCKET } from "../mod.ts";
import { cpython } from "./_twin.ts";

type Step =
  | "listen6"
  | "listen0"
  | "listen5"
  | "listen_true"
  | "listen-1"
  | "listen_big"
  | "reuseaddr"
  | "settimeout"
  | "detach";
const ROWS: [Step, number, string][] = [
  ["listen6", AF_INET, "127.0.0.1"],
  ["listen0", AF_INET, "127.0.0.1"],
  ["listen5", AF_INET, "127.0.0.1"],
  ["listen_true", AF_INET, "127.0.0.1"],
  ["listen-1", AF_INET, "127.0.0.1"],
  ["listen_big", AF_INET, "127.0.0.1"],
  ["reuseaddr", AF_INET, "127.0.0.1"],
  ["settimeout", AF_INET, "127.0.0.1"],
  ["detach", AF_INET, "127.0.0.1"],
  ["listen6", AF_INET6, "::1"],
  ["listen0", AF_INET6, "::"],
];

function step(l: Socket, s: Step): Socket {
  switch (s) {
    case "listen6":
      l.listen(6);
      break;
    case "listen0":
      l.listen(0);
      break;
    case "listen5":
      l.listen(5);
      break;
    case "listen_true":
      l.listen(true as unknown as number);
      break;
    case "listen-1":
      l.listen(-1);
      break;
    case "listen_big":
      l.listen(2 ** 31 - 1);
      break;
    case "reuseaddr":
      l.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      l.listen(7);
      break;
    case "settimeout":
      l.settimeout(1);
      l.listen(7);
      break;
    case "detach": {
      const t = socket(AF_INET, SOCK_STREAM, 0, l.detach());
      t.listen(5);
      return t;
    }
  }
  return l;
}

Deno.test("listen(n) on a listening socket keeps the connections queued in the kernel, as CPython's (A17b-1)", async () => {
  const py = await cpython(`
def step(l, s):
    if s == "detach":
        t = socket(AF_INET, SOCK_STREAM, 0, l.detach()); t.listen(5); return t
    if s == "reuseaddr": l.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    if s == "settimeout": l.settimeout(1)
    l.listen({"listen6": 6, "listen0": 0, "listen5": 5, "listen_true": True, "listen-1": -1,
              "listen_big": 2**31 - 1}.get(s, 7))
    return l
out = []
for s, fam, host in ${JSON.stringify(ROWS)}:
    l0 = socket(fam); l0.bind((host, 0)); l0.listen(5)
    fd0, name0 = l0.fileno(), l0.getsockname()
    c = socket(fam); c.connect(l0.getsockname()); c.sendall(b"hi")
    l = step(l0, s); l.settimeout(2)
    try:
        a, _ = l.accept(); a.settimeout(2); r = ["ok", a.recv(10).decode()]; a.close()
    except Exception as e: r = err(e)
    out.append([s, r, l.fileno() == fd0, l.getsockname() == name0])
    c.close(); l.close()
print(json.dumps(out))
`);
  const got: unknown[] = [];
  for (const [s, fam, host] of ROWS) {
    const l0 = socket(fam);
    l0.bind([host, 0]);
    l0.listen(5);
    const fd0 = l0.fileno(), name0 = JSON.stringify(l0.getsockname());
    const c = socket(fam);
    await c.connect(l0.getsockname());
    await c.sendall(new TextEncoder().encode("hi"));
    const l = step(l0, s);
    l.settimeout(2);
    let r: unknown[];
    try {
      const [a] = await l.accept();
      a.settimeout(2);
      r = ["ok", new TextDecoder().decode(await a.recv(10))];
      a.close();
    } catch (e) {
      r = [(e as Error).name, (e as { errno?: number }).errno ?? null];
    }
    got.push([s, r, l.fileno() === fd0, JSON.stringify(l.getsockname()) === name0]);
    c.close();
    l.close();
  }
  assert.deepEqual(got, py);
});

Deno.test("listen(n) on a listening socket with nothing queued still gives the kernel n (A17b-1's guard)", async () => {
  // listen(8) then listen(0), nothing connected between: listen(0) queues one connection, as CPython's.
  const l = socket();
  l.bind(["127.0.0.1", 0]);
  l.listen(8);
  l.listen(0);
  const cs: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const c = socket();
    c.setblocking(false);
    await c.connect_ex(l.getsockname());
    cs.push(c);
  }
  await new Promise((r) => setTimeout(r, 300));
  const { select } = await import("../selectors.ts");
  const [, w] = await select([], cs, [], 0);
  assert.equal(w.length, 1);
  for (const c of cs) c.close();
  l.close();
});
