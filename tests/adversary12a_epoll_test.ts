// adv12a, the adversary of rdy9's select.epoll()/poll() and fileno() numbers, beside CPython 3.11 on Linux:
// A12a-1 an edge-triggered EPOLLIN registration missed the peer's FIN that came after the program drained its
//   bytes to EAGAIN (a hang: Linux wakes an edge-triggered waiter for a FIN as for bytes);
// A12a-2 a register()/modify() while another task waited in epoll.poll() went unseen until the wait ended (with no
//   timeout: a hang; Linux wakes the waiter when the new registration is ready);
// A12a-3 numbers beyond a C int gave EBADF (or were taken by poll.register) and a `fileno` that is not a method
//   said "argument must be an int...": CPython's OverflowError and TypeError texts.
// Each scenario prints the same lines in python3 and here.

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { sleep, test_needing } from "./_socket_fixtures.ts";
import { cpython, pair } from "./_twin.ts";

const test = test_needing("python3");

const PY = `
import selectors
out = []
def show(l, v): out.append(l + ": " + json.dumps(v, separators=(",", ":")))
def name(e):
    n = type(e).__name__
    return "RangeError" if n in ("ValueError", "OverflowError") else n
def t(l, fn):
    try: show(l, ["ok", fn()])
    except Exception as e: show(l, [name(e), str(e).split(" <")[0]])  # (reprs differ)
def drain(s):
    n = 0
    for i in range(1000):
        try:
            d = s.recv(65536)
            if not d: return "%d+EOF" % n
            n += len(d)
        except BlockingIOError: return "%d+EAGAIN" % n
    return n
def later(f): threading.Timer(0.05, f).start()
def evs(r): return [e for _, e in r]
for fam in (AF_INET, AF_UNIX):
    F = "unix " if fam == AF_UNIX else "tcp "
    for recv_after in (True, False):
        c, s = pair(fam); s.setblocking(False); ep = select.epoll()
        ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET)
        c.sendall(b"hello")
        show(F + "ET data", evs(ep.poll(5)))
        show(F + "ET drain", drain(s))
        c.close(); time.sleep(0.1)
        if recv_after: show(F + "ET recv after FIN", drain(s))
        show(F + "ET FIN after the drain (recv %s)" % recv_after, evs(ep.poll(5)))
        show(F + "ET not again", evs(ep.poll(0.05)))
        s.close(); ep.close()
    c, s = pair(fam); ep = select.epoll(); ep.register(s.fileno(), select.EPOLLIN)
    t0 = time.time(); later(lambda: ep.modify(s.fileno(), select.EPOLLOUT)); r = ep.poll(10)
    show(F + "modify during a wait", [evs(r), time.time() - t0 < 5])
    ep.modify(s.fileno(), select.EPOLLIN)
    t0 = time.time(); later(lambda: ep.register(c.fileno(), select.EPOLLOUT)); r = ep.poll(10)
    show(F + "register during a wait", [evs(r), time.time() - t0 < 5])
    ep.unregister(c.fileno())
    t0 = time.time(); later(lambda: c.send(b"x")); r = ep.poll(10)
    show(F + "bytes during a wait", [evs(r), time.time() - t0 < 5])
    s.recv(10)
    ep.modify(s.fileno(), select.EPOLLIN | select.EPOLLONESHOT)
    c.send(b"y"); time.sleep(0.05)
    show(F + "oneshot", evs(ep.poll(5)))
    t0 = time.time(); later(lambda: ep.modify(s.fileno(), select.EPOLLIN | select.EPOLLONESHOT)); r = ep.poll(10)
    show(F + "oneshot re-armed during a wait, bytes waiting", [evs(r), time.time() - t0 < 5])
    c.close(); s.close(); ep.close()
a, b = socketpair(); A = a.fileno()
class Big:
    def fileno(self): return 2**40
class NotCallable:
    fileno = 5
class Raises:
    def fileno(self): raise ValueError("closed file")
class RaisesOS:
    def fileno(self): raise OSError(9, "Bad file descriptor")
for label, o in [("2**40", 2**40), ("-2**40", -2**40), ("fileno() 2**40", Big()), ("fileno = 5", NotCallable()), ("fileno() raises ValueError", Raises()), ("fileno() raises OSError", RaisesOS())]:
    t("select " + label, lambda: select.select([o], [], [], 0))
    p = select.poll()
    t("poll.register " + label, lambda: p.register(o))
    t("poll.modify " + label, lambda: p.modify(o, 1))
    t("poll.unregister " + label, lambda: p.unregister(o))
    ep = select.epoll()
    t("epoll.register " + label, lambda: ep.register(o))
    t("epoll.modify " + label, lambda: ep.modify(o, 1))
    ep.close()
    sel = selectors.DefaultSelector()
    t("selector.register " + label, lambda: sel.register(o, selectors.EVENT_READ) and None)
    sel.close()
a.close(); b.close()
print(json.dumps(out))
`;

