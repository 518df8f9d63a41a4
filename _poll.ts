// Python's select.poll() on pysocket's readiness (select()): registration by socket or number, results by the
// number, POLLNVAL for a closed or unknown one (as Linux reports a closed descriptor), timeouts in milliseconds.
// Found missing by port8 (P8-3: Foundations' srv_legacy1.py). The events are Linux's, as far as pysocket's state
// tells them (events_of): POLLHUP, POLLERR and POLLRDHUP beside POLLIN/POLLOUT (rdy9). _epoll.ts shares the wait.

import { errno, FileNotFoundError } from "./errors.ts";
import { type FileObj, KeyError, select, type Selectable, type SelectOptions } from "./selectors.ts";
import { c_int, fd_object, has_pollable, not_callable, quiet_fileno } from "./_fdmap.ts";
import { AF_UNIX, SOCK_DGRAM } from "./constants.ts";
import type { StreamReader, StreamWriter } from "./_stream.ts";

/**
 * Readable (Python's `select.POLLIN`).
 *
 * @example
 * ```ts
 * import { POLLIN } from "@pysocket/socket/selectors";
 * console.log(POLLIN); // 1
 * ```
 *
 * @category Selectors
 */
export const POLLIN = 1;
/**
 * Urgent data (never reported: Deno has no out-of-band data).
 *
 * @example
 * ```ts
 * import { POLLPRI } from "@pysocket/socket/selectors";
 * console.log(POLLPRI); // 2
 * ```
 *
 * @category Selectors
 */
export const POLLPRI = 2;
/**
 * Writable (Python's `select.POLLOUT`).
 *
 * @example
 * ```ts
 * import { POLLOUT } from "@pysocket/socket/selectors";
 * console.log(POLLOUT); // 4
 * ```
 *
 * @category Selectors
 */
export const POLLOUT = 4;
/**
 * An error is pending: a connection reset that no `recv` has raised yet (always reported, asked for or not).
 *
 * @example
 * ```ts
 * import { POLLERR } from "@pysocket/socket/selectors";
 * console.log(POLLERR); // 8
 * ```
 *
 * @category Selectors
 */
export const POLLERR = 8;
/**
 * Hung up: both halves shut (the peer's EOF and our `SHUT_WR`, a reset, an `AF_UNIX` peer closed, a stream socket
 * never connected); always reported, asked for or not.
 *
 * @example
 * ```ts
 * import { POLLHUP } from "@pysocket/socket/selectors";
 * console.log(POLLHUP); // 16
 * ```
 *
 * @category Selectors
 */
export const POLLHUP = 16;
/**
 * The registered socket is closed, or the number names no open socket (Python's `select.POLLNVAL`).
 *
 * @example
 * ```ts
 * import { POLLNVAL } from "@pysocket/socket/selectors";
 * console.log(POLLNVAL); // 32
 * ```
 *
 * @category Selectors
 */
export const POLLNVAL = 32;
/**
 * Normal data readable (reported with POLLIN when asked for).
 *
 * @example
 * ```ts
 * import { POLLRDNORM } from "@pysocket/socket/selectors";
 * console.log(POLLRDNORM); // 64
 * ```
 *
 * @category Selectors
 */
export const POLLRDNORM = 64;
/**
 * Priority band readable (never reported).
 *
 * @example
 * ```ts
 * import { POLLRDBAND } from "@pysocket/socket/selectors";
 * console.log(POLLRDBAND); // 128
 * ```
 *
 * @category Selectors
 */
export const POLLRDBAND = 128;
/**
 * Normal data writable (reported with POLLOUT when asked for).
 *
 * @example
 * ```ts
 * import { POLLWRNORM } from "@pysocket/socket/selectors";
 * console.log(POLLWRNORM); // 256
 * ```
 *
 * @category Selectors
 */
export const POLLWRNORM = 256;
/**
 * Priority band writable (reported with POLLOUT for `AF_UNIX` and datagram sockets, as Linux).
 *
 * @example
 * ```ts
 * import { POLLWRBAND } from "@pysocket/socket/selectors";
 * console.log(POLLWRBAND); // 512
 * ```
 *
 * @category Selectors
 */
export const POLLWRBAND = 512;
/**
 * Linux's POLLMSG (never reported).
 *
 * @example
 * ```ts
 * import { POLLMSG } from "@pysocket/socket/selectors";
 * console.log(POLLMSG); // 1024
 * ```
 *
 * @category Selectors
 */
