/**
 * Python's `select.select` and `selectors` for pysocket sockets: wait until
 * sockets are readable or writable, the classic way ported servers
 * multiplex many clients. `import select` and `import selectors` both
 * become `@pysocket/socket/selectors`.
 *
 * Readiness is real and loss-free: a socket is readable when `recv`,
 * `recvfrom` or `accept` would return at once (buffered bytes, end of
 * stream, an error to report, a pending connection). To find out, select
 * starts the socket's own read-ahead, the same pending read that the next
 * `recv` consumes, so a `select()` that times out loses and duplicates
 * nothing. Sockets in other states are reported as Linux reports them to
 * CPython: a stream socket that is neither connected, connecting nor
 * listening (new, bound, or after a failed connect) is readable and
 * writable; a listener is never writable; a connect in flight is neither.
 *
 * Every select gives the event loop a turn, even when something is ready at
 * once or the timeout is 0, so a select loop sees what CPython's sees on the
 * same traffic. A selector keeps a ready set as epoll does: a watch is armed
 * only when an object is found not ready, its completion puts the object
 * back, and `select()` looks at that set only (level-triggered: a ready
 * object stays in it and is checked again on the next call).
 *
 * Porting: `select()` and `sel.select()` are awaited, and so are callbacks
 * kept in a key's `data` (make them `async`). Sockets may be given as
 * objects or by number (`s.fileno()`, or any object whose `fileno()` gives a
 * socket's number: a socketserver server, a socket file), as in CPython; a
 * number that names no open pysocket socket raises `OSError` EBADF (Deno has
 * no file descriptors: stdin, pipes and files cannot be watched). A socket
 * closed while registered with a `DefaultSelector` or `epoll` is never
 * reported (as with epoll): `unregister()` it. Plain `select()` wakes on a
 * close. `poll()` and `epoll()` report Linux's events (`POLLHUP`,
 * `POLLERR`, `POLLRDHUP`) as far as pysocket's state tells them.
 *
 * @example Python's selectors echo server (`selectors` documentation), with a client to stop it
 *
 * ```ts
 * import { create_connection, type Socket, socket } from "@pysocket/socket";
 * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
 *
 * type Callback = (sock: Socket, mask: number) => Promise<void>;
 * const sel = new DefaultSelector<Callback>();
 * let open = 0;
 *
 * async function accept(sock: Socket, _mask: number) {
 *   const [conn, addr] = await sock.accept(); // Should be ready
 *   console.log("accepted", conn, "from", addr);
 *   conn.setblocking(false);
 *   sel.register(conn, EVENT_READ, read);
 *   open++;
 * }
 *
 * async function read(conn: Socket, _mask: number) {
 *   const data = await conn.recv(1000); // Should be ready
 *   if (data.length) {
 *     await conn.send(data); // Hope it won't block
 *   } else {
 *     sel.unregister(conn);
 *     conn.close();
 *     open--;
 *   }
 * }
 *
 * using sock = socket();
 * sock.bind(["127.0.0.1", 0]);
 * sock.listen(100);
 * sock.setblocking(false);
 * sel.register(sock, EVENT_READ, accept);
 *
 * // A client, so that the loop has something to do and an end.
 * const client = await create_connection(sock.getsockname() as [string, number]);
 * await client.sendall(new TextEncoder().encode("hello"));
 * let rounds = 0;
 * do {
 *   for (const [key, mask] of await sel.select(1)) {
 *     const callback = key.data!;
 *     await callback(key.fileobj as Socket, mask);
 *   }
 *   if (++rounds === 2) {
 *     console.log(new TextDecoder().decode(await client.recv(1000))); // hello
 *     client.close();
 *   }
 * } while (open > 0 && rounds < 20);
 * sel.close();
 * ```
 *
 * @example A classic select() loop
 *
 * ```ts
 * import { create_connection, create_server } from "@pysocket/socket";
 * import { select } from "@pysocket/socket/selectors";
 * using srv = create_server(["127.0.0.1", 0]);
 * using cli = await create_connection(srv.getsockname() as [string, number]);
 * const [readable] = await select([srv], [], [], 1);
 * console.log(readable[0] === srv); // true: accept() returns at once
 * const [conn] = await srv.accept();
 * conn.close();
 * ```
 * @module
 */

import { held } from "./_alive.ts";
import type { Pollable } from "./_engine.ts";
import { py_type } from "./families/_ip.ts";
import { is_plain_object } from "./_args.ts";
import type { SignalOptions } from "./types.ts";
import { MAX_TIMER_MS, more_turns } from "./_wait.ts";
import { PEER_WAIT_MS } from "./_stream.ts";
import { c_int, fd_object, fd_table, has_pollable, not_callable, quiet_fileno, watched_object } from "./_fdmap.ts";

export { OSError as error } from "./errors.ts";
export type { Pollable } from "./_engine.ts";

/**
 * Anything select() can watch: an object with `fileno()` and pysocket's
 * readiness hook (every pysocket `Socket`, and `SSLSocket`).
 *
 * @category Selectors
 */
export interface Selectable {
  /** The object's number (pysocket's own; -1 once closed). */
  fileno(): number;
  /** pysocket's readiness hook (internal). */
  _pollable(): Pollable;
}

/**
 * What select(), the selectors, `poll()` and `epoll()` accept: a pysocket socket, its number (`fileno()`), or any
 * object whose `fileno()` gives one (a socketserver server, a socket file), as CPython's.
 *
 * @category Selectors
 */
export type FileObj = Selectable | number | { fileno(): number };

/**
 * The event mask bit for "readable" (Python's `selectors.EVENT_READ`).
 *
 * @example
 * ```ts
 * import { EVENT_READ, EVENT_WRITE } from "@pysocket/socket/selectors";
 * console.log(EVENT_READ, EVENT_WRITE, EVENT_READ | EVENT_WRITE); // 1 2 3
 * ```
 *
 * @category Selectors
 */
export const EVENT_READ = 1;

/**
 * The event mask bit for "writable" (Python's `selectors.EVENT_WRITE`).
 *
 * @example
 * ```ts
 * import { EVENT_WRITE } from "@pysocket/socket/selectors";
 * console.log(EVENT_WRITE); // 2
 * ```
 *
 * @category Selectors
 */
export const EVENT_WRITE = 2;

/**
 * Python's `KeyError`, raised by selectors for an object that is not
 * registered, or registered twice. As in Python, its message (`str(e)`) is
 * the repr of its argument: `'3 is not registered'`, quotes included.
 *
 * @example
 * ```ts
 * import { DefaultSelector, KeyError } from "@pysocket/socket/selectors";
 * using sel = new DefaultSelector();
 * try {
 *   sel.get_key(3);
 * } catch (e) {
 *   console.log(e instanceof KeyError, (e as KeyError).message); // true '3 is not registered'
 * }
 * ```
 *
 * @category Selectors
 */
export class KeyError extends Error {
  /**
   * Make a KeyError, as Python's `KeyError(key)`.
   *
   * @param key what was not found (Python's argument), shown as its repr.
   */
  constructor(key?: unknown) {
    super(key === undefined ? "" : repr(key));
  }
  /** "KeyError". */
  override get name(): string {
    return "KeyError";
  }
}