type Fn = () => unknown;

async function pysocket_lines(): Promise<string[]> {
  const out: string[] = [];
  const show = (l: string, v: unknown) => out.push(l + ": " + JSON.stringify(v));
  const t = async (l: string, fn: Fn) => {
    try {
      show(l, ["ok", (await fn()) ?? null]);
    } catch (e) {
      show(l, [(e as Error).name, (e as Error).message.split(" <")[0]]);
    }
  };
  const drain = async (s: socket.Socket) => {
    let n = 0;
    for (let i = 0; i < 1000; i++) {
      try {
        const d = await s.recv(65536);
        if (d.length === 0) return `${n}+EOF`;
        n += d.length;
      } catch (e) {
        if ((e as Error).name === "BlockingIOError") return `${n}+EAGAIN`;
        throw e;
      }
    }
    return n;
  };
  const later = (f: Fn) => setTimeout(f, 50);
  const evs = (r: [number, number][]) => r.map(([, e]) => e);
  const enc = (s: string) => new TextEncoder().encode(s);
  for (const fam of [socket.AF_INET, socket.AF_UNIX]) {
    const F = fam === socket.AF_UNIX ? "unix " : "tcp ";
    for (const recv_after of [true, false]) {
      const [c, s] = await pair(fam);
      s.setblocking(false);
      const ep = select.epoll();
      ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET);
      await c.sendall(enc("hello"));
      show(F + "ET data", evs(await ep.poll(5)));
      show(F + "ET drain", await drain(s));
      c.close();
      await sleep(100);
      if (recv_after) show(F + "ET recv after FIN", await drain(s));
      show(F + `ET FIN after the drain (recv ${recv_after ? "True" : "False"})`, evs(await ep.poll(5)));
      show(F + "ET not again", evs(await ep.poll(0.05)));
      s.close();
      ep.close();
    }
    const [c, s] = await pair(fam);
    const ep = select.epoll();
    ep.register(s.fileno(), select.EPOLLIN);
    let t0 = performance.now();
    later(() => ep.modify(s.fileno(), select.EPOLLOUT));
    let r = await ep.poll(10);
    show(F + "modify during a wait", [evs(r), performance.now() - t0 < 5000]);
    ep.modify(s.fileno(), select.EPOLLIN);
    t0 = performance.now();
    later(() => ep.register(c.fileno(), select.EPOLLOUT));
    r = await ep.poll(10);
    show(F + "register during a wait", [evs(r), performance.now() - t0 < 5000]);
    ep.unregister(c.fileno());
    t0 = performance.now();
    later(() => void c.send(enc("x")));
    r = await ep.poll(10);
    show(F + "bytes during a wait", [evs(r), performance.now() - t0 < 5000]);
    await s.recv(10);
    ep.modify(s.fileno(), select.EPOLLIN | select.EPOLLONESHOT);
    await c.send(enc("y"));
    await sleep(50);
    show(F + "oneshot", evs(await ep.poll(5)));
    t0 = performance.now();
    later(() => ep.modify(s.fileno(), select.EPOLLIN | select.EPOLLONESHOT));
    r = await ep.poll(10);
    show(F + "oneshot re-armed during a wait, bytes waiting", [evs(r), performance.now() - t0 < 5000]);
    c.close();
    s.close();
    ep.close();
  }
  const [a, b] = await socket.socketpair();
  const objs: [string, unknown][] = [
    ["2**40", 2 ** 40],
    ["-2**40", -(2 ** 40)],
    ["fileno() 2**40", { fileno: () => 2 ** 40 }],
    ["fileno = 5", { fileno: 5 }],
    ["fileno() raises ValueError", {
      fileno() {
        throw new RangeError("closed file");
      },
    }],
    ["fileno() raises OSError", {
      fileno() {
        throw new socket.OSError(9, "Bad file descriptor");
      },
    }],
  ];
  for (const [label, o] of objs) {
    const x = o as socket.Socket;
    await t("select " + label, () => select.select([x], [], [], 0));
    const p = select.poll();
    await t("poll.register " + label, () => p.register(x));
    await t("poll.modify " + label, () => p.modify(x, 1));
    await t("poll.unregister " + label, () => p.unregister(x));
    const ep = select.epoll();
    await t("epoll.register " + label, () => ep.register(x));
    await t("epoll.modify " + label, () => ep.modify(x, 1));
    ep.close();
    const sel = new select.DefaultSelector();
    await t("selector.register " + label, () => void sel.register(x, select.EVENT_READ));
    sel.close();
  }
  a.close();
  b.close();
  return out;
}