export const POLLMSG = 1024;
/**
 * The reading half is shut: the peer's EOF (seen by a read) or our `SHUT_RD`; reported when asked for.
 *
 * @example
 * ```ts
 * import { POLLRDHUP } from "@pysocket/socket/selectors";
 * console.log(POLLRDHUP); // 8192
 * ```
 *
 * @category Selectors
 */
export const POLLRDHUP = 0x2000;

const IN_BITS = POLLIN | POLLRDNORM;
const OUT_BITS = POLLOUT | POLLWRNORM;
/** What every registration reports, asked for or not (Linux adds POLLERR and POLLHUP to every mask). */
export const ALWAYS = POLLERR | POLLHUP;

/** What events_of() reads of a socket (public-by-convention members of Socket and SSLSocket). */
interface Inner {
  readonly family?: number;
  readonly type?: number;
  readonly _stream?: {
    readonly reader: StreamReader;
    readonly writer: StreamWriter;
    readonly transport: { readonly raw_failed?: boolean };
  } | null;
}

/**
 * The events Linux's poll(2) would report for a socket now (every bit, before the caller's mask), as far as
 * pysocket's state tells them. A stream's reader knows the peer's EOF and a reset once a read has seen it (a
 * watch arms that read); the writer knows our own SHUT_WR. Checked against CPython by tests/rdy9_poll_test.ts.
 */
export function events_of(sock: Selectable): number {
  if (closed(sock)) return POLLNVAL;
  const p = sock._pollable();
  const s = sock as unknown as Inner;
  const wr = s.family === AF_UNIX || ((s.type ?? 0) & 0xf) === SOCK_DGRAM ? OUT_BITS | POLLWRBAND : OUT_BITS;
  let ev = (p.readable ? IN_BITS : 0) | (p.writable ? wr : 0);
  const st = s._stream;
  if (st !== null && st !== undefined) {
    const r = st.reader, w = st.writer;
    // Linux's RCV_SHUTDOWN: the peer's FIN (or an AF_UNIX peer's close/SHUT_WR), our SHUT_RD, or a reset.
    if (r.ended) ev |= IN_BITS | POLLRDHUP;
    if (r.failed || w.broken) {
      // A reset: the kernel's socket is closed (both halves shut), the error pending until a recv raises it.
      ev |= IN_BITS | POLLRDHUP | POLLHUP | wr;
      if (r.error_pending || w.error_pending) ev |= POLLERR;
    }
    // An SSLSocket whose connection was reset under the session: its plaintext stream reads as an EOF (as CPython's
    // TLS reads it) but the socket is Linux's reset one (A29-2). POLLERR stays after the read that would consume it
    // in CPython (pysocket's read ahead met it first, and cannot tell the program's read apart).
    if (st.transport.raw_failed === true) ev |= IN_BITS | POLLRDHUP | POLLHUP | POLLERR | wr;
    if (r.ended && w.shut) ev |= POLLHUP;
    // An AF_UNIX peer that closed shuts both our halves (its SHUT_WR only ours to read: pysocket cannot tell them
    // apart, and reports the close, the common case).
    if (r.ended && !r.shut_rd && s.family === AF_UNIX) ev |= POLLHUP;
    return ev;
  }
  if (((s.type ?? 0) & 0xf) === SOCK_DGRAM || !has_pollable(sock)) return ev;
  // A stream socket neither connected, connecting nor listening (new, bound, after a failed connect, a listener
  // shut with SHUT_RD) is Linux's TCP_CLOSE: POLLOUT|POLLHUP (select() calls it readable and writable).
  if (p.readable && p.writable) return wr | POLLHUP;
  return ev; // a listener (POLLIN when a connection waits), a connect in flight (nothing)
}

/**
 * A stream whose end (EOF, reset) only a read can tell: a watch for it is armed even when reads are not asked for,
 * so that POLLHUP/POLLERR (reported whatever the mask) come. Not when bytes are buffered already: they are the
 * program's to read, and the read-ahead would otherwise grow without bound.
 */
function needs_read_watch(sock: Selectable): boolean {
  const st = (sock as unknown as Inner)._stream;
  return st !== null && st !== undefined && !sock._pollable().readable;
}

/** One registration of a poll or epoll object. */
export interface Entry {
  /** The number it is registered (and reported) by. */
  readonly n: number;
  /** The socket; null when the number named none (poll reports POLLNVAL). */
  readonly sock: Selectable | null;
  /** The events asked for. */
  mask: number;
}