/** The number of an object for select.select(), with `select.select`'s errors. */
function select_fd(fileobj: unknown): number {
  let n: unknown = fileobj;
  if (typeof fileobj !== "number") {
    if (typeof fileobj === "bigint") n = Number(fileobj);
    else {
      const f = (fileobj as { fileno?: unknown } | null)?.fileno;
      if (typeof f !== "function") throw not_callable(f);
      n = f.call(fileobj); // (select() asks quietly: see fd_table)
      if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError("fileno() returned a non-integer");
    }
  } else if (!Number.isInteger(n)) throw new TypeError("argument must be an int, or have a fileno() method.");
  if (c_int(n as number) < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n as number;
}

/** Python's `selectors._fileobj_to_fd`: the number of an object, with the selectors' errors. */
function selector_fd(fileobj: unknown): number {
  let n: unknown;
  if (typeof fileobj === "number" || typeof fileobj === "bigint") n = Number(fileobj);
  else {
    const f = (fileobj as { fileno?: unknown } | null)?.fileno;
    if (typeof f === "function") {
      try {
        n = quiet_fileno(fileobj, f as () => unknown);
      } catch (e) {
        // CPython's _fileobj_to_fd turns fileno()'s AttributeError, TypeError and ValueError into this (A12a-3).
        const name = (e as Error | null)?.name;
        if (name === "TypeError" || name === "RangeError" || name === "AttributeError") {
          throw new RangeError(`Invalid file object: ${repr(fileobj)}`);
        }
        throw e;
      }
    }
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new RangeError(`Invalid file object: ${repr(fileobj)}`);
    }
  }
  if (typeof n !== "number" || !Number.isInteger(n)) throw new RangeError(`Invalid file object: ${repr(fileobj)}`);
  if (n < 0) throw new RangeError(`Invalid file descriptor: ${n}`);
  return c_int(n);
}

/** The readiness hook of an object, or a clear error. */
function pollable_of(fileobj: unknown, op: string): Pollable {
  if (typeof fileobj === "number" || typeof fileobj === "bigint") {
    throw new TypeError(
      `${op}: a bare file descriptor (${fileobj}) cannot be watched: Deno has no OS file descriptors; ` +
        "pass the socket object itself",
    );
  }
  const p = (fileobj as { _pollable?: unknown } | null)?._pollable;
  if (typeof p !== "function") {
    throw new TypeError(
      `${op}: '${py_type(fileobj)}' object cannot be watched: only pysocket sockets can be selected on`,
    );
  }
  return p.call(fileobj) as Pollable;
}

// ---- one event-loop turn ----------------------------------------------------
//
// Every select gives the event loop one turn before it looks, as a select(2)
// call enters the kernel: reads and accepts armed just before (or earlier)
// complete in that turn when their bytes or connections are already there.
// setImmediate costs ~2 µs; setTimeout(0) is clamped to 1-4 ms.

const immediate: (fn: () => void) => unknown = (globalThis as { setImmediate?: (fn: () => void) => unknown })
  .setImmediate ?? ((fn: () => void) => setTimeout(fn, 0));

/**
 * How long (ms) select() lets a read it armed itself find bytes already waiting in the kernel, when something
 * else in its lists is ready at once: Deno learns of them an event-loop hop later, CPython's select() at once.
 */
const SELECT_READ_GRACE_MS = 2;

function turn(): Promise<void> {
  return new Promise<void>((resolve) => void immediate(resolve));
}

// The read graces of select() calls share one timer. A loop that selects a
// socket that is always writable (select([s], [s], [])) takes a grace on
// nearly every call, and a setTimeout set and cleared per call costs 2-3 µs
// on Deno 2.9.6, about a tenth of a round trip on loopback; the shared timer
// fires at most once per grace period and is armed again only for graces
// still running then.
const graces = new Set<Wait>();
let grace_timer: ReturnType<typeof setTimeout> | null = null;

function grace_fire(): void {
  grace_timer = null;
  const now = performance.now();
  let next = Infinity;
  for (const g of graces) {
    if (g.until <= now) g.end(false);
    else if (g.until < next) next = g.until;
  }
  if (next !== Infinity) grace_timer = setTimeout(grace_fire, Math.max(1, Math.ceil(next - now)));
}

/**
 * One wait of a select() call for a Waker: one object (its own wake-up
 * callback) instead of a closure per outcome. A wait that gives up (timer,
 * abort) takes itself back from the Waker: a shared promise would keep every
 * abandoned wait's reaction until the next wake (~1 KB per timed-out select of
 * an idle set).
 */
class Wait {
  /** When a grace wait ends (performance.now() ms). */
  until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #on_abort: (() => void) | undefined = undefined;
  constructor(
    readonly wake: Waker,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (woke: boolean) => void,
    readonly reject: (e: unknown) => void,
  ) {}
  /** Woken (true), or its time is up (false). */
  end(woke: boolean): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    graces.delete(this);
    if (this.#on_abort !== undefined) this.signal!.removeEventListener("abort", this.#on_abort);
    this.wake.delete(this);
    this.resolve(woke);
  }
  /** The Waker fired. */
  woken(): void {
    this.end(true);
  }
  start(ms: number, grace: boolean): void {
    if (grace) {
      this.until = performance.now() + ms;
      graces.add(this);
      grace_timer ??= setTimeout(grace_fire, Math.max(1, Math.ceil(ms)));
    } else if (ms !== Infinity) {
      // setTimeout fires at once past 2**31-1 ms: cap (the caller re-waits).
      this.#timer = setTimeout(() => this.end(false), Math.min(Math.max(Math.ceil(ms), 0), MAX_TIMER_MS));
    }
    const signal = this.signal;
    if (signal !== undefined) {
      this.#on_abort = () => {
        this.reject(signal.reason);
        this.end(false); // takes everything back (the promise is already rejected)
      };
      signal.addEventListener("abort", this.#on_abort, { once: true });
    }
    this.wake.add(this);
  }
}

/**
 * Wait for `wake` until `ms` (Infinity: no timer) passes or `signal` aborts.
 * Resolves true when woken, false on timeout; rejects with the signal's reason.
 * A `grace` wait (a few ms) is timed by the timer the graces share.
 */
function wait_wake(wake: Waker, ms: number, signal: AbortSignal | undefined, grace = false): Promise<boolean> {
  const { promise, resolve, reject } = Promise.withResolvers<boolean>();
  new Wait(wake, signal, resolve, reject).start(ms, grace);
  // No timer: the call holds the process while it waits (the watches it waits on do not: _alive.ts).
  return ms === Infinity ? held(promise) : promise;
}

/** What a Waker calls. */
interface Woken {
  woken(): void;
}

/** Waits woken together at the next fire(); each may be taken back before. */
class Waker {
  #cbs: Set<Woken> | null = null;
  /** The set of the last fire(), emptied: the next waits go in it (no new Set per wake-up). */
  #spare: Set<Woken> | null = null;
  add(w: Woken): void {
    let cbs = this.#cbs;
    if (cbs === null) {
      cbs = this.#cbs = this.#spare ?? new Set();
      this.#spare = null;
    }
    cbs.add(w);
  }
  delete(w: Woken): void {
    this.#cbs?.delete(w);
  }
  fire(): void {
    const cbs = this.#cbs;
    if (cbs === null) return;
    this.#cbs = null; // waits added meanwhile wait for the next fire()
    for (const w of cbs) w.woken();
    cbs.clear();
    this.#spare = cbs;
  }
}

/** CPython's time values are int64 nanoseconds: a timeout of ±2**63 ns or more is an OverflowError. */
const NS_RANGE = 2 ** 63;

/**
 * The errors of CPython's `EpollSelector.select(timeout)` (Linux's DefaultSelector): it rounds the timeout up to
 * milliseconds (`math.ceil`: ValueError for NaN, OverflowError for infinity), then epoll takes an int of
 * milliseconds (OverflowError past 2**31-1 ms, about 24.8 days) of a time value in int64 nanoseconds. Python's
 * ValueError and OverflowError are RangeErrors here, with CPython's messages.
 */
