// An AF_UNIX datagram send that waits for room in a receiver that does not read must end when its socket is
// closed from another task (finding A5-1): Deno keeps such a send pending after its conn is closed, so the
// waiting send() hung forever (and kept the process alive), where a stream's sendall() under close() raises
// OSError EBADF (tests/reliability_faults_test.ts). Each waiter here: an untimed send queued behind a send
// still in flight, an untimed send that is itself the one waiting for room, a send with a long timeout.
// CPython has no twin to run: its thread blocked in send(2) stays blocked when another thread closes the
// descriptor (Linux does not interrupt it), which pysocket does not imitate (docs/limits.md).

import assert from "node:assert/strict";
import { AF_UNIX, OSError, SOCK_DGRAM, type Socket, socketpair } from "../mod.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function within<T>(ms: number, p: Promise<T>): Promise<T | "HANG"> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<"HANG">((r) => t = setTimeout(() => r("HANG"), ms))]).finally(() =>
    clearTimeout(t)
  );
}

/** Send until the receiver's queue is full (a send times out); returns how many went. */
async function fill(a: Socket): Promise<number> {
  a.settimeout(0.2);
  let n = 0;
  for (let i = 0; i < 100_000; i++) {
    try {
      await a.send(new Uint8Array(1000));
      n++;
    } catch (e) {
      assert.equal((e as Error).name, "TimeoutError");
      break;
    }
  }
  return n;
}

const what = (p: Promise<unknown>) =>
  p.then((v) => `ok:${v}`, (e) => e instanceof OSError ? `${e.name}(${e.errno})` : String(e));

for (const [timeout, what_for] of [[null, "behind another"], [30, "with a long timeout"]] as const) {
  Deno.test(`AF_UNIX datagram: a send waiting for room (${what_for}) raises EBADF when closed from another task, not TimeoutError later`, async () => {
    const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
    try {
      assert.ok(await fill(a) > 0);
      a.settimeout(timeout);
      const p = what(a.send(new Uint8Array(7)));
      await sleep(50);
      a.close();
      assert.equal(await within(5000, p), "OSError(9)");
    } finally {
      a.close();
      b.close();
    }
  });
}

Deno.test("AF_UNIX datagram: an untimed send that itself waits for room raises EBADF when closed", async () => {
  const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    // Blocking sends until one waits: the receiver never reads.
    const sending = (async () => {
      for (let i = 0; i < 100_000; i++) await a.send(new Uint8Array(1000));
      return "never blocked";
    })();
    const p = what(sending);
    assert.equal(await within(300, p), "HANG", "a send to a full receiver waits");
    a.close();
    assert.equal(await within(5000, p), "OSError(9)");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("AF_UNIX datagram: a send waiting for room still goes once the receiver reads (nothing lost, none twice)", async () => {
  const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    const n = await fill(a);
    a.settimeout(null);
    const p = what(a.send(new Uint8Array(7)));
    b.settimeout(2);
    const sizes: number[] = [];
    for (let i = 0; i < n + 10; i++) {
      try {
        sizes.push((await b.recv(2000)).length);
      } catch {
        break;
      }
    }
    assert.equal(await within(5000, p), "ok:7");
    // Every datagram that a send reported sent arrived, once (one of them may have been kept as the socket's
    // one-datagram send buffer); the send that timed out sent nothing, as CPython's.
    assert.equal(sizes.filter((s) => s === 7).length, 1);
    assert.equal(sizes.length, n + 1, `${sizes.length} datagrams for ${n} + 1 sends`);
  } finally {
    a.close();
    b.close();
  }
});
