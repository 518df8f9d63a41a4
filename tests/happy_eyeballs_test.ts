// Happy Eyeballs in create_connection, on loopback. No name here resolves to
// both families (/etc/hosts maps only 127.0.0.1), so the tests feed the
// resolver through the test seam. An IPv6 "black hole" is a listener with
// tcpBacklog 0 filled by one unaccepted connection: further SYNs are dropped,
// so a connect to it stays in flight.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  ConnectionRefusedError,
  create_connection,
  gaierror,
  type Socket,
  TimeoutError,
} from "../mod.ts";
import { _set_lookup_for_tests, type LookupAddress } from "../_resolve.ts";
import { _set_attempt_observer, type Candidate, interleave } from "../_happy_eyeballs.ts";
import { held_closed_port, lone_v4 } from "./_socket_fixtures.ts";

// The IPv4 address is a loopback address of this file's own (127.x.y.z), not 127.0.0.1: the tests listen on it
// with a port chosen on ::1, or expect a port there to be closed, and no other test file (run in parallel) binds it.
// ::1 has no spare address: a port that must be closed there is a held one (see held_closed_port).
const V4 = lone_v4();
const DUAL: LookupAddress[] = [{ address: "::1", family: 6 }, { address: V4, family: 4 }];

/** Resolve "dual.test" to ::1 and V4; record every attempt; undo both on dispose. */
function seam(): { attempts: [Socket, Candidate][] } & Disposable {
  const attempts: [Socket, Candidate][] = [];
  _set_lookup_for_tests((host) => {
    if (host === "dual.test") return Promise.resolve(DUAL);
    return Promise.reject(new gaierror(-2));
  });
  _set_attempt_observer((s, c) => attempts.push([s, c]));
  return {
    attempts,
    [Symbol.dispose]() {
      _set_lookup_for_tests(null);
      _set_attempt_observer(null);
    },
  };
}

/** A listener whose further connects stall (SYNs dropped). */
async function black_hole(hostname: string, port = 0): Promise<{ port: number } & Disposable> {
  const l = Deno.listen({ hostname, port, tcpBacklog: 0 } as Deno.TcpListenOptions);
  const p = (l.addr as Deno.NetAddr).port;
  const filler = await Deno.connect({ hostname, port: p });
  return {
    port: p,
    [Symbol.dispose]() {
      filler.close();
      l.close();
    },
  };
}

Deno.test("interleave() puts IPv6 first and alternates families", () => {
  const c = (family: number, host: string): Candidate => ({
    family,
    sockaddr: family === AF_INET6 ? [host, 1, 0, 0] : [host, 1],
  });
  const out = interleave([c(AF_INET, "a"), c(AF_INET, "b"), c(AF_INET, "c"), c(AF_INET6, "x"), c(AF_INET6, "y")]);
  assert.deepEqual(out.map((x) => x.sockaddr[0]), ["x", "a", "y", "b", "c"]);
});

Deno.test("create_connection() wins over IPv4 when the IPv6 connect stalls, and closes the IPv6 attempt", async () => {
  using s = seam();
  using hole = await black_hole("::1");
  using v4 = Deno.listen({ hostname: V4, port: hole.port });
  const t0 = performance.now();
  using c = await create_connection(["dual.test", hole.port], { happy_eyeballs_delay: 0.1, timeout: 5 });
  const elapsed = performance.now() - t0;
  assert.equal(c.family, AF_INET);
  assert.deepEqual(c.getpeername(), [V4, hole.port]);
  assert.equal(c.gettimeout(), 5);
  assert.deepEqual(s.attempts.map(([, cand]) => cand.family), [AF_INET6, AF_INET]);
  const [loser] = s.attempts[0]!;
  assert.equal(loser.fileno(), -1, "the stalled IPv6 attempt is closed");
  assert.ok(elapsed >= 90 && elapsed < 3000, `second attempt started after the delay (${elapsed} ms)`);
  const conn = await v4.accept();
  conn.close();
});