function check_epoll_timeout(t: number): void {
  if (Number.isNaN(t)) throw new RangeError("cannot convert float NaN to integer");
  if (t <= 0) return; // a poll (-inf included)
  if (t === Infinity) throw new RangeError("cannot convert float infinity to integer");
  const ms = Math.ceil(t * 1e3);
  if (!(ms * 1e6 < NS_RANGE)) throw new RangeError("timestamp out of range for platform time_t");
  if (ms > MAX_TIMER_MS) throw new RangeError("timeout is too large");
}

// ---- select.select(): per-object watches shared by every call ---------------
//
// The lists are given anew on each call, so a call is O(n) in their length,
// but cheap per object: a readiness getter, and a watch armed only when the
// object is not ready and none is armed yet. Any armed watch that completes
// wakes every waiting select() call, which then re-checks its own lists.

/** The watches armed on one object (kept across select() calls). */
class Arm {
  r = false;
  w = false;
  /** The object's class when armed: wrap_socket() turns a socket into an SSLSocket in place (a new pollable). */
  proto: object | null = null;
  /** The read watch was armed on a connected stream or a listener: its completion is an arrival (A18a-4). */
  streamed = false;
  /** The read_fires stamp of the last completion of such a watch. */
  fired = 0;
  constructor(readonly poll: Pollable, readonly obj: object) {}
  /** A datagram socket's arrivals count when its read watch was armed (-1: none). */
  seen = -1;
  readonly on_r = (): void => {
    this.r = false;
    if (this.streamed || (this.seen >= 0 && (this.poll.arrivals ?? -1) !== this.seen)) this.fired = ++read_fires;
    changed();
  };
  readonly on_w = (): void => {
    this.w = false;
    changed();
  };
  arm_r(): void {
    if (this.r) return;
    this.r = true;
    this.streamed = streamed(this.obj);
    const p = this.poll;
    this.seen = p.arrivals ?? -1;
    if (p.watch_readable !== undefined) p.watch_readable(this.on_r);
    else p.wait_readable().then(this.on_r, this.on_r);
  }
  arm_w(): void {
    if (this.w) return;
    this.w = true;
    this.poll.wait_writable().then(this.on_w, this.on_w);
  }
}

const arms = new WeakMap<object, Arm>();

function arm_of(obj: Selectable): Arm {
  let a = arms.get(obj);
  const proto = Object.getPrototypeOf(obj);
  if (a === undefined || a.proto !== proto) {
    // New, or wrapped in TLS since (wrap_socket() makes the same object an SSLSocket): watch its readiness now.
    a = new Arm(pollable_of(obj, "select()"), obj);
    a.proto = proto;
    arms.set(obj, a);
  }
  return a;
}

/**
 * Completions of read watches armed on connected streams (A18a-4): a select() call whose watch completed while it
 * waited reports the object readable even when another task's recv took the bytes before the call looked, as
 * CPython's select() in a thread woken with that recv reports it (the kernel wakes both; Deno runs the recv's
 * continuation first). Stamps, compared with the count a call saw before it waited.
 */
let read_fires = 0;

/**
 * True for a connected stream socket: its read watch completes only when bytes (or EOF) arrive, or its state changes
 * in a way that leaves it readable. A listener's watch also completes on a connection the peer reset before it was
 * taken (Deno drops it): listeners, as datagram sockets, count their arrivals (Pollable.arrivals) instead.
 */
function streamed(obj: unknown): boolean {
  const st = (obj as { _stream?: unknown })._stream;
  return st !== null && st !== undefined;
}

const change = new Waker();
/** Counts changed() calls: a select() that yields a turn between a look and its next wait sees what fired meanwhile. */
let changes = 0;

/** Something that a select() call may be waiting for happened. */
function changed(): void {
  changes++;
  change.fire();
}

/**
 * Options of {@linkcode select}.
 *
 * @category Selectors
 */
export type SelectOptions = SignalOptions;

/**
 * Options of {@linkcode DefaultSelector.select}: Python's `sel.select(timeout=1)` is
 * `sel.select({ timeout: 1 })`.
 *
 * @category Selectors
 */
export type SelectorSelectOptions = SelectOptions & {
  /** Seconds to wait (null: forever; 0 or less: poll). */
  timeout?: number | null;
};

/**
 * Wait until some of the objects are ready, as Python's `select.select`:
 * returns `[readable, writable, exceptional]`, the subsets of the three
 * lists that are ready, in their order. `exceptional` is always empty (Deno
 * reports no out-of-band data).
 *
 * @param rlist objects to watch for reading (`recv`/`accept` would not wait).
 * @param wlist objects to watch for writing (`send` would not wait).
 * @param xlist objects to watch for exceptional conditions (never reported).
 * @param timeout seconds; `null`/omitted waits forever; `0` polls.
 * @param options `{ signal }`: an abort rejects with `signal.reason`.
 * @returns the three ready lists (all empty when the timeout passed).
 * @throws {TypeError} for an object that has no `fileno()`.
 * @throws {OSError} EBADF for a number (or `fileno()`) that names no open pysocket socket, as CPython's.
 * @throws {RangeError} for a closed socket (its `fileno()` is -1), as Python's ValueError.
 *
 * @example
 * ```ts
 * import { socketpair } from "@pysocket/socket";
 * import { select } from "@pysocket/socket/selectors";
 * const [a, b] = await socketpair();
 * console.log((await select([b], [], [], 0))[0].length); // 0
 * await a.sendall(new Uint8Array([1]));
 * const [r, w] = await select([b], [a], [], 1);
 * console.log(r[0] === b, w[0] === a); // true true
 * a.close(); b.close();
 * ```
 *
 * @category Selectors
 */