/**
 * Wait until `judge` finds something to report among `entries`, or `ms` milliseconds pass (negative: forever).
 * Built on select(): the sockets whose events may change are watched there (its event-loop turn and read grace
 * come with it); `judge(e, false)` looks, `judge(e, true)` reports (an edge-triggered registration then forgets).
 * Returns the entries to report, in order, with their events.
 */
export async function wait_entries<E extends Entry>(
  entries: () => E[],
  ms: number,
  options: SelectOptions,
  judge: (e: E, report: boolean) => number,
  gone: () => boolean,
  more_bytes?: (e: E) => boolean,
  woken?: () => Promise<void>,
): Promise<[E, number][]> {
  const end = ms < 0 ? Infinity : performance.now() + ms;
  // Set once a look found something ready that the report then did not have (it went during select()'s turn):
  // the next pass waits for a change, as CPython's poll() returns before its timeout only with something to report.
  let gone_meanwhile: boolean = false;
  for (let first = true;; first = false) {
    const list = entries();
    let now = false;
    const readers: Selectable[] = [];
    const writers: Selectable[] = [];
    let reads: Promise<void>[] | null = null;
    for (const e of list) {
      const sock = e.sock;
      if (judge(e, false) !== 0) now = true;
      if (sock === null || closed(sock)) continue;
      const p = sock._pollable();
      if (!p.readable && (e.mask & (IN_BITS | POLLRDHUP) || needs_read_watch(sock))) readers.push(sock);
      else if (p.readable && more_bytes?.(e)) (reads ??= []).push(p.wait_readable());
      if (!p.writable && e.mask & OUT_BITS) writers.push(sock);
    }
    const left = end === Infinity ? null : Math.max(0, end - performance.now());
    // Something ready, or a poll: one look (with select()'s turn), then report what is ready then.
    const at_once: boolean = (now && !gone_meanwhile) || left === 0;
    const seconds = at_once ? 0 : left === null ? null : left / 1000;
    // A change of the registrations ends a wait (A12a-2: a register/modify meanwhile went unseen until it ended).
    if (woken !== undefined && !at_once) (reads ??= []).push(woken());
    // The readers select() reported: one whose bytes another task took before this look was woken by them (A18a-4).
    const seen = reads === null
      ? (await select(readers, writers, [], seconds, options))[0]
      : await select_or(readers, writers, seconds, options, reads);
    if (gone()) return [];
    const out: [E, number][] = [];
    for (const e of entries()) {
      let ev = judge(e, true);
      if (ev === 0 && seen.length !== 0 && e.sock !== null && e.mask & POLLIN && !(e.mask & ONESHOT)) {
        if (seen.includes(e.sock) && !closed(e.sock)) ev = POLLIN;
      }
      if (ev !== 0) out.push([e, ev]);
    }
    if (out.length > 0 || left === 0 || (end !== Infinity && performance.now() >= end)) return out;
    gone_meanwhile = at_once;
    if (!first) await Promise.resolve(); // (a woken look that found nothing to report: look again)
  }
}

/** epoll's EPOLLONESHOT (a registration it disables once reported: its judge() does that, so it is left to it). */
const ONESHOT = 1 << 30;

/** What ends a select() early when one of the extra reads completes. */
const WOKEN = Symbol("read completed");

/** select() that also ends when one of `reads` (read-aheads select() does not watch) completes. */
async function select_or(
  readers: Selectable[],
  writers: Selectable[],
  seconds: number | null,
  options: SelectOptions,
  reads: Promise<void>[],
): Promise<Selectable[]> {
  const ac = new AbortController();
  const signal = options.signal === undefined ? ac.signal : AbortSignal.any([options.signal, ac.signal]);
  void Promise.race(reads).then(() => ac.abort(WOKEN));
  try {
    return (await select(readers, writers, [], seconds, { signal }))[0];
  } catch (e) {
    if (e !== WOKEN) throw e;
    return [];
  } finally {
    ac.abort(WOKEN); // (the race's reaction stays on the reads until they complete: one closure each)
  }
}

/**
 * An edge-triggered EPOLLIN registration whose bytes are not all read: Linux reports it again when more arrive,
 * so a read-ahead watches for them (up to READ_AHEAD_MAX buffered, about a kernel receive buffer).
 */
export function watch_more_bytes(sock: Selectable): boolean {
  const st = (sock as unknown as Inner)._stream;
  return st !== null && st !== undefined && !st.reader.ended && st.reader.buffered < READ_AHEAD_MAX;
}

