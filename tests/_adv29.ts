// What the adv29 twins (tests/adversary29_readers_test.ts, tests/adversary29_tls_test.ts,
// tests/adversary29_callers_test.ts) and tests/adversary16b_two_waiters_test.ts share: the read waiters, in
// TypeScript and in the CPython twin's Python, the follow-up recv loop after a cell's change, and the comparison of
// every cell with CPython's (a cell that differs runs again and counts only if it differs twice).

import assert from "node:assert/strict";
import { MSG_PEEK, MSG_WAITALL, type Socket } from "../mod.ts";
import { DefaultSelector, epoll, EPOLLET, EPOLLIN, poll, POLLIN, select } from "../selectors.ts";

const dec = new TextDecoder();

/** A waiter/cell outcome of the readers and TLS twins: each waiter's, the change's error, the follow-up reads. */
export type Res = { out: Record<string, unknown>; change: unknown; after: unknown };

/** The same JSON. */
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** An exception as the twins record one: [class name, errno or null]. */
export const errof = (e: unknown): unknown[] => {
  const x = e as { name?: string; errno?: number | null };
  return [x?.name ?? String(e), x?.errno ?? null];
};

/**
 * The read waiter `w` on `a` (what one task awaits, returning the value compared), or undefined for a name this
 * does not know: recv, recv_into, recvfrom, recvmsg, peek (MSG_PEEK), waitall (recv(10, MSG_WAITALL)), rb_read10,
 * rb_readline, r_readline (makefile), sel_r (select), poll_r, epoll_lt, epoll_et, selr (DefaultSelector); `t` the
 * looks' timeout (seconds, null: none). Files, epoll objects and selectors it makes go into `closers`.
 * PY_READ_WAITERS is the same in Python.
 */
export function read_waiter(
  a: Socket,
  w: string,
  closers: { close(): unknown }[],
  t: number | null = null,
): (() => Promise<unknown>) | undefined {
  switch (w) {
    case "recv":
      return async () => dec.decode(await a.recv(100));
    case "recv_into":
      return async () => {
        const buf = new Uint8Array(100);
        return dec.decode(buf.subarray(0, await a.recv_into(buf)));
      };
    case "recvfrom":
      return async () => dec.decode((await a.recvfrom(100))[0]);
    case "recvmsg":
      return async () => {
        const r = await a.recvmsg(100);
        return [dec.decode(r[0]), r[2]];
      };
    case "peek":
      return async () => dec.decode(await a.recv(100, MSG_PEEK));
    case "waitall":
      return async () => dec.decode(await a.recv(10, MSG_WAITALL));
    case "rb_read10": {
      const fh = a.makefile("rb");
      closers.push(fh);
      return async () => dec.decode(await fh.read(10) as Uint8Array);
    }
    case "rb_readline": {
      const fh = a.makefile("rb");
      closers.push(fh);
      return async () => dec.decode(await fh.readline() as Uint8Array);
    }
    case "r_readline": {
      const fh = a.makefile("r");
      closers.push(fh);
      return async () => await fh.readline();
    }
    case "sel_r":
      return async () => (await select([a], [], [], t))[0].length;
    case "poll_r": {
      const p = poll();
      p.register(a, POLLIN);
      return async () => (await p.poll(t === null ? null : t * 1000)).map(([, ev]) => ev);
    }
    case "epoll_lt":
    case "epoll_et": {
      const ep = epoll();
      closers.push(ep);
      ep.register(a, EPOLLIN | (w === "epoll_et" ? EPOLLET : 0));
      return async () => (await (t === null ? ep.poll() : ep.poll(t))).map(([, ev]) => ev & ~EPOLLET);
    }
    case "selr": {
      const s = new DefaultSelector();
      closers.push(s);
      s.register(a, 1);
      return async () => (await s.select(t)).map(([, ev]) => ev);
    }
  }
  return undefined;
}

/**
 * read_waiter() in the CPython twin (after tests/_twin.ts's prelude): `read_waiter(a, w)`, None for another name;
 * and `wake_waiters(a, ws, fn, ch, peer_change)`, a cell's waiters in threads woken by its change.
 */