export async function select<R extends FileObj, W extends FileObj, X extends FileObj>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null | SelectOptions,
  options?: SelectOptions,
): Promise<[R[], W[], X[]]> {
  // CPython's argument checks come first: at least three lists, each a sequence.
  let given = arguments.length;
  while (given > 0 && arguments[given - 1] === undefined) given--;
  if (given < 3) throw new TypeError(`select expected at least 3 arguments, got ${given}`);
  for (const l of [rlist, wlist, xlist]) {
    if (typeof (l as Iterable<unknown> | null)?.[Symbol.iterator] !== "function" || typeof l === "string") {
      throw new TypeError("arguments 1-3 must be sequences");
    }
  }
  if (typeof timeout === "object" && timeout !== null && options === undefined) {
    options = timeout;
    timeout = (options as { timeout?: number | null }).timeout;
  }
  let t: number | null = null;
  if (timeout !== null && timeout !== undefined) {
    if (typeof timeout !== "number" && typeof timeout !== "bigint" && typeof timeout !== "boolean") {
      throw new TypeError("timeout must be a float or None"); // (a bool is a Python int)
    }
    // A Python int (a bigint here) past int64 nanoseconds has its own message; a float (any number) the one below.
    if (typeof timeout === "bigint" && BigInt.asIntN(64, timeout * 1_000_000_000n) !== timeout * 1_000_000_000n) {
      throw new RangeError("timestamp too large to convert to C _PyTime_t");
    }
    t = Number(timeout);
    if (Number.isNaN(t)) throw new RangeError("Invalid value NaN (not a number)");
    // CPython converts the timeout to nanoseconds in an int64 first (OverflowError past ±2**63 ns).
    if (!(Math.abs(t * 1e9) < NS_RANGE)) throw new RangeError("timestamp out of range for platform time_t");
    if (t < 0) throw new RangeError("timeout must be non-negative");
  }
  const signal = check_signal(options?.signal);
  // CPython's seq2set walks each list by index, reading its length again at each step (issue 16230): a list its
  // items' fileno() shrinks gives the items it still holds (C1-2). So an Array is walked as it is, not copied first;
  // the items seen are kept (the lists returned hold what was given, as CPython's).
  const rl: R[] = [], wl: W[] = [];
  const ra: Arm[] = [], wa: Arm[] = [];
  // A number (or an object whose fileno() names a socket, such as a server or a socket file) is watched as that
  // socket. (pysocket's own fileno() calls: a socket given as an object does not enter the number table.)
  fd_table.quiet++;
  try {
    walk_list(rlist, rl, ra);
    walk_list(wlist, wl, wa);
    walk_list(xlist, null, null);
  } finally {
    fd_table.quiet--;
  }
  if (signal?.aborted) throw signal.reason;
  const called = performance.now();
  const end = t === null ? Infinity : called + t * 1000;
  // The reads this call armed itself (none was in flight): see the grace below.
  let mine: Arm[] | null = null;
  // Look (arming a watch on whatever is not ready); with `out`, the ready
  // objects go in it. The lists are built only for the look that returns.
  // `since`: also report an object whose read watch completed after that read_fires count (see read_fires).
  // Not ready, yet a same-process peer has sent it bytes or an EOF already (Pollable.expecting): see the wait below.
  let expected = false;
  const look = (out: [R[], W[], X[]] | null, since = Infinity): boolean => {
    let any = false;
    expected = false;
    for (let i = 0; i < rl.length; i++) {
      const a = ra[i]!;
      if (a.poll.readable || a.fired > since) {
        any = true;
        out?.[0].push(rl[i]!);
      } else {
        if (!a.r) {
          a.arm_r();
          (mine ??= []).push(a);
        }
        if (a.poll.expecting === true) expected = true;
      }
    }
    for (let i = 0; i < wl.length; i++) {
      const a = wa[i]!;
      if (a.poll.writable) {
        any = true;
        out?.[1].push(wl[i]!);
      } else a.arm_w();
    }
    return any;
  };
  const result = (since = Infinity): [R[], W[], X[]] => {
    const out: [R[], W[], X[]] = [[], [], []];
    look(out, since);
    return out;
  };
  // When something is ready at once, or when polling, the event loop still
  // gets its turn and the lists are looked at again: what became ready
  // meanwhile is reported too.
  if (look(null) || t === 0) {
    await turn();
    look(null);
    // A read armed by this call (none was in flight) learns of bytes already waiting in the kernel only an
    // event-loop hop later; CPython's select() reports them at once. Give such reads a bounded grace.
    if (mine !== null) {
      // Counted from the call, not from after the turn: a write just before it is still fresh when that turn was
      // slow (a loaded machine: the grace had passed before the read's completion could arrive).
      const t0 = called, until = performance.now() + SELECT_READ_GRACE_MS;
      let turns = 1;
      while (reading(mine) && (performance.now() < until || more_turns(turns++, t0))) {
        await wait_wake(change, Math.max(1, until - performance.now()), signal, true);
        look(null);
      }
    }
    // A socket whose same-process peer has already sent it bytes or an EOF is readable to CPython's select(): Linux
    // queued them before the peer's call returned. Wait (bounded) for Deno to deliver them (A24).
    const stop = called + PEER_WAIT_MS;
    while (expected && performance.now() < stop) {
      await wait_wake(change, 1, signal, true);
      look(null);
    }
    // What was ready at the call may have gone during that turn (another task took the bytes or the connection, a
    // bound socket began to listen): CPython's select() returns before its timeout only with something ready, so
    // such a call waits on.
    const r = result();
    if (t === 0 || r[0].length > 0 || r[1].length > 0) return r;
  }
  for (;;) {
    const left = end === Infinity ? Infinity : end - performance.now();
    if (left <= 0) return [[], [], []];
    const since = read_fires;
    const woke = await wait_wake(change, left, signal);
    if (!woke && end - performance.now() > 0) continue; // a capped timer
    if (look(null, since) || end - performance.now() <= 0) return result(since);
    // Woken, yet nothing is ready (another task took the bytes, or another socket's watch woke every call): yield
    // a turn. A watch this look found armed may fire during that turn, before the next wait is registered: look
    // again then (A16b-1: such a call waited forever after its socket was closed, or bytes came).
    const seen = changes;
    await turn();
    if (changes !== seen && look(null)) return result();
  }
}

/**
 * select()'s walk of one list (CPython's seq2set): each item's socket looked up (its fileno() asked) in order, an
 * Array's length read again at each step (C1-2); with `seen`, the item and its watch are kept.
 */
function walk_list<T>(l: Iterable<T>, seen: T[] | null, arms: Arm[] | null): void {
  const items = Array.isArray(l) ? l as T[] : [...l];
  for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    // Each item's fileno() is asked once, as CPython's: an object that is not a socket (a server, a socket file, a
    // wrapper) is asked aloud, so the socket behind it enters the number table (watched_object would ask again).
    let n: number;
    if (typeof o !== "object" || o === null || has_pollable(o)) n = select_fd(o);
    else {
      const q = fd_table.quiet;
      fd_table.quiet = 0;
      try {
        n = select_fd(o);
      } finally {
        fd_table.quiet = q;
      }
    }
    const w = watched_object<Selectable>(o, n);
    if (seen !== null) {
      seen.push(o);
      arms!.push(arm_of(w));
    }
  }
}

/** True while one of these reads is still in flight. */
function reading(arms: Arm[]): boolean {
  for (let i = 0; i < arms.length; i++) if (arms[i]!.r) return true;
  return false;
}

function check_signal(signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`select(): signal must be an AbortSignal, not ${py_type(signal)}`);
  }
  return signal;
}

/**
 * A registration, as Python's `selectors.SelectorKey` named tuple.
 *
 * @example
 * ```ts
 * import { socket } from "@pysocket/socket";
 * import { DefaultSelector, EVENT_READ, type SelectorKey } from "@pysocket/socket/selectors";
 * using sel = new DefaultSelector<string>();
 * using s = socket();
 * const key: SelectorKey<string> = sel.register(s, EVENT_READ, "listener");
 * console.log(key.fd === s.fileno(), key.events, key.data); // true 1 "listener"
 * ```
 *
 * @category Selectors
 */
export interface SelectorKey<D = unknown> {
  /** The registered object. */
  readonly fileobj: FileObj;
  /** Its number (`fileno()` at registration). */
  readonly fd: number;
  /** EVENT_READ, EVENT_WRITE, or both. */
  readonly events: number;
  /** The caller's data (Python's `data`, often a callback). */
  readonly data: D | null;
}

function make_key<D>(fileobj: FileObj, fd: number, events: number, data: D | null): SelectorKey<D> {
  return Object.freeze({ fileobj, fd, events, data });
}

/** Python's repr() of what a selector is given. */
function repr(obj: unknown): string {
  if (obj === null || obj === undefined) return "None";
  if (typeof obj === "boolean") return obj ? "True" : "False";
  if (typeof obj === "number" || typeof obj === "bigint") return String(obj);
  if (typeof obj === "string") {
    const q = obj.includes("'") && !obj.includes('"') ? '"' : "'";
    return q + obj.replaceAll("\\", "\\\\").replaceAll(q, `\\${q}`).replaceAll("\n", "\\n") + q;
  }
  const s = String(obj);
  return s === "[object Object]" ? `<${py_type(obj)} object>` : s;
}

/**
 * What {@linkcode DefaultSelector.get_map} returns: a read-only view of the
 * registrations by number, as Python's mapping; `get` and `has` also take
 * the registered object itself (Python's `mapping[fileobj]`).
 *
 * @example
 * ```ts
 * import { socket } from "@pysocket/socket";
 * import { DefaultSelector, EVENT_READ, type SelectorMapping } from "@pysocket/socket/selectors";
 * using sel = new DefaultSelector();
 * using s = socket();
 * sel.register(s, EVENT_READ);
 * const map: SelectorMapping = sel.get_map()!;
 * console.log(map.size, map.has(s), map.get(s.fileno())?.fileobj === s); // 1 true true
 * ```
 *
 * @category Selectors
 */