test("A12a-1/2/3: EPOLLET sees a FIN after the drain, register/modify wake a waiting epoll.poll(), numbers beyond a C int and a fileno that is not a method raise CPython's errors", async () => {
  const [mine, theirs] = [await pysocket_lines(), await cpython(PY) as string[]];
  assert.deepEqual(mine, theirs);
});

// An edge-triggered reader under a sender that writes 300 chunks at random moments (some while the reader drains,
// some between its EAGAIN and its next poll()), then closes: every poll() reports something until the EOF is read.
const PY_STRESS = `
import random
res = {}
for fam in (AF_INET, AF_UNIX):
    c, s = pair(fam); s.setblocking(False); ep = select.epoll(); ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET)
    rnd = random.Random(7); sent = [0]
    def sender():
        for i in range(300):
            n = 1 + int(rnd.random() * 3000); c.sendall(bytes([i & 255]) * n); sent[0] += n
            if rnd.random() < 0.3: time.sleep(rnd.random() * 0.004)
        c.close()
    th = threading.Thread(target=sender); th.start()
    got = empty = polls = 0; eof = False
    while not eof and polls < 5000:
        polls += 1
        if not ep.poll(5):
            empty += 1; break
        for _ in range(10000):
            try:
                d = s.recv(1000)
            except BlockingIOError:
                break
            if not d:
                eof = True; break
            got += len(d)
    th.join()
    res[str(fam)] = [eof, empty, got == sent[0]]
    s.close(); ep.close()
print(json.dumps(res))
`;

test("A12a-1 class: an edge-triggered reader under a sender writing at random moments, then closing, misses no edge (TCP, Unix), as CPython's", async () => {
  const res: Record<string, unknown> = {};
  for (const fam of [socket.AF_INET, socket.AF_UNIX]) {
    const [c, s] = await pair(fam);
    s.setblocking(false);
    const ep = select.epoll();
    ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET);
    let rng = 7;
    const rnd = () => (rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648;
    let sent = 0;
    const sender = (async () => {
      for (let i = 0; i < 300; i++) {
        const n = 1 + Math.floor(rnd() * 3000);
        await c.sendall(new Uint8Array(n).fill(i & 255));
        sent += n;
        const r = rnd();
        if (r < 0.3) await sleep(Math.floor(rnd() * 4));
        else if (r < 0.6) await Promise.resolve();
      }
      c.close();
    })();
    let got = 0, empty = 0, polls = 0, eof = false;
    while (!eof && polls < 5000) {
      polls++;
      if ((await ep.poll(5)).length === 0) {
        empty++;
        break;
      }
      for (let i = 0; i < 10000; i++) {
        let d: Uint8Array;
        try {
          d = await s.recv(1000);
        } catch (e) {
          if ((e as Error).name === "BlockingIOError") break;
          throw e;
        }
        if (d.length === 0) {
          eof = true;
          break;
        }
        got += d.length;
        if (rnd() < 0.2) await sleep(1);
      }
    }
    await sender;
    res[String(fam)] = [eof, empty, got === sent];
    s.close();
    ep.close();
  }
  assert.deepEqual(res, await cpython(PY_STRESS));
});

test("A12a-2 class: close() of an epoll object ends a poll() waiting on it with no timeout (returns [], documented; was a hang)", async () => {
  const [c, s] = await pair(socket.AF_INET);
  const ep = select.epoll();
  ep.register(s, select.EPOLLIN);
  const waiting = ep.poll();
  setTimeout(() => ep.close(), 50);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([
    waiting,
    new Promise((res) => timer = setTimeout(() => res("still waiting after 10 s"), 10_000)),
  ]);
  clearTimeout(timer);
  assert.deepEqual(r, []);
  c.close();
  s.close();
});