/** The most bytes an edge-triggered registration reads ahead of the program. */
const READ_AHEAD_MAX = 256 * 1024;

/** A socket that has been closed (its fileno() is -1), asked quietly. */
export function closed(sock: Selectable): boolean {
  return quiet_fileno(sock, sock.fileno) === -1;
}

function fd_of(fd: FileObj): number {
  if (typeof fd === "number") {
    if (!Number.isInteger(fd)) throw new TypeError("argument must be an int, or have a fileno() method.");
    return c_int(fd);
  }
  const f = (fd as { fileno?: unknown } | null)?.fileno;
  if (typeof f !== "function") throw not_callable(f);
  const n = quiet_fileno(fd, f as () => unknown);
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError("fileno() returned a non-integer");
  return c_int(n);
}

/** The number of what a poll/epoll call was given (CPython's PyObject_AsFileDescriptor), not negative. */
export function number_of(fd: FileObj): number {
  const n = fd_of(fd);
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n;
}

/** The open socket a registration watches: the object itself, else the one its number names; null if none. */
export function socket_of(fd: FileObj, n: number): Selectable | null {
  if (has_pollable(fd)) return closed(fd as Selectable) ? null : fd as Selectable;
  const obj = fd_object(n);
  return obj !== undefined && has_pollable(obj) ? obj as Selectable : null;
}

/**
 * CPython 3.11's poll() timeout: milliseconds, a float rounded away from zero (0.4 waits 1 ms, -0.5 forever),
 * negative or null forever; NaN, out-of-range values and non-numbers raise CPython's errors (A10b-10).
 */
function timeout_ms(timeout: unknown): number {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout === "boolean") return Number(timeout);
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  if (Number.isNaN(timeout)) throw new RangeError("Invalid value NaN (not a number)");
  let ms: number;
  if (Number.isInteger(timeout)) {
    // An int: converted to nanoseconds in an int64 first.
    if (timeout > 9223372036854 || timeout < -9223372036854) {
      throw new RangeError("timestamp too large to convert to C _PyTime_t");
    }
    ms = timeout;
  } else {
    if (!Number.isFinite(timeout) || Math.abs(timeout * 1e6) >= 9223372036854775807) {
      throw new RangeError("timestamp out of range for platform time_t");
    }
    ms = timeout > 0 ? Math.ceil(timeout) : Math.floor(timeout);
  }
  if (ms > 2147483647 || ms < -2147483648) throw new RangeError("timeout is too large");
  return ms;
}

function mask_of(eventmask: number): number {
  if (typeof eventmask !== "number" || !Number.isInteger(eventmask)) throw new TypeError("an integer is required");
  // CPython: ValueError "value must be positive" and OverflowError (both RangeError here).
  if (eventmask < 0) throw new RangeError("value must be positive");
  if (eventmask > 0xffff) throw new RangeError("Python int too large for C unsigned short");
  return eventmask;
}

/** A poll registration. */
interface PollEntry extends Entry {
  mask: number;
}

/**
 * A poll object, as Python's `select.poll()` makes: `register`, `modify`, `unregister` and `poll`. Sockets are
 * registered as objects or by number (`s.fileno()`, or any object whose `fileno()` gives a socket's number);
 * `poll()` reports them by number, so a program's `sockets[fd]` table works as in Python. The events are Linux's,
 * as far as pysocket's state tells them: `POLLIN`/`POLLOUT` (and `POLLRDNORM`/`POLLWRNORM` when asked), `POLLRDHUP`
 * when asked and the reading half is shut, and, asked or not, `POLLHUP` (both halves shut, a reset, an `AF_UNIX`
 * peer gone, a stream socket never connected), `POLLERR` (a reset no `recv` has raised yet) and `POLLNVAL` (a
 * closed socket, or a number that names none). An end of stream or a reset is known once a read has seen it
 * (poll() arms that read); `POLLPRI` is never reported (no urgent data).
 *
 * @example
 * ```ts
 * import { socketpair } from "@pysocket/socket";
 * import { poll, POLLIN, POLLOUT } from "@pysocket/socket/selectors";
 * const [a, b] = await socketpair();
 * const p = poll();
 * p.register(b, POLLIN);
 * console.log(await p.poll(0)); // []
 * await a.sendall(new Uint8Array([1]));
 * console.log((await p.poll(1000))[0]![1] === POLLIN); // true
 * p.modify(b.fileno(), POLLIN | POLLOUT);
 * a.close(); b.close();
 * ```
 *
 * @category Selectors
 */
