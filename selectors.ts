/**
 * Python's `select.select` and `selectors` for pysocket sockets: wait until
 * sockets are readable or writable, the classic way ported servers
 * multiplex many clients.
 *
 * Readiness is real and loss-free: a socket is readable when `recv`,
 * `recvfrom` or `accept` would return at once (buffered bytes, end of
 * stream, an error to report, a pending connection). To find out, select
 * starts the socket's own read-ahead, the same pending read that the next
 * `recv` consumes, so a `select()` that times out loses and duplicates
 * nothing.
 *
 * Deno has no file descriptors: pass the socket objects themselves. A bare
 * integer is accepted only where it names an object already registered with
 * the selector (`unregister(fd)`, `get_key(fd)`).
 *
 * @example A classic select() loop
 * ```ts
 * import { create_connection, create_server } from "./mod.ts";
 * import { select } from "./selectors.ts";
 * using srv = create_server(["127.0.0.1", 0]);
 * using cli = await create_connection(srv.getsockname() as [string, number]);
 * const [r] = await select([srv], [], [], 1);
 * console.log(r[0] === srv); // true: accept() returns at once
 * const [conn] = await srv.accept();
 * conn.close();
 * ```
 * @module
 */

import { TimeoutError } from "./errors.ts";
import type { Pollable } from "./_engine.ts";
import { Deadline, signal_promise } from "./_wait.ts";
import { py_type } from "./families/_ip.ts";
import type { SignalOptions } from "./types.ts";

export { OSError as error } from "./errors.ts";
export type { Pollable } from "./_engine.ts";

/**
 * Anything select() can watch: an object with `fileno()` and pysocket's
 * readiness hook (every pysocket `Socket`, and `SSLSocket`).
 */
export interface Selectable {
  /** The object's number (pysocket's own; -1 once closed). */
  fileno(): number;
  /** pysocket's readiness hook (internal). */
  _pollable(): Pollable;
}

/** What a selector accepts: a selectable object, or the number of one that is registered. */
export type FileObj = Selectable | number;

/**
 * The event mask bit for "readable" (Python's `selectors.EVENT_READ`).
 *
 * @example
 * ```ts
 * import { EVENT_READ, EVENT_WRITE } from "./selectors.ts";
 * console.log(EVENT_READ, EVENT_WRITE, EVENT_READ | EVENT_WRITE); // 1 2 3
 * ```
 */
export const EVENT_READ = 1;

/**
 * The event mask bit for "writable" (Python's `selectors.EVENT_WRITE`).
 *
 * @example
 * ```ts
 * import { EVENT_WRITE } from "./selectors.ts";
 * console.log(EVENT_WRITE); // 2
 * ```
 */
export const EVENT_WRITE = 2;

/**
 * Python's `KeyError`, raised by selectors for an object that is not
 * registered, or registered twice.
 *
 * @example
 * ```ts
 * import { DefaultSelector, KeyError } from "./selectors.ts";
 * using sel = new DefaultSelector();
 * try {
 *   sel.get_key(3);
 * } catch (e) {
 *   console.log(e instanceof KeyError); // true
 * }
 * ```
 */
export class KeyError extends Error {
  /** "KeyError". */
  override get name(): string {
    return "KeyError";
  }
}

/** Turn Python's `fileobj` into its number, with Python's errors. */
function fd_of(fileobj: unknown, op: string): number {
  if (typeof fileobj === "number" || typeof fileobj === "bigint") {
    const n = Number(fileobj);
    if (!Number.isInteger(n)) throw new TypeError(`${op}: integer argument expected, got float`);
    if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
    return n;
  }
  const f = (fileobj as { fileno?: unknown } | null)?.fileno;
  if (typeof f !== "function") {
    throw new TypeError(`${op}: argument must be a socket or have a fileno() method, not '${py_type(fileobj)}'`);
  }
  const n = f.call(fileobj);
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError("fileno() returned a non-integer");
  }
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n;
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

/** Validate Python's timeout argument (seconds or None). */
function check_timeout(v: unknown, op: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "number" && typeof v !== "bigint") {
    throw new TypeError(`${op}: timeout must be a float or None, not '${py_type(v)}'`);
  }
  const n = Number(v);
  if (Number.isNaN(n)) throw new RangeError("Invalid value NaN (not a number)");
  return n;
}