export interface SelectorMapping<D = unknown> extends ReadonlyMap<number, SelectorKey<D>> {
  /** The key of an object or number, or undefined (Python raises KeyError). */
  get(fileobj: FileObj): SelectorKey<D> | undefined;
  /** True when the object or number is registered (Python's `in`). */
  has(fileobj: FileObj): boolean;
}

/** A read-only view of `map` whose get/has also resolve objects (via `lookup`). */
function mapping_of<D>(map: Map<number, SelectorKey<D>>, lookup: (f: unknown) => number): SelectorMapping<D> {
  const fd = (f: unknown) => {
    if (typeof f === "number") return f;
    try {
      return lookup(f);
    } catch {
      return -1;
    }
  };
  const view: SelectorMapping<D> = {
    get size() {
      return map.size;
    },
    get: (f: FileObj) => map.get(fd(f)),
    has: (f: FileObj) => map.has(fd(f)),
    forEach: (cb, self?) => map.forEach((v, k) => cb.call(self, v, k, view)),
    entries: () => map.entries(),
    keys: () => map.keys(),
    values: () => map.values(),
    [Symbol.iterator]: () => map[Symbol.iterator](),
  };
  return view;
}

// One reaction per pending operation: however many registrations (in any
// number of selectors, made and dropped any number of times) watch the same
// object, its pending read carries a single handler, kept by the object's
// hub; a registration that goes away leaves the hub's set. An idle
// connection that is registered again and again accumulates nothing.

/**
 * The registrations waiting for one watch of an object: most often one (a
 * slot, so that a watch armed and fired per event allocates nothing), else a Set.
 */
class Waiting {
  // Weak: a selector dropped without close() (Python's would be collected) is not kept alive by the
  // watches of the objects it registered until they next become ready. A selector that a select() call
  // waits on is held by `parked` meanwhile: the caller's frame is reachable only through that wake-up.
  one: WeakRef<Reg<unknown>> | null = null;
  more: Set<WeakRef<Reg<unknown>>> | null = null;
  add(reg: Reg<unknown>): void {
    const w = reg.weak;
    if (w === this.one || this.more?.has(w)) return;
    if (this.one === null) this.one = w;
    else {
      const more = this.more ??= new Set();
      // Drop the registrations of selectors collected meanwhile (at each doubling: amortized O(1)).
      if (more.size >= 64 && (more.size & (more.size - 1)) === 0) {
        for (const x of more) if (x.deref() === undefined) more.delete(x);
      }
      more.add(w);
    }
  }
  delete(reg: Reg<unknown>): void {
    if (reg.weak === this.one) this.one = null;
    else this.more?.delete(reg.weak);
  }
  /** The watch completed: every waiting registration goes back to its ready list. */
  fire(): void {
    const one = this.one, more = this.more;
    this.one = null;
    this.more = null;
    one?.deref()?.woken();
    if (more !== null) { for (const w of more) w.deref()?.woken(); }
  }
}

/**
 * The watches armed on one object, shared by every registration of it. It is itself the registrations waiting
 * for its read watch (one object less to reach per wake-up than a Waiting of its own; `ws` waits for writes).
 */
class Hub extends Waiting {
  pr = false;
  pw: Promise<void> | null = null;
  readonly ws: Waiting = new Waiting();
  constructor(readonly poll: Pollable) {
    super();
  }
  /** The read_fires stamp of this watch's last completion (see Reg.streamed). */
  fired = 0;
  /** A datagram socket's arrivals count when the read watch was armed (-1: none), and whether one came since. */
  seen = -1;
  arrived = false;
  readonly on_r = (): void => {
    this.pr = false;
    this.fired = ++read_fires;
    this.arrived = this.seen >= 0 && (this.poll.arrivals ?? -1) !== this.seen;
    this.fire();
  };
  readonly on_w = (): void => {
    this.pw = null;
    this.ws.fire();
  };
  arm_r(reg: Reg<unknown>): void {
    this.add(reg);
    if (this.pr) return;
    this.pr = true;
    reads_armed++;
    const p = this.poll;
    this.seen = p.arrivals ?? -1;
    if (p.watch_readable !== undefined) p.watch_readable(this.on_r);
    else p.wait_readable().then(this.on_r, this.on_r);
  }
  arm_w(reg: Reg<unknown>): void {
    this.ws.add(reg);
    if (this.pw === null) (this.pw = this.poll.wait_writable()).then(this.on_w, this.on_w);
  }
}

const hubs = new WeakMap<Pollable, Hub>();

/**
 * The selectors that select() calls are waiting on: a list through their cores, each holding its selector while
 * its count of waiting calls is above 0 (linked and unlinked in O(1), no hashing per call). A waiting call's frame
 * (and the program's, which awaits it) is reachable only from the wake-up it waits for, and the watches reach a
 * registration only through a WeakRef: without this strong hold, a garbage collection during an untimed select()
 * freed the whole selector and the wake-up was lost (the call, and the program, hung).
 */
let parked: SelectorCore<unknown> | null = null;

/** A select() call starts waiting on `sel`: the first of its calls links its core in. */
function park(sel: object, core: SelectorCore<unknown>): void {
  if (core.parks++ !== 0) return;
  core.held = sel;
  core.prev_parked = null;
  core.next_parked = parked;
  if (parked !== null) parked.prev_parked = core;
  parked = core;
}

/** A select() call stops waiting: the last one unlinks the core (the selector may be collected again). */
function unpark(core: SelectorCore<unknown>): void {
  if (--core.parks !== 0) return;
  const p = core.prev_parked, n = core.next_parked;
  if (p !== null) p.next_parked = n;
  else parked = n;
  if (n !== null) n.prev_parked = p;
  core.prev_parked = core.next_parked = null;
  core.held = null;
}
/** Read watches a Hub has started (DefaultSelector.select() gives those it started itself a short grace). */
let reads_armed = 0;

function hub_of(poll: Pollable): Hub {
  let h = hubs.get(poll);
  if (h === undefined) hubs.set(poll, h = new Hub(poll));
  return h;
}

/** One registration: its key, its object's readiness, and the watches armed on it. */
class Reg<D> {
  r: boolean;
  w: boolean;
  live = true;
  /** In its selector's ready list. */
  queued = false;
  /** Its read watch was last armed on a connected stream or a listener: its completion is an arrival (A18a-4). */
  streamed = false;
  /** The `[key, events]` pairs select() reported for it, by events (1, 2, 3): frozen, kept while its key stays. */
  #p1: [SelectorKey<D>, number] | null = null;
  #p2: [SelectorKey<D>, number] | null = null;
  #p3: [SelectorKey<D>, number] | null = null;
  /** How the watches it waits on refer to it (made once). */
  readonly weak: WeakRef<Reg<unknown>> = new WeakRef(this as Reg<unknown>);
  poll: Pollable;
  /** The object's class when its pollable was taken: wrap_socket() turns a socket into an SSLSocket in place. */
  proto: object | null;
  constructor(
    public key: SelectorKey<D>,
    public hub: Hub,
    readonly owner: SelectorCore<D>,
  ) {
    this.poll = hub.poll;
    this.proto = Object.getPrototypeOf(key.fileobj);
    this.r = (key.events & EVENT_READ) !== 0;
    this.w = (key.events & EVENT_WRITE) !== 0;
  }
  /** Wrapped in TLS since it was registered (same object, new readiness): watch the new pollable. */
  rebind(): void {
    const proto = Object.getPrototypeOf(this.key.fileobj);
    if (proto === this.proto || typeof this.key.fileobj === "number") return;
    this.hub.delete(this as Reg<unknown>);
    this.hub.ws.delete(this as Reg<unknown>);
    this.hub = hub_of(pollable_of(this.key.fileobj, "select()"));
    this.poll = this.hub.poll;
    this.proto = proto;
  }
  /**
   * What select() reports for it with events `m`: a frozen pair (immutable, as Python's tuple), made once per key
   * and events (Object.freeze costs ~25 ns; a new array per ready key per call was the rest of a result's garbage).
   */
  pair(m: number): [SelectorKey<D>, number] {
    const key = this.key;
    let p = m === EVENT_READ ? this.#p1 : m === EVENT_WRITE ? this.#p2 : this.#p3;
    if (p === null || p[0] !== key) {
      p = Object.freeze([key, m]) as [SelectorKey<D>, number];
      if (m === EVENT_READ) this.#p1 = p;
      else if (m === EVENT_WRITE) this.#p2 = p;
      else this.#p3 = p;
    }
    return p;
  }
  /** A watch completed: back in the ready set. */
  woken(): void {
    if (this.live) this.owner.mark(this);
  }
  /** The ready events now; arms a watch on each wanted event that is not ready. */
  scan(): number {
    if (Object.getPrototypeOf(this.key.fileobj) !== this.proto) this.rebind();
    let m = 0;
    if (this.r) {
      if (this.poll.readable) m = EVENT_READ;
      else {
        this.streamed = streamed(this.key.fileobj);
        this.hub.arm_r(this as Reg<unknown>);
      }
    }
    if (this.w) {
      if (this.poll.writable) m |= EVENT_WRITE;
      else this.hub.arm_w(this as Reg<unknown>);
    }
    return m;
  }
  /** Unregistered: leave the hub. */
  drop(): void {
    this.live = false;
    this.hub.delete(this as Reg<unknown>);
    this.hub.ws.delete(this as Reg<unknown>);
  }
}