export const PY_READ_WAITERS = `
import selectors
def read_waiter(a, w):
    if w == "recv": return lambda: a.recv(100).decode()
    if w == "recv_into":
        def g():
            buf = bytearray(100); n = a.recv_into(buf); return bytes(buf[:n]).decode()
        return g
    if w == "recvfrom": return lambda: a.recvfrom(100)[0].decode()
    if w == "recvmsg": return lambda: (lambda r: [r[0].decode(), r[2]])(a.recvmsg(100))
    if w == "peek": return lambda: a.recv(100, MSG_PEEK).decode()
    if w == "waitall": return lambda: a.recv(10, MSG_WAITALL).decode()
    if w == "rb_read10":
        fh = a.makefile("rb"); return lambda: fh.read(10).decode()
    if w == "rb_readline":
        fh = a.makefile("rb"); return lambda: fh.readline().decode()
    if w == "r_readline":
        fh = a.makefile("r"); return lambda: fh.readline()
    if w == "sel_r": return lambda: len(select.select([a], [], [])[0])
    if w == "poll_r":
        p = select.poll(); p.register(a, select.POLLIN)
        return lambda: [ev for _, ev in p.poll()]
    if w in ("epoll_lt", "epoll_et"):
        ep = select.epoll(); ep.register(a, select.EPOLLIN | (select.EPOLLET if w == "epoll_et" else 0))
        return lambda: [ev & ~select.EPOLLET for _, ev in ep.poll()]
    if w == "selr":
        s = selectors.DefaultSelector(); s.register(a, selectors.EVENT_READ)
        return lambda: [ev for _, ev in s.select()]
def wake_waiters(a, ws, fn, ch, peer_change):
    """Each waiter fn(w) in a thread; 0.25 s later the change (own shutdown, or peer_change()); joins until 1.5 s."""
    got = {}
    def run(w, g):
        try: got[w] = ["ok", g()]
        except Exception as e: got[w] = [type(e).__name__, getattr(e, "errno", None)]
    ths = [threading.Thread(target=run, args=(w, fn(w)), daemon=True) for w in ws]
    for x in ths: x.start()
    time.sleep(0.25)
    try:
        if ch == "shut_rd": a.shutdown(SHUT_RD)
        elif ch == "shut_rdwr": a.shutdown(SHUT_RDWR)
        else: peer_change()
    except Exception as e: got["change"] = [type(e).__name__, getattr(e, "errno", None)]
    t_end = time.time() + 1.5
    for x in ths: x.join(max(0.01, t_end - time.time()))
    return got
`;

/**
 * The follow-up reads after a cell's change: up to 6 recv(100) under a 0.4 s timeout, to EOF ("eof"), an error
 * (`end_of` it) or "more"; [the bytes read, `decode`d, the end].
 */
export async function read_after(
  a: Socket,
  decode: (d: Uint8Array) => string,
  end_of: (e: unknown) => unknown,
): Promise<[string, unknown]> {
  a.settimeout(0.4);
  let data = "", end: unknown = "more";
  for (let i = 0; i < 6; i++) {
    try {
      const d = await a.recv(100);
      if (!d.length) {
        end = "eof";
        break;
      }
      data += decode(d);
    } catch (e) {
      end = end_of(e);
      break;
    }
  }
  return [data, end];
}

/**
 * Every cell of both twins (`run_both`: CPython's results, pysocket's) compared; a cell that differs runs again,
 * both twins, on its own batch, and counts only if it differs again. A cell that differs twice is printed with
 * `excuse`'s reason where it gives one (a documented difference, a known finding), otherwise it fails the test
 * (after `before_assert`, a last print).
 */
export async function compare_twice<R>(
  label: string,
  cells: string[],
  run_both: (cells: string[]) => Promise<[Record<string, R>, Record<string, R>]>,
  excuse: (c: string, py: R, ts: R) => string | undefined,
  before_assert?: () => void,
): Promise<void> {
  const [py, ts] = await run_both(cells);
  let differ = cells.filter((c) => !same(py[c], ts[c]));
  const first = differ.length;
  let p2: Record<string, R> = {}, t2: Record<string, R> = {};
  if (differ.length) [p2, t2] = await run_both(differ);
  differ = differ.filter((c) => !same(p2[c], t2[c]));
  console.log(`${label}: ${cells.length} cells, ${cells.length - first} match CPython at once`);
  const bad: string[] = [];
  for (const c of differ) {
    const shown = `${c}\n    CPython  ${JSON.stringify(p2[c])}\n    pysocket ${JSON.stringify(t2[c])}`;
    const why = excuse(c, p2[c]!, t2[c]!);
    if (why !== undefined) console.log(`  ${why}\n    ${shown}`);
    else bad.push(shown);
  }
  before_assert?.();
  assert.deepEqual(bad, [], `cells that differ from CPython twice:\n${bad.join("\n")}`);
}
