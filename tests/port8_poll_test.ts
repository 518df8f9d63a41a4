// select.poll() (pysocket's Poll) beside CPython's: the same scenarios (tests/fixtures/poll_twin.py) print the
// same lines. Listener readiness, the default mask, registering twice, POLLRDNORM/POLLWRNORM, a timeout in
// milliseconds, a negative timeout, a half-closed peer, registration order, POLLNVAL for a closed socket beside
// other ready ones, and the errors of modify()/unregister()/register() (finding P8-3: poll() was missing).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const py_repr = (v: unknown): string => {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return `'${v}'`;
  if (v instanceof Uint8Array) return `b'${new TextDecoder().decode(v)}'`;
  if (Array.isArray(v)) return `(${v.map(py_repr).join(", ")}${v.length === 1 ? "," : ""})`;
  return String(v);
};
const list = (xs: unknown[]) => `[${xs.map(py_repr).join(", ")}]`;

async function ts_twin(): Promise<string> {
  const out: string[] = [];
  const show = (label: string, v: string) => out.push(`${label} ${v}`);
  const fd = (s: socket.Socket) => s.fileno();
  const l = socket.create_server(["127.0.0.1", 0]);
  const p = select.poll();
  p.register(l, select.POLLIN | select.POLLOUT);
  show("idle listener", list((await p.poll(0)).map(([, e]) => e)));
  const c = await socket.create_connection(l.getsockname() as [string, number]);
  show("listener with a client waiting", list((await p.poll(1000)).map(([, e]) => e)));
  let [s] = await l.accept();
  const q = select.poll();
  q.register(s);
  show("accepted, default mask", list((await q.poll(1000)).map(([, e]) => e)));
  q.register(s, select.POLLIN);
  show("registered again with POLLIN, nothing to read", list(await q.poll(0)));
  await c.sendall(new Uint8Array([0x78]));
  show("data waiting", list((await q.poll(1000)).map(([, e]) => e)));
  q.modify(s, select.POLLIN | select.POLLRDNORM | select.POLLWRNORM);
  show("RDNORM and WRNORM asked", list((await q.poll(1000)).map(([, e]) => e)));
  await s.recv(10);
  q.modify(s, select.POLLIN);
  const t0 = performance.now();
  show("timeout 150 ms", list(await q.poll(150)));
  show("waited", py_repr(performance.now() - t0 >= 140));
  q.modify(s, select.POLLOUT);
  show("negative timeout with something ready", list((await q.poll(-1)).map(([, e]) => e)));
  await c.shutdown(socket.SHUT_WR);
  q.modify(s, select.POLLIN);
  show("peer half-closed (TCP)", list((await q.poll(1000)).map(([, e]) => e)));
  show("recv after it", py_repr(await s.recv(10)));
  const r = select.poll();
  const a = socket.socket();
  a.bind(["127.0.0.1", 0]);
  a.listen();
  const b = await socket.create_connection(a.getsockname() as [string, number]);
  const [d] = await a.accept();
  r.register(d, select.POLLIN);
  r.register(b, select.POLLOUT);
  r.register(s, select.POLLIN);
  show(
    "order is registration order",
    list((await r.poll(1000)).map(([n, e]) => [n === fd(d), n === fd(b), n === fd(s), e])),
  );
  s.close();
  show("closed registered socket", list((await r.poll(0)).map(([, e]) => e === select.POLLNVAL)));
  try {
    r.modify(c, select.POLLIN);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    show("modify unknown", py_repr([e.name, e.message]));
  }
  try {
    r.unregister(c);
  } catch (e) {
    if (!(e instanceof select.KeyError)) throw e;
    show("unregister unknown", "'KeyError'");
  }
  for (const [label, m] of [["negative mask", -1], ["mask too large", 70000]] as const) {
    try {
      r.register(c, m);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      show(label, py_repr(e.message));
    }
  }
  for (const x of [l, c, a, b, d]) x.close();
  s = null as unknown as socket.Socket;
  return out.join("\n") + "\n";
}

test({
  name: "select.poll(): register/modify/unregister/poll print what CPython's select.poll() prints (P8-3)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const script = new URL("./fixtures/poll_twin.py", import.meta.url).pathname;
    const py = await new Deno.Command("python3", {
      args: [script],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      signal: AbortSignal.timeout(30_000),
    }).output();
    const dec = new TextDecoder();
    assert.equal(py.code, 0, dec.decode(py.stderr));
    const want = dec.decode(py.stdout);
    // The fd numbers differ (pysocket's own), so the twin prints only comparisons and events.
    assert.equal(await ts_twin(), want);
  },
});