Deno.test("create_connection() uses IPv6 alone when it connects before the delay", async () => {
  using s = seam();
  using v6 = Deno.listen({ hostname: "::1", port: 0 });
  const port = v6.addr.port;
  using v4 = Deno.listen({ hostname: V4, port });
  using c = await create_connection(["dual.test", port], { happy_eyeballs_delay: 2 });
  assert.equal(c.family, AF_INET6);
  assert.deepEqual(c.getpeername(), ["::1", port, 0, 0]);
  assert.equal(s.attempts.length, 1, "no IPv4 attempt was started");
  (await v6.accept()).close();
  void v4;
});

Deno.test("create_connection() starts the next attempt at once when one is refused", async () => {
  using s = seam();
  using closed6 = await held_closed_port("::1");
  const port = closed6.port;
  using v4 = Deno.listen({ hostname: V4, port });
  const t0 = performance.now();
  using c = await create_connection(["dual.test", port], { happy_eyeballs_delay: 10 });
  assert.ok(performance.now() - t0 < 5000, "did not wait for the 10 s delay");
  assert.equal(c.family, AF_INET);
  assert.deepEqual(s.attempts.map(([sock]) => sock.fileno() === -1), [true, false]);
  (await v4.accept()).close();
});

Deno.test("create_connection() raises the last error, or every error with all_errors", async () => {
  using _s = seam();
  using closed6 = await held_closed_port("::1"); // and nothing binds V4
  const port = closed6.port;
  await assert.rejects(create_connection(["dual.test", port], { happy_eyeballs_delay: 0.05 }), ConnectionRefusedError);
  const err = await create_connection(["dual.test", port], { all_errors: true, happy_eyeballs_delay: 0.05 })
    .then(() => null, (e: unknown) => e);
  assert.ok(err instanceof AggregateError, String(err));
  assert.equal(err.errors.length, 2);
  for (const e of err.errors) assert.ok(e instanceof ConnectionRefusedError, String(e));
  assert.match(String(err.errors[0].operation), /::1/); // the address rides in `operation`, not the message
  assert.ok(String(err.errors[1].operation).includes(V4), String(err.errors[1].operation));
});

Deno.test("create_connection() times out every stalled attempt and reports them with all_errors", async () => {
  using s = seam();
  using hole6 = await black_hole("::1");
  using _hole4 = await black_hole(V4, hole6.port);
  const t0 = performance.now();
  const err = await create_connection(["dual.test", hole6.port], 0.3, { all_errors: true, happy_eyeballs_delay: 0.05 })
    .then(() => null, (e: unknown) => e);
  assert.ok(err instanceof AggregateError, String(err));
  assert.deepEqual(err.errors.map((e) => e instanceof TimeoutError), [true, true]);
  assert.ok(performance.now() - t0 < 3000);
  assert.ok(s.attempts.every(([sock]) => sock.fileno() === -1));
});

Deno.test("create_connection() with happy_eyeballs_delay null tries one address after another", async () => {
  using s = seam();
  using hole = await black_hole("::1");
  using v4 = Deno.listen({ hostname: V4, port: hole.port });
  const t0 = performance.now();
  using c = await create_connection(["dual.test", hole.port], 0.3, { happy_eyeballs_delay: null });
  assert.ok(performance.now() - t0 >= 250, "the IPv4 attempt waited for the IPv6 timeout");
  assert.equal(c.family, AF_INET);
  assert.equal(s.attempts.length, 0, "the sequential path is Python's plain loop");
  (await v4.accept()).close();
});

Deno.test("create_connection() aborted by a signal during the race closes every attempt", async () => {
  using s = seam();
  using hole6 = await black_hole("::1");
  using _hole4 = await black_hole(V4, hole6.port);
  const reason = new Error("stop");
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(reason), 150);
  await assert.rejects(
    create_connection(["dual.test", hole6.port], { happy_eyeballs_delay: 0.05, signal: ac.signal }),
    (e) => e === reason,
  );
  clearTimeout(timer);
  assert.equal(s.attempts.length, 2);
  assert.ok(s.attempts.every(([sock]) => sock.fileno() === -1));
});
