// The one waiting mechanism of pysocket. Every I/O method keeps its pending
// Deno operation (a read, an accept, a receive, a connect) in the socket and
// only *observes* it through a Deadline: when the deadline passes or the
// signal aborts, the observer gives up but the operation goes on, and its
// result is kept for the next call. Nothing is lost.

import { BlockingIOError, errno, TimeoutError } from "./errors.ts";
import { held, hold, release } from "./_alive.ts";

/** The longest delay setTimeout honours (larger ones fire after 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The trailing options object every waiting method accepts. */
export interface WaitOptions {
  /** Abort the wait; rejects with `signal.reason` and loses nothing. */
  signal?: AbortSignal | undefined;
}

/** The time limit and abort signal of one call. */
export class Deadline {
  /** Absolute time (ms, performance.now) after which waiting fails, or Infinity. */
  readonly at: number;
  /** True for `settimeout(0)`: never wait. */
  readonly nonblocking: boolean;
  readonly signal: AbortSignal | undefined;
  /** False once a wait has been armed: only the first wait of a call polls past the deadline. */
  #polled = false;
  /** A wait of pysocket's own, no caller's (TLS's pump of the raw socket): it does not hold the process. */
  #background = false;

  static readonly #BACKGROUND: Deadline = (() => {
    const d = new Deadline(null);
    d.#background = true;
    return d;
  })();

  /** The unbounded Deadline of pysocket's own waits: they never hold the process (see _alive.ts). */
  static background(): Deadline {
    return Deadline.#BACKGROUND;
  }

  /**
   * The Deadline of one call: a shared one when there is nothing to track
   * (no signal, and no timeout or a zero one), so blocking and non-blocking
   * calls allocate nothing.
   * @param timeout seconds; null waits forever, 0 never waits.
   * @param signal an optional AbortSignal.
   */
  static of(timeout: number | null, signal?: AbortSignal): Deadline {
    if (signal === undefined) {
      if (timeout === null) return FOREVER;
      // A non-blocking call never waits, so its Deadline carries no state
      // (its `at` is only read when it is not non-blocking): share one.
      if (timeout === 0) return NOW;
    }
    return new Deadline(timeout, signal);
  }

  /**
   * @param timeout seconds; null waits forever, 0 never waits.
   * @param signal an optional AbortSignal.
   */
  constructor(timeout: number | null, signal?: AbortSignal) {
    this.nonblocking = timeout === 0;
    this.at = timeout === null ? Infinity : performance.now() + timeout * 1000;
    this.signal = signal;
    if (signal?.aborted) throw signal.reason;
  }

  /** True when waiting is unbounded and unabortable: callers may await directly. */
  get unbounded(): boolean {
    return this.at === Infinity && this.signal === undefined;
  }

  /** Throw the error a non-blocking call gets when it would have to wait. */
  would_block(code: number = errno.EAGAIN): never {
    throw new BlockingIOError(code);
  }

  /**
   * Wait for `p` within this deadline. `p` must never reject with an error
   * that matters (pending operations store their outcome instead) and is
   * left running when the deadline passes or the signal aborts.
   */
  wait<T>(p: Promise<T>, one_turn = false): Promise<T> {
    // No timer of its own: the caller holds the process while it waits (the operation's own does not: _alive.ts).
    if (this.unbounded) return this.#background ? p : held(p);
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.nonblocking) {
      // As a non-blocking call in C: what the kernel has ready now is returned.
      // A Deno op on a ready descriptor completes within one event-loop turn.
      // A few more turns while a same-process write is fresh (P13-3), see more_turns().
      return new Promise<T>((resolve, reject) => {
        const w: Waiter = (ok, v) => {
          clearTimeout(timer);
          if (ok) resolve(v as T);
          else reject(v);
        };
        const t0 = performance.now();
        let turns = 1;
        const fire = () => {
          if (!one_turn && more_turns(turns++, t0)) {
            timer = setTimeout(fire, 0);
            return;
          }
          unwatch(p, w);
          reject(new BlockingIOError(errno.EAGAIN));
        };
        let timer = setTimeout(fire, 0);
        watch(p, w);
      });
    }
    let remaining = this.at - performance.now();
    if (remaining <= 0) {
      // As CPython, which polls once with the whole timeout before it looks
      // at the clock: a tiny timeout still gets what is ready now (one turn).
      if (this.#polled) return Promise.reject(new TimeoutError());
      remaining = 0;
    }
    this.#polled = true;
    const holding = this.at === Infinity; // a signal alone: no timer holds the process
    if (holding) hold();
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Settled by p (through the one reaction watch() attaches per pending
      // operation), or given up by the timer or the signal: a waiter that
      // gives up removes itself, so it keeps nothing alive.
      const w: Waiter = (ok, v) => {
        if (timer !== undefined) clearTimeout(timer);
        if (holding) release();
        signal?.removeEventListener("abort", onAbort);
        if (ok) resolve(v as T);
        else reject(v);
      };
      const give_up = (e: unknown) => {
        unwatch(p, w);
        w(false, e);
      };
      const onAbort = () => give_up(signal?.reason);
      if (this.at !== Infinity) {
        // setTimeout fires at once for delays over 2**31-1 ms: re-arm in steps.
        const arm = (ms: number) => {
          timer = setTimeout(() => {
            const left = this.at - performance.now();
            if (left > 0) return arm(left);
            timer = undefined;
            give_up(new TimeoutError());
          }, Math.min(Math.ceil(ms), MAX_TIMER_MS));
        };
        arm(remaining);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      watch(p, w);
    });
  }
}