/** The ready list of a selector and the wake-up of its waiting select() calls. */
class SelectorCore<D> {
  /**
   * Registrations that may be ready, each once (`queued`), in the order they
   * became so: re-checked by the next select (level-triggered). An array, not
   * a Set: a Set's table is reallocated as it grows and shrinks every call.
   * Its first `count` slots are the set (the rest null): the array is never
   * truncated, since `length = 0` drops its backing store and the next batch
   * of wake-ups grew a new one, reallocating as it went.
   */
  readonly ready: (Reg<D> | null)[] = [];
  count = 0;
  /** The select() calls waiting with a timer or a signal (each takes its callback back when it gives up). */
  readonly waiting: Waker = new Waker();
  #wake: ((woke: boolean) => void) | null = null;
  #woken: Promise<boolean> | null = null;
  /** select() calls waiting on this selector, and its place in `parked` meanwhile. */
  parks = 0;
  held: object | null = null;
  prev_parked: SelectorCore<unknown> | null = null;
  next_parked: SelectorCore<unknown> | null = null;
  /** Resolves (true) at the next change; shared by every select() waiting on this selector with no timer nor signal. */
  next(): Promise<boolean> {
    let p = this.#woken;
    if (p === null) {
      const r = Promise.withResolvers<boolean>();
      this.#wake = r.resolve;
      p = this.#woken = r.promise;
    }
    return p;
  }
  /** Wake every waiting select(). */
  wake(): void {
    this.waiting.fire();
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      this.#woken = null;
      w(true);
    }
  }
  mark(reg: Reg<D>): void {
    if (!reg.queued) {
      reg.queued = true;
      const ready = this.ready;
      if (this.count === ready.length) ready.push(reg);
      else ready[this.count] = reg;
      this.count++;
    }
    this.wake();
  }
  remove(reg: Reg<D>): void {
    if (!reg.queued) return;
    reg.queued = false;
    const ready = this.ready, n = this.count;
    let i = 0;
    while (i < n && ready[i] !== reg) i++;
    if (i === n) return;
    for (; i < n - 1; i++) ready[i] = ready[i + 1]!;
    ready[n - 1] = null;
    this.count = n - 1;
  }
  clear(): void {
    const ready = this.ready;
    for (let i = 0; i < this.count; i++) ready[i]!.queued = false;
    ready.length = this.count = 0;
  }
}

/**
 * `events` and `data` given by name, as Python's `register(f, EVENT_READ, data=x)`
 * (the README's rule: keywords in one trailing plain object): `{ data: x }` or
 * `{ events, data }`.
 *
 * @example
 * ```ts
 * import { socket } from "@pysocket/socket";
 * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
 * using sel = new DefaultSelector<string>();
 * using s = socket();
 * console.log(sel.register(s, EVENT_READ, { data: "conn" }).data); // "conn"
 * ```
 *
 * @category Selectors
 */
export interface SelectorKeywords<D> {
  /** EVENT_READ, EVENT_WRITE, or both. */
  events?: number;
  /** What the key carries (Python's `data=`). */
  data?: D | null;
}

/**
 * A trailing plain object whose keys are only register()'s own names (`events`, `data`) is those arguments by name,
 * as the porting rule says (`sel.register(conn, EVENT_READ, { data })` is Python's `data=data`); any other object,
 * a SimpleNamespace-like state such as `{ addr, inb, outb }`, is the data itself. To register an object whose only
 * key is `data` as the data, name it: `{ data: { data: x } }`.
 */
function by_name<D>(op: string, events: unknown, data: unknown): [number, D | null] {
  const names = (v: unknown, allowed: readonly string[]): Record<string, unknown> | null => {
    if (!is_plain_object(v)) return null;
    const ks = Object.keys(v);
    return ks.length > 0 && ks.every((k) => allowed.includes(k)) ? v : null;
  };
  const kw2 = data === null || data === undefined ? names(events, ["events", "data"]) : null;
  if (kw2 !== null) {
    if (kw2.events === undefined) {
      throw new TypeError(`_PollLikeSelector.${op}() missing 1 required positional argument: 'events'`);
    }
    return [kw2.events as number, (kw2.data ?? null) as D | null];
  }
  const kw3 = names(data, ["events", "data"]);
  if (kw3 !== null) {
    if ("events" in kw3) throw new TypeError(`_PollLikeSelector.${op}() got multiple values for argument 'events'`);
    return [events as number, (kw3.data ?? null) as D | null];
  }
  return [events as number, (data ?? null) as D | null];
}

/** A registered object that has been closed (its `fileno()` is -1). */
function is_closed(fileobj: unknown): boolean {
  if (typeof fileobj === "number") return fd_object(fileobj) === undefined; // registered by number
  const f = (fileobj as { fileno?: unknown } | null)?.fileno;
  return typeof f === "function" && quiet_fileno(fileobj, f as () => unknown) === -1;
}

/**
 * Python's `selectors.DefaultSelector`: register sockets with the events to
 * watch, then `await sel.select(timeout)` for the ready ones. Readiness uses
 * each socket's own pending read, so nothing is lost when a select times
 * out. `SelectSelector`, `PollSelector` and `EpollSelector` are the same
 * class.
 *
 * @typeParam D the type of the `data` attached to registrations.
 *
 * @example An echo server, the selectors way
 * ```ts
 * import { create_connection, create_server, type Socket } from "@pysocket/socket";
 * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
 * using srv = create_server(["127.0.0.1", 0]);
 * using sel = new DefaultSelector();
 * sel.register(srv, EVENT_READ);
 * using cli = await create_connection(srv.getsockname() as [string, number]);
 * await cli.sendall(new TextEncoder().encode("hi"));
 * let echoed = 0;
 * while (echoed < 2) {
 *   for (const [key] of await sel.select(1)) {
 *     if (key.fileobj === srv) {
 *       const [conn] = await srv.accept();
 *       sel.register(conn, EVENT_READ);
 *     } else {
 *       const conn = key.fileobj as Socket;
 *       const data = await conn.recv(1024);
 *       await conn.sendall(data);
 *       echoed += data.length;
 *       if (echoed === 2) { sel.unregister(conn); conn.close(); }
 *     }
 *   }
 * }
 * console.log(new TextDecoder().decode(await cli.recv(10))); // "hi"
 * ```
 *
 * @category Selectors
 */