// One subscription per pending Deno operation: however many select() calls
// watch the same pending read, the read's promise carries a single handler.
const waiters = new WeakMap<Promise<void>, Set<() => void>>();

function on_settled(p: Promise<void>, fn: () => void): () => void {
  let set = waiters.get(p);
  if (!set) {
    const s = new Set<() => void>();
    set = s;
    waiters.set(p, s);
    const fire = () => {
      waiters.delete(p);
      for (const f of [...s]) f();
      s.clear();
    };
    p.then(fire, fire);
  }
  set.add(fn);
  const s = set;
  return () => void s.delete(fn);
}

/** One watched object: what to check and what to wait for. */
interface Watch {
  poll: Pollable;
  read: boolean;
  write: boolean;
}

/**
 * Wait until one of `watches` is ready or the deadline passes; returns the
 * ready mask of each watch (0 when not ready).
 */
async function wait_ready(
  watches: readonly Watch[],
  timeout: number | null,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  const check = () =>
    watches.map((w) => (w.read && w.poll.readable ? EVENT_READ : 0) | (w.write && w.poll.writable ? EVENT_WRITE : 0));
  if (signal?.aborted) throw signal.reason;
  let ready = check();
  if (ready.some((m) => m !== 0) || timeout === 0) return ready;
  const dl = new Deadline(timeout === null ? null : Math.max(timeout, 0.001), signal);
  let idle_wakes = 0;
  for (;;) {
    const wake = signal_promise();
    const subs: (() => void)[] = [];
    try {
      for (const w of watches) {
        // Only objects that are not ready yet are waited on: wait_readable()
        // starts the socket's read-ahead, which the next recv() consumes.
        if (w.read && !w.poll.readable) subs.push(on_settled(w.poll.wait_readable(), wake.resolve));
        if (w.write && !w.poll.writable) subs.push(on_settled(w.poll.wait_writable(), wake.resolve));
      }
      await dl.wait(wake.promise);
    } catch (e) {
      if (e instanceof TimeoutError) return check();
      throw e;
    } finally {
      for (const u of subs) u();
    }
    ready = check();
    if (ready.some((m) => m !== 0)) return ready;
    // Something changed but nothing is ready (another task took the bytes):
    // wait again; after many such wake-ups, yield to the event loop.
    if (++idle_wakes % 64 === 0) await new Promise((r) => setTimeout(r, 1));
  }
}

/** Options of {@linkcode select}. */
export type SelectOptions = SignalOptions;

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
 * @throws {TypeError} for an object that is not a pysocket socket, or a bare
 *   integer (Deno has no OS file descriptors).
 * @throws {RangeError} for a closed socket (its `fileno()` is -1), as Python's ValueError.
 *
 * @example
 * ```ts
 * import { socketpair } from "./mod.ts";
 * import { select } from "./selectors.ts";
 * const [a, b] = await socketpair();
 * console.log((await select([b], [], [], 0))[0].length); // 0
 * await a.sendall(new Uint8Array([1]));
 * const [r, w] = await select([b], [a], [], 1);
 * console.log(r[0] === b, w[0] === a); // true true
 * a.close(); b.close();
 * ```
 */
export async function select<R extends Selectable, W extends Selectable, X extends Selectable>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null | SelectOptions,
  options?: SelectOptions,
): Promise<[R[], W[], X[]]> {
  if (typeof timeout === "object" && timeout !== null && options === undefined) {
    options = timeout;
    timeout = (options as { timeout?: number | null }).timeout;
  }
  const t = check_timeout(timeout, "select()");
  if (t !== null && t < 0) throw new RangeError("timeout must be non-negative");
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`select(): signal must be an AbortSignal, not ${py_type(signal)}`);
  }
  const lists: [R[], W[], X[]] = [[...rlist], [...wlist], [...xlist]];
  const watches: Watch[] = [];
  const index = new Map<unknown, Watch>();
  (lists as Selectable[][]).forEach((list, i) => {
    for (const obj of list) {
      fd_of(obj, "select()");
      let w = index.get(obj);
      if (!w) {
        w = { poll: pollable_of(obj, "select()"), read: false, write: false };
        index.set(obj, w);
        watches.push(w);
      }
      if (i === 0) w.read = true;
      if (i === 1) w.write = true;
    }
  });
  const masks = await wait_ready(watches, t, signal);
  const ready = new Map(watches.map((w, i) => [w, masks[i]!]));
  const pick = <T>(list: T[], bit: number) => list.filter((o) => (ready.get(index.get(o)!)! & bit) !== 0);
  return [pick(lists[0], EVENT_READ), pick(lists[1], EVENT_WRITE), []];
}

