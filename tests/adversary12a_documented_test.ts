// adv12a: differences of epoll/poll from CPython found and documented (docs/limits.md, "select.poll() and
// select.epoll() report Linux's events..."), run beside CPython's twin and printed as ignored; pysocket's side is
// asserted as documented, so a change shows here.
// - an EOF learned after the EPOLLET report (bytes still buffered) gives one more EPOLLIN report (Linux: none);
// - our own shutdown(SHUT_WR) is no EPOLLET edge (Linux reports EPOLLOUT again);
// - an AF_UNIX datagram socket watched for POLLIN is not writable while that receive is pending (no POLLOUT).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { sleep, test_needing } from "./_socket_fixtures.ts";
import { cpython, pair } from "./_twin.ts";

const test = test_needing("python3");

const PY = `
def evs(r): return [e for _, e in r]
out = {}
c, s = pair(AF_INET); s.setblocking(False); ep = select.epoll(); ep.register(s, select.EPOLLIN | select.EPOLLET)
c.sendall(b"hello"); c.close(); time.sleep(0.1)
ep.poll(5)
while True:
    try:
        if not s.recv(100): break
    except BlockingIOError: break
out["ET: EOF read by the drain, then poll"] = evs(ep.poll(0.2))
s.close(); ep.close()
c, s = pair(AF_INET); ep = select.epoll(); ep.register(s, select.EPOLLOUT | select.EPOLLET)
ep.poll(5); s.shutdown(SHUT_WR)
out["ET: own SHUT_WR"] = evs(ep.poll(0.2))
c.close(); s.close(); ep.close()
x, y = socketpair(AF_UNIX, SOCK_DGRAM); p = select.poll(); p.register(x, 0xffff)
out["AF_UNIX datagram, POLLIN|POLLOUT..."] = evs(p.poll(200))
x.close(); y.close()
print(json.dumps(out))
`;

test("adversary12a documented differences (printed as ignored): a late-learned EOF gives one more EPOLLET report; own SHUT_WR is no edge; an AF_UNIX datagram socket watched for POLLIN has no POLLOUT", async () => {
  const evs = (r: [number, number][]) => r.map(([, e]) => e);
  const out: Record<string, number[]> = {};
  {
    const [c, s] = await pair(socket.AF_INET);
    s.setblocking(false);
    const ep = select.epoll();
    ep.register(s, select.EPOLLIN | select.EPOLLET);
    await c.sendall(new TextEncoder().encode("hello"));
    c.close();
    await sleep(100);
    await ep.poll(5);
    for (let i = 0; i < 100; i++) {
      try {
        if ((await s.recv(100)).length === 0) break;
      } catch {
        break;
      }
    }
    out["ET: EOF read by the drain, then poll"] = evs(await ep.poll(0.2));
    s.close();
    ep.close();
  }
  {
    const [c, s] = await pair(socket.AF_INET);
    const ep = select.epoll();
    ep.register(s, select.EPOLLOUT | select.EPOLLET);
    await ep.poll(5);
    await s.shutdown(socket.SHUT_WR);
    out["ET: own SHUT_WR"] = evs(await ep.poll(0.2));
    c.close();
    s.close();
    ep.close();
  }
  {
    const [x, y] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
    const p = select.poll();
    p.register(x, 0xffff);
    out["AF_UNIX datagram, POLLIN|POLLOUT..."] = evs(await p.poll(200));
    x.close();
    y.close();
  }
  const py = await cpython(PY) as Record<string, number[]>;
  for (const k of Object.keys(py)) {
    if (JSON.stringify(py[k]) !== JSON.stringify(out[k])) {
      console.log(
        `ignored (documented in docs/limits.md): ${k}: CPython ${JSON.stringify(py[k])}, pysocket ${
          JSON.stringify(out[k])
        }`,
      );
    }
  }
  assert.deepEqual(py, {
    "ET: EOF read by the drain, then poll": [],
    "ET: own SHUT_WR": [4],
    "AF_UNIX datagram, POLLIN|POLLOUT...": [772],
  });
  // (the extra report needs the EOF learned after the report: [] when the read-ahead saw it first)
  const late = out["ET: EOF read by the drain, then poll"]!;
  assert.ok(late.length === 0 || JSON.stringify(late) === "[1]", JSON.stringify(late));
  assert.deepEqual(out, {
    "ET: EOF read by the drain, then poll": late,
    "ET: own SHUT_WR": [],
    "AF_UNIX datagram, POLLIN|POLLOUT...": [],
  });
});
