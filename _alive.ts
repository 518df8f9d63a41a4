// What keeps the process alive. CPython's process ends when its main thread does, whatever sockets are left open;
// Deno's ends when nothing it waits for is pending. pysocket keeps reads in flight that no caller waits for (a
// socket's read ahead and top-up, a receive or an accept left by a timed-out or non-blocking call, a selector's
// watch), so its Deno resources are unref'd (their pending reads, receives and accepts never hold the process), and a
// call that waits for one of them without a timer of its own (a blocking recv, accept or select, a handshake)
// holds the process through one shared timer instead, for as long as it waits. Writes stay Deno's: a write in
// flight holds the process, as the kernel delivers what a program wrote after it exits.

let holds = 0;
let keeper: number | undefined;
const noop = (): void => {};
/** Deno's timer ref calls, absent on other runtimes (where nothing here holds or releases anything). */
const D = (globalThis as {
  Deno?: { refTimer?: (id: number) => void; unrefTimer?: (id: number) => void };
}).Deno;
const can = typeof D?.refTimer === "function" && typeof D?.unrefTimer === "function";

/** A caller starts waiting: the process stays alive until the matching release(). */
export function hold(): void {
  if (holds++ !== 0 || !can) return;
  if (keeper === undefined) keeper = setInterval(noop, 2 ** 30) as unknown as number;
  else D!.refTimer!(keeper);
}

/** A caller stopped waiting. */
export function release(): void {
  if (--holds !== 0 || !can || keeper === undefined) return;
  D!.unrefTimer!(keeper);
}

const released_ok = <T>(v: T): T => {
  release();
  return v;
};
const released_err = (e: unknown): never => {
  release();
  throw e;
};

/** `p`, holding the process until it settles (a caller waits for it, with no timer of its own). */
export function held<T>(p: Promise<T>): Promise<T> {
  hold();
  return p.then(released_ok, released_err);
}

/**
 * Make a Deno resource's pending reads (receives, accepts) not hold the process: pysocket's callers hold it while
 * they wait (see above). Anything without unref() (a node:stream transport) is left as it is.
 */
export function unref(r: unknown): void {
  try {
    (r as { unref?: () => void } | null)?.unref?.();
  } catch { /* closed already */ }
}

/** Holds now (for tests). */
export function _holds(): number {
  return holds;
}