export class Poll {
  /** Registrations by number, in registration order. */
  private fds = new Map<number, PollEntry>();

  /**
   * Use {@linkcode poll}: as CPython's `type(select.poll())()`, constructing the type directly raises
   * `TypeError: cannot create 'select.poll' instances` (C1-3).
   * @param token module-private.
   */
  constructor(token?: unknown) {
    if (token !== POLL_TOKEN) throw new TypeError("cannot create 'select.poll' instances");
  }

  /**
   * Watch a socket for the events in `eventmask` (default `POLLIN | POLLPRI | POLLOUT`); registering it again
   * changes its mask.
   *
   * @param fd the socket, its number (`fileno()`), or an object whose `fileno()` gives one. A number that names
   *   no open socket is reported with `POLLNVAL`, as Linux reports a closed descriptor.
   * @param eventmask the events to report.
   */
  register(fd: FileObj, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    const mask = mask_of(eventmask);
    const n = number_of(fd);
    const known = this.fds.get(n);
    if (known !== undefined) {
      known.mask = mask;
      return;
    }
    this.fds.set(n, { n, sock: socket_of(fd, n), mask });
  }

  /**
   * Change the events watched for a registered socket.
   *
   * @param fd the socket or its number.
   * @param eventmask the events to report.
   * @throws {FileNotFoundError} `[Errno 2]` when it is not registered, as CPython.
   */
  modify(fd: FileObj, eventmask: number): void {
    const known = this.fds.get(fd_of(fd));
    if (!known) throw new FileNotFoundError(errno.ENOENT);
    known.mask = mask_of(eventmask);
  }

  /**
   * Stop watching a socket.
   *
   * @param fd the socket or its number.
   * @throws {KeyError} when it is not registered, as CPython.
   */
  unregister(fd: FileObj): void {
    const n = fd_of(fd);
    if (!this.fds.delete(n)) throw new KeyError(n);
  }

  /**
   * Wait until a registered socket is ready, or `timeout` milliseconds pass (`null`, omitted or negative:
   * forever). Returns `[fd, events]` pairs in registration order; closed sockets give `POLLNVAL` at once.
   *
   * A float is rounded away from zero (0.4 waits 1 ms), as CPython rounds it. The call waits on the sockets
   * registered when it began.
   *
   * @param timeout milliseconds, or null.
   * @param options `{ signal }`.
   * @returns the ready sockets' numbers and events.
   * @throws {TypeError} `timeout must be an integer or None` for a non-number.
   * @throws {RangeError} CPython's ValueError/OverflowError texts for NaN and out-of-range timeouts
   *   (`timeout is too large` beyond 2**31-1 ms).
   * @throws {Error} named `RuntimeError`, `concurrent poll() invocation`, while another poll() on it waits.
   */
  async poll(timeout: number | null = null, options: SelectOptions = {}): Promise<[number, number][]> {
    const ms = timeout_ms(timeout);
    // CPython: one poll() at a time per poll object (A10b-8: a second one ran beside the first).
    if (this.polling) throw Object.assign(new Error("concurrent poll() invocation"), { name: "RuntimeError" });
    this.polling = true;
    try {
      // The registrations as this call found them: a register/modify/unregister while it waits applies to the
      // next poll(), as CPython's poll() waits on the array it built before waiting.
      const snapshot = [...this.fds.values()].map((e) => ({ ...e }));
      const ready = await wait_entries(() => snapshot, ms, options, poll_events, () => false);
      return ready.map(([e, ev]) => [e.n, ev]);
    } finally {
      this.polling = false;
    }
  }

  /** A poll() is waiting (CPython's poll_running). */
  private polling = false;
}

/** What poll(2) reports for a registration: the state's events within its mask, POLLERR/POLLHUP/POLLNVAL always. */
function poll_events(e: Entry): number {
  if (e.sock === null) return POLLNVAL;
  return events_of(e.sock) & (e.mask | ALWAYS | POLLNVAL);
}

/**
 * Python's `select.poll()`: a new {@linkcode Poll} object.
 *
 * @returns a poll object with nothing registered.
 *
 * @example
 * ```ts
 * import { poll } from "@pysocket/socket/selectors";
 * const p = poll();
 * console.log(await p.poll(0)); // []
 * ```
 *
 * @category Selectors
 */
export function poll(): Poll {
  return new Poll(POLL_TOKEN);
}

/** What poll() hands the Poll constructor (C1-3). */
const POLL_TOKEN: unique symbol = Symbol("select.poll");