/** One caller waiting for a pending operation: called once with its outcome. */
type Waiter = (ok: boolean, v: unknown) => void;

/**
 * The callers waiting for each pending operation's promise. A promise gets
 * one reaction, however many waits observe it (a socket whose recv times
 * out 10,000 times before data comes attaches one, not 10,000); each waiter
 * is in the set only while it waits.
 */
const watchers = new WeakMap<Promise<unknown>, Set<Waiter>>();

function watch(p: Promise<unknown>, w: Waiter): void {
  let set = watchers.get(p);
  if (set === undefined) {
    const s = set = new Set<Waiter>();
    watchers.set(p, s);
    p.then((v) => {
      watchers.delete(p);
      for (const w of s) w(true, v);
    }, (e) => {
      watchers.delete(p);
      for (const w of s) w(false, e);
    });
  }
  set.add(w);
}

function unwatch(p: Promise<unknown>, w: Waiter): void {
  watchers.get(p)?.delete(w);
}

/** The Deadline of every call with no timeout and no signal (never changes). */
const FOREVER = new Deadline(null);
/** The Deadline of every non-blocking call with no signal (never changes). */
const NOW = new Deadline(0);

/** True when `p` (which never rejects) settles within `ms` milliseconds (a bounded timer; nothing left behind). */
export function settled_within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
  ]).finally(() => clearTimeout(timer));
}

/**
 * True when `p` (which never rejects) settles within one event-loop turn: a
 * Deno op on a ready descriptor does, so this is what "ready now" means.
 */
export function settles_now(p: Promise<unknown>, since = Infinity): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const w: Waiter = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const t0 = performance.now();
    let turns = 1;
    const fire = () => {
      if (more_turns(turns++, t0, since)) {
        timer = setTimeout(fire, 0);
        return;
      }
      unwatch(p, w);
      resolve(false);
    };
    let timer = setTimeout(fire, 0);
    watch(p, w);
  });
}

/**
 * Same-process stream writes (updated by _stream.ts's StreamWriter): the last time one started. The peer of a
 * socketpair (or a loopback connection) in this process has the bytes of a write the kernel took, yet Deno's read op
 * on that peer may complete an event-loop turn or more later (a timer turn can run before it, above all after the
 * process was descheduled): CPython's peer sees them at once (P13-3).
 */
export const writes = { last: -Infinity };

/**
 * The most timer turns a non-blocking look gives a pending operation while a same-process event is fresh (2 missed
 * 1 of 8000 reads under load, 3 none; 5 since A24: closes, shutdowns and datagram sends count too, and a busy event
 * loop's turns missed with 3).
 */
const MAX_TURNS = 5;
/** A write started this long (ms) before a look began, or during it, may still be on its way to a reader here. */
const FRESH_MS = 1;
/** A first turn this long (ms) means the process stalled: the operation may be complete but not yet delivered. */
const STALL_MS = 10;

/**
 * True when a non-blocking look (the Deadline's, settles_now's) should give its operation another turn after
 * `turns` turns that began at `t0`: only while a same-process write is fresh or after a stall, so that a look at an
 * idle socket costs one turn, as before.
 */
export function more_turns(turns: number, t0: number, since = Infinity): boolean {
  if (turns >= MAX_TURNS) return false;
  const now = performance.now();
  // `since`: a same-process write started after that moment (a top-up read's start) may also be on its way.
  return writes.last >= Math.min(t0 - FRESH_MS, since) || (turns === 1 && now - t0 > STALL_MS);
}

/** A promise with its resolver exposed; used for "something changed" wake-ups. */
export function signal_promise(): {
  promise: Promise<void>;
  resolve: () => void;
} {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => resolve = r);
  return { promise, resolve };
}

/**
 * Call `fn` once `ms` milliseconds from now, for any `ms` (a long one is re-armed in steps of MAX_TIMER_MS:
 * `settimeout(3e6)` waits 35 days, not 1 ms); returns a canceller.
 */
export function after(ms: number, fn: () => void): () => void {
  const at = performance.now() + ms;
  let id: ReturnType<typeof setTimeout>;
  const arm = () => {
    const left = at - performance.now();
    id = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(id);
}