export class DefaultSelector<D = unknown> implements Disposable {
  #map: Map<number, SelectorKey<D>> | null = new Map();
  /** What the last #sweep() found not ready though a same-process peer has sent it something (Pollable.expecting). */
  #expected: Reg<D>[] = [];
  /** True while one of those is still not ready and still expecting. */
  #still_expected(): boolean {
    for (const reg of this.#expected) {
      if (reg.live && !is_closed(reg.key.fileobj) && !reg.poll.readable && reg.poll.expecting === true) return true;
    }
    return false;
  }
  #regs = new Map<number, Reg<D>>();
  #mapping: SelectorMapping<D> = mapping_of(this.#map!, (f) => this.#lookup(f));
  #core = new SelectorCore<D>();

  #open(): Map<number, SelectorKey<D>> {
    if (this.#map === null) throw new RangeError("I/O operation on closed epoll object");
    return this.#map;
  }

  /** Python's `_fileobj_lookup`: the number of an object, or of a registered one. */
  #lookup(fileobj: unknown): number {
    try {
      return selector_fd(fileobj);
    } catch (e) {
      for (const key of this.#map?.values() ?? []) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  /** The registration of an object, or Python's KeyError. */
  #reg(fileobj: unknown): Reg<D> {
    const reg = this.#regs.get(this.#lookup(fileobj));
    if (reg === undefined) throw new KeyError(`${repr(fileobj)} is not registered`);
    return reg;
  }

  /**
   * Start watching an object.
   *
   * @param fileobj a pysocket socket, its number, or an object whose `fileno()` gives one.
   * @param events EVENT_READ, EVENT_WRITE, or both (or `{ events, data }` by name).
   * @param data anything to get back in the key, or `{ data }` by name (Python's `data=…`).
   * @returns the new key.
   * @throws {RangeError} for invalid events, a closed socket or an object
   *   without `fileno()` (Python's ValueError).
   * @throws {KeyError} when the object (or its number) is already registered.
   * @throws {TypeError} for events that are not an integer.
   * @throws {OSError} EBADF for a number that names no open pysocket socket (CPython's epoll_ctl error).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
   * using sel = new DefaultSelector();
   * using s = socket();
   * console.log(sel.register(s, EVENT_READ).events); // 1
   * ```
   */
  register(
    fileobj: FileObj,
    events: number | SelectorKeywords<D>,
    data: D | null | SelectorKeywords<D> = null,
  ): SelectorKey<D> {
    const [ev, d] = by_name<D>("register", events, data);
    return this.#register(fileobj, ev, d);
  }

  #register(fileobj: FileObj, events: number, data: D | null): SelectorKey<D> {
    const map = this.#open();
    if (typeof events !== "number" || !Number.isInteger(events)) {
      throw new TypeError(`unsupported operand type(s) for &: '${py_type(events)}' and 'int'`);
    }
    if (events === 0 || events & ~(EVENT_READ | EVENT_WRITE)) throw new RangeError(`Invalid events: ${events}`);
    const fd = this.#lookup(fileobj);
    if (map.has(fd)) throw new KeyError(`${repr(fileobj)} (FD ${fd}) is already registered`);
    const key = make_key(fileobj, fd, events, data);
    const reg = new Reg(key, hub_of(pollable_of(watched_object(fileobj, fd), "register()")), this.#core);
    map.set(fd, key);
    this.#regs.set(fd, reg);
    this.#core.mark(reg);
    return key;
  }

  /**
   * Stop watching an object (or the registered object with that number).
   *
   * @param fileobj the object, or its number.
   * @returns the key it was registered with.
   * @throws {KeyError} when it is not registered.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * sel.unregister(s);
   * console.log(sel.get_map()?.size); // 0
   * ```
   */
  unregister(fileobj: FileObj): SelectorKey<D> {
    const reg = this.#reg(fileobj);
    reg.drop();
    this.#regs.delete(reg.key.fd);
    this.#map?.delete(reg.key.fd);
    this.#core.remove(reg);
    return reg.key;
  }

  /**
   * Change the events or data of a registration.
   *
   * @param fileobj the object, or its number.
   * @param events the new events (or `{ events, data }` by name).
   * @param data the new data, or `{ data }` by name (Python's `data=…`).
   * @returns the new key.
   * @throws {KeyError} when it is not registered.
   * @throws {TypeError} for events that are not an integer (as CPython's
   *   `EpollSelector`, other values are not checked: 0 watches nothing).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "@pysocket/socket/selectors";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * console.log(sel.modify(s, EVENT_READ | EVENT_WRITE).events); // 3
   * ```
   */
  modify(
    fileobj: FileObj,
    events: number | SelectorKeywords<D>,
    data: D | null | SelectorKeywords<D> = null,
  ): SelectorKey<D> {
    const [ev, d] = by_name<D>("modify", events, data);
    return this.#modify(fileobj, ev, d);
  }

  #modify(fileobj: FileObj, events: number, data: D | null): SelectorKey<D> {
    const reg = this.#reg(fileobj);
    let key = reg.key;
    // As CPython's EpollSelector: the events are not validated (0 watches nothing).
    if (typeof events !== "number" || !Number.isInteger(events)) {
      throw new TypeError(`unsupported operand type(s) for &: '${py_type(events)}' and 'int'`);
    }
    const proto = reg.proto;
    reg.rebind();
    if (events !== key.events || data !== key.data || reg.proto !== proto) {
      key = make_key(key.fileobj, key.fd, events, data);
      reg.key = key;
      reg.r = (events & EVENT_READ) !== 0;
      reg.w = (events & EVENT_WRITE) !== 0;
      this.#map?.set(key.fd, key);
      this.#core.mark(reg);
    }
    return key;
  }

  /**
   * Wait until some registered objects are ready.
   *
   * @param timeout seconds; `null`/omitted waits forever; `0` or less polls.
   * @param options `{ signal }`: an abort rejects with `signal.reason`.
   * @returns `[key, events]` pairs for the ready objects (empty after a timeout); each pair is frozen, as Python's tuple.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
   * const [a, b] = await socketpair();
   * using sel = new DefaultSelector();
   * sel.register(b, EVENT_READ);
   * await a.sendall(new Uint8Array([1]));
   * const [key, mask] = (await sel.select(1))[0]!;
   * console.log(key.fileobj === b, mask); // true 1
   * a.close(); b.close();
   * ```
   */
  async select(
    timeout?: number | null | SelectorSelectOptions,
    options?: SelectOptions,
  ): Promise<[SelectorKey<D>, number][]> {
    if (typeof timeout === "object" && timeout !== null && options === undefined) {
      options = timeout;
      timeout = (options as { timeout?: number | null }).timeout;
    }
    let t: number | null = null;
    if (timeout !== null && timeout !== undefined) {
      if (typeof timeout !== "number" && typeof timeout !== "bigint" && typeof timeout !== "boolean") {
        // (a bool is a Python int)
        throw new TypeError(`'<=' not supported between instances of '${py_type(timeout)}' and 'int'`);
      }
      t = Number(timeout);
      check_epoll_timeout(t);
      if (t < 0) t = 0;
    }
    const signal = check_signal(options?.signal);
    this.#open();
    if (signal?.aborted) throw signal.reason;
    const core = this.#core;
    const called = performance.now();
    const end = t === null ? Infinity : called + t * 1000;
    // Look (arming a watch on whatever is not ready). When something is
    // ready at once, or when polling, the event loop still gets its turn and
    // the set is looked at again: what became ready meanwhile is reported too.
    const armed = reads_armed;
    if (this.#sweep() || t === 0) {
      await turn();
      // A read this sweep armed (none was in flight) learns of bytes already waiting in the kernel only an
      // event-loop hop later; CPython's selector reports them at once: give it a bounded grace.
      if (reads_armed !== armed && this.#map !== null) {
        // Within the grace; when nothing woke it, a few more turns while a same-process write from before the call is
        // fresh or after a stall (a loaded machine: one 2 ms wait missed the socketpair's bytes, gh-110038's test).
        // (Any wake ends the grace, as before: a busy server's next wake comes at once.)
        const fires = read_fires;
        if (!await wait_wake(core.waiting, SELECT_READ_GRACE_MS, signal, true)) {
          for (let turns = 1; read_fires === fires && this.#map !== null && more_turns(turns, called); turns++) {
            if (await wait_wake(core.waiting, 1, signal, true)) break;
          }
        }
      }
      // A socket whose same-process peer has already sent it bytes or an EOF is ready to CPython's selector: wait
      // (bounded) for Deno to deliver them (A24).
      if (this.#expected.length !== 0) {
        const stop = called + PEER_WAIT_MS;
        while (this.#map !== null && performance.now() < stop && this.#still_expected()) {
          await wait_wake(core.waiting, 1, signal, true);
        }
        this.#expected.length = 0;
      }
      if (this.#map === null) return [];
      const now = this.#collect();
      // What was ready at the call may have gone during that turn (another task took it): CPython's select()
      // returns before its timeout only with something ready, so such a call waits on.
      if (now.length > 0 || t === 0) return now;
    }
    let out: [SelectorKey<D>, number][] = [];
    park(this, core as SelectorCore<unknown>);
    try {
      for (;;) {
        const left = end === Infinity ? Infinity : end - performance.now();
        if (left <= 0) return out;
        const since = read_fires;
        if (core.count === 0) {
          // Without a timer or a signal, the shared wake-up is awaited (one hop less; such a wait never gives up).
          const woke = await (left === Infinity && signal === undefined
            ? held(core.next())
            : wait_wake(core.waiting, left, signal));
          if (!woke && end - performance.now() > 0) {
            continue; // a capped timer
          }
        }
        if (this.#map === null) return [];
        out = this.#collect(since);
        if (out.length > 0 || end - performance.now() <= 0) return out;
        // Woken, yet nothing is ready (another task took the bytes): yield a turn.
        await turn();
      }
    } finally {
      unpark(core as SelectorCore<unknown>);
    }
  }

  /** As #collect() without building the result: true when something is ready. */
  #sweep(): boolean {
    const core = this.#core, ready = core.ready, n = core.count;
    let j = 0;
    this.#expected.length = 0;
    for (let i = 0; i < n; i++) {
      const reg = ready[i]!;
      if (!is_closed(reg.key.fileobj) && reg.scan() !== 0) ready[j++] = reg;
      else {
        reg.queued = false;
        if (reg.r && reg.poll.expecting === true) this.#expected.push(reg);
      }
    }
    for (let i = j; i < n; i++) ready[i] = null;
    core.count = j;
    return j > 0;
  }

  /** The ready registrations; those that are not ready leave the set, a watch armed. */
  #collect(since = Infinity): [SelectorKey<D>, number][] {
    const core = this.#core, ready = core.ready, n = core.count;
    // Sized once (a push per key grew it 17 -> 41 -> 77 ... slots, a copy each time), trimmed below.
    const out: [SelectorKey<D>, number][] = n > 16 ? new Array(n) : [];
    let j = 0, k = 0;
    for (let i = 0; i < n; i++) {
      const reg = ready[i]!;
      // Linux's epoll forgets a descriptor once it is closed, so CPython's
      // selector never reports an object closed while registered (it stays
      // in the map until unregistered): leave it out, with no watch armed.
      let m: number;
      if (is_closed(reg.key.fileobj)) m = 0;
      else {
        // Its read watch completed during this call's wait (bytes came) and another task took them first (A18a-4).
        const fired = (reg.streamed || reg.hub.arrived) && reg.hub.fired > since;
        m = reg.scan();
        if (m === 0 && fired && reg.r) m = EVENT_READ;
      }
      if (m === 0) reg.queued = false;
      else {
        ready[j++] = reg;
        out[k++] = reg.pair(m);
      }
    }
    for (let i = j; i < n; i++) ready[i] = null;
    core.count = j;
    if (out.length !== k) out.length = k;
    return out;
  }

  /**
   * The key of a registered object.
   *
   * @param fileobj the object, or its number.
   * @returns its key.
   * @throws {KeyError} when it is not registered.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_WRITE } from "@pysocket/socket/selectors";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_WRITE, "w");
   * console.log(sel.get_key(s.fileno()).data); // "w"
   * ```
   */
  get_key(fileobj: FileObj): SelectorKey<D> {
    if (this.#map === null) throw Object.assign(new Error("Selector is closed"), { name: "RuntimeError" }); // CPython's
    const key = this.#map.get(this.#lookup(fileobj));
    if (!key) throw new KeyError(`${repr(fileobj)} is not registered`);
    return key;
  }

  /**
   * The registrations, by number (Python's mapping of fd to key); `null`
   * once the selector is closed.
   *
   * @returns a read-only map.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * import { DefaultSelector, EVENT_READ } from "@pysocket/socket/selectors";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * console.log(sel.get_map()?.get(s.fileno())?.fileobj === s); // true
   * ```
   */
  get_map(): SelectorMapping<D> | null {
    return this.#map === null ? null : this.#mapping;
  }

  /**
   * Forget every registration (the sockets stay open, as in Python).
   *
   * @example
   * ```ts
   * import { DefaultSelector } from "@pysocket/socket/selectors";
   * const sel = new DefaultSelector();
   * sel.close();
   * console.log(sel.get_map()); // null
   * ```
   */
  close(): void {
    for (const reg of this.#regs.values()) reg.drop();
    this.#regs.clear();
    this.#core.clear();
    // The mapping get_map() gave stays a view of this selector: empty once closed, as CPython's (C1-1).
    this.#map?.clear();
    this.#map = null;
    this.#core.wake();
  }

  /** Close on `using` scope exit. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Python's `selectors.SelectSelector`: the same class as {@linkcode DefaultSelector}.
 *
 * @example
 * ```ts
 * import { DefaultSelector, SelectSelector } from "@pysocket/socket/selectors";
 * console.log(SelectSelector === DefaultSelector); // true
 * ```
 *
 * @category Selectors
 */
export const SelectSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.PollSelector`: the same class as {@linkcode DefaultSelector}.
 *
 * @example
 * ```ts
 * import { DefaultSelector, PollSelector } from "@pysocket/socket/selectors";
 * console.log(PollSelector === DefaultSelector); // true
 * ```
 *
 * @category Selectors
 */
export const PollSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.EpollSelector`: the same class as {@linkcode DefaultSelector}.
 *
 * @example
 * ```ts
 * import { DefaultSelector, EpollSelector } from "@pysocket/socket/selectors";
 * console.log(EpollSelector === DefaultSelector); // true
 * ```
 *
 * @category Selectors
 */
export const EpollSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.BaseSelector`: the class every selector here is.
 *
 * @example
 * ```ts
 * import { BaseSelector, DefaultSelector } from "@pysocket/socket/selectors";
 * console.log(new DefaultSelector() instanceof BaseSelector); // true
 * ```
 *
 * @category Selectors
 */
export const BaseSelector: typeof DefaultSelector = DefaultSelector;

export {
  Poll,
  poll,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLMSG,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDBAND,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRBAND,
  POLLWRNORM,
} from "./_poll.ts";

export {
  Epoll,
  epoll,
  EPOLL_CLOEXEC,
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLMSG,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDBAND,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
} from "./_epoll.ts";