/**
 * A registration, as Python's `selectors.SelectorKey` named tuple.
 *
 * @example
 * ```ts
 * import { socket } from "./mod.ts";
 * import { DefaultSelector, EVENT_READ, type SelectorKey } from "./selectors.ts";
 * using sel = new DefaultSelector<string>();
 * using s = socket();
 * const key: SelectorKey<string> = sel.register(s, EVENT_READ, "listener");
 * console.log(key.fd === s.fileno(), key.events, key.data); // true 1 "listener"
 * ```
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

function repr(obj: unknown): string {
  if (typeof obj === "number") return String(obj);
  const s = String(obj);
  return s === "[object Object]" ? `<${py_type(obj)} object>` : s;
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
 * import { create_connection, create_server, type Socket } from "./mod.ts";
 * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
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
 */
export class DefaultSelector<D = unknown> implements Disposable {
  #map: Map<number, SelectorKey<D>> | null = new Map();
  #polls = new Map<number, Pollable>();

  #open(): Map<number, SelectorKey<D>> {
    if (this.#map === null) throw new RangeError("I/O operation on closed selector");
    return this.#map;
  }

  /** Python's `_fileobj_lookup`: the number of an object, or of a registered one. */
  #lookup(fileobj: unknown): number {
    const map = this.#open();
    try {
      return fd_of(fileobj, "selector");
    } catch (e) {
      for (const key of map.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  /**
   * Start watching an object.
   *
   * @param fileobj a pysocket socket (anything with `fileno()` and `_pollable()`).
   * @param events EVENT_READ, EVENT_WRITE, or both.
   * @param data anything to get back in the key.
   * @returns the new key.
   * @throws {RangeError} for invalid events or a closed socket (Python's ValueError).
   * @throws {KeyError} when the object (or its number) is already registered.
   * @throws {TypeError} for an object that cannot be watched, or a bare integer.
   *
   * @example
   * ```ts
   * import { socket } from "./mod.ts";
   * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
   * using sel = new DefaultSelector();
   * using s = socket();
   * console.log(sel.register(s, EVENT_READ).events); // 1
   * ```
   */
  register(fileobj: FileObj, events: number, data: D | null = null): SelectorKey<D> {
    const map = this.#open();
    if (
      typeof events !== "number" || !Number.isInteger(events) || events <= 0 || events & ~(EVENT_READ | EVENT_WRITE)
    ) {
      throw new RangeError(`Invalid events: ${repr(events)}`);
    }
    const fd = this.#lookup(fileobj);
    if (map.has(fd)) throw new KeyError(`${repr(fileobj)} (FD ${fd}) is already registered`);
    const poll = pollable_of(fileobj, "register()");
    const key = make_key(fileobj, fd, events, data);
    map.set(fd, key);
    this.#polls.set(fd, poll);
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
   * import { socket } from "./mod.ts";
   * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * sel.unregister(s);
   * console.log(sel.get_map()?.size); // 0
   * ```
   */
  unregister(fileobj: FileObj): SelectorKey<D> {
    const map = this.#open();
    const fd = this.#lookup(fileobj);
    const key = map.get(fd);
    if (!key) throw new KeyError(`${repr(fileobj)} is not registered`);
    map.delete(fd);
    this.#polls.delete(fd);
    return key;
  }

  /**
   * Change the events or data of a registration.
   *
   * @param fileobj the object, or its number.
   * @param events the new events.
   * @param data the new data.
   * @returns the new key.
   * @throws {KeyError} when it is not registered.
   * @throws {RangeError} for invalid events.
   *
   * @example
   * ```ts
   * import { socket } from "./mod.ts";
   * import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "./selectors.ts";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * console.log(sel.modify(s, EVENT_READ | EVENT_WRITE).events); // 3
   * ```
   */
  modify(fileobj: FileObj, events: number, data: D | null = null): SelectorKey<D> {
    const map = this.#open();
    const fd = this.#lookup(fileobj);
    const key = map.get(fd);
    if (!key) throw new KeyError(`${repr(fileobj)} is not registered`);
    if (events !== key.events) {
      this.unregister(key.fileobj);
      return this.register(key.fileobj, events, data);
    }
    if (data !== key.data) {
      const k = make_key(key.fileobj, fd, events, data);
      map.set(fd, k);
      return k;
    }
    return key;
  }

  /**
   * Wait until some registered objects are ready.
   *
   * @param timeout seconds; `null`/omitted waits forever; `0` or less polls.
   * @param options `{ signal }`: an abort rejects with `signal.reason`.
   * @returns `[key, events]` pairs for the ready objects (empty after a timeout).
   *
   * @example
   * ```ts
   * import { socketpair } from "./mod.ts";
   * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
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
    timeout?: number | null | SelectOptions,
    options?: SelectOptions,
  ): Promise<[SelectorKey<D>, number][]> {
    if (typeof timeout === "object" && timeout !== null && options === undefined) {
      options = timeout;
      timeout = (options as { timeout?: number | null }).timeout;
    }
    const t = check_timeout(timeout, "select()");
    const map = this.#open();
    const keys = [...map.values()];
    const watches = keys.map((k): Watch => ({
      poll: this.#polls.get(k.fd)!,
      read: (k.events & EVENT_READ) !== 0,
      write: (k.events & EVENT_WRITE) !== 0,
    }));
    const masks = await wait_ready(watches, t === null ? null : Math.max(t, 0), options?.signal);
    const out: [SelectorKey<D>, number][] = [];
    keys.forEach((k, i) => {
      // A key unregistered while select() waited is not reported.
      if (masks[i] && this.#map?.get(k.fd) === k) out.push([k, masks[i]!]);
    });
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
   * import { socket } from "./mod.ts";
   * import { DefaultSelector, EVENT_WRITE } from "./selectors.ts";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_WRITE, "w");
   * console.log(sel.get_key(s.fileno()).data); // "w"
   * ```
   */
  get_key(fileobj: FileObj): SelectorKey<D> {
    const map = this.#open();
    let fd: number;
    try {
      fd = this.#lookup(fileobj);
    } catch {
      fd = -1;
    }
    const key = map.get(fd);
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
   * import { socket } from "./mod.ts";
   * import { DefaultSelector, EVENT_READ } from "./selectors.ts";
   * using sel = new DefaultSelector();
   * using s = socket();
   * sel.register(s, EVENT_READ);
   * console.log(sel.get_map()?.get(s.fileno())?.fileobj === s); // true
   * ```
   */
  get_map(): ReadonlyMap<number, SelectorKey<D>> | null {
    return this.#map;
  }

  /**
   * Forget every registration (the sockets stay open, as in Python).
   *
   * @example
   * ```ts
   * import { DefaultSelector } from "./selectors.ts";
   * const sel = new DefaultSelector();
   * sel.close();
   * console.log(sel.get_map()); // null
   * ```
   */
  close(): void {
    this.#map = null;
    this.#polls.clear();
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
 * import { DefaultSelector, SelectSelector } from "./selectors.ts";
 * console.log(SelectSelector === DefaultSelector); // true
 * ```
 */
export const SelectSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.PollSelector`: the same class as {@linkcode DefaultSelector}.
 *
 * @example
 * ```ts
 * import { DefaultSelector, PollSelector } from "./selectors.ts";
 * console.log(PollSelector === DefaultSelector); // true
 * ```
 */
export const PollSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.EpollSelector`: the same class as {@linkcode DefaultSelector}.
 *
 * @example
 * ```ts
 * import { DefaultSelector, EpollSelector } from "./selectors.ts";
 * console.log(EpollSelector === DefaultSelector); // true
 * ```
 */
export const EpollSelector: typeof DefaultSelector = DefaultSelector;

/**
 * Python's `selectors.BaseSelector`: the class every selector here is.
 *
 * @example
 * ```ts
 * import { BaseSelector, DefaultSelector } from "./selectors.ts";
 * console.log(new DefaultSelector() instanceof BaseSelector); // true
 * ```
 */
export const BaseSelector: typeof DefaultSelector = DefaultSelector;
