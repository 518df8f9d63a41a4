// Python's select.epoll() on pysocket's readiness: the same events as poll() (_poll.ts's events_of), Linux's
// edge-triggered (EPOLLET) and one-shot (EPOLLONESHOT) rules, epoll_ctl's errors (EEXIST, ENOENT, EBADF, EINVAL)
// and CPython's argument checks. Found missing by rdy9 (Scot Doyle's "How To Use Linux epoll with Python").

import { errno, FileExistsError, FileNotFoundError, OSError } from "./errors.ts";
import type { FileObj, Selectable, SelectOptions } from "./selectors.ts";
// (Linux's numbers written out: _poll.ts and this module import each other through selectors.ts, so neither
// reads the other's constants while loading.)
import {
  ALWAYS,
  closed,
  type Entry,
  events_of,
  number_of,
  socket_of,
  wait_entries,
  watch_more_bytes,
} from "./_poll.ts";

/**
 * Readable (Python's `select.EPOLLIN`).
 *
 * @example
 * ```ts
 * import { EPOLLIN } from "@pysocket/socket/selectors";
 * console.log(EPOLLIN); // 1
 * ```
 *
 * @category Selectors
 */
export const EPOLLIN = 1;
/**
 * Urgent data (never reported: Deno has no out-of-band data).
 *
 * @example
 * ```ts
 * import { EPOLLPRI } from "@pysocket/socket/selectors";
 * console.log(EPOLLPRI); // 2
 * ```
 *
 * @category Selectors
 */
export const EPOLLPRI = 2;
/**
 * Writable (Python's `select.EPOLLOUT`).
 *
 * @example
 * ```ts
 * import { EPOLLOUT } from "@pysocket/socket/selectors";
 * console.log(EPOLLOUT); // 4
 * ```
 *
 * @category Selectors
 */
export const EPOLLOUT = 4;
/**
 * An error is pending (a reset no `recv` has raised yet); always reported.
 *
 * @example
 * ```ts
 * import { EPOLLERR } from "@pysocket/socket/selectors";
 * console.log(EPOLLERR); // 8
 * ```
 *
 * @category Selectors
 */
export const EPOLLERR = 8;
/**
 * Hung up (both halves shut, a reset, an `AF_UNIX` peer gone); always reported.
 *
 * @example
 * ```ts
 * import { EPOLLHUP } from "@pysocket/socket/selectors";
 * console.log(EPOLLHUP); // 16
 * ```
 *
 * @category Selectors
 */
export const EPOLLHUP = 16;
/**
 * Normal data readable.
 *
 * @example
 * ```ts
 * import { EPOLLRDNORM } from "@pysocket/socket/selectors";
 * console.log(EPOLLRDNORM); // 64
 * ```
 *
 * @category Selectors
 */
export const EPOLLRDNORM = 64;
/**
 * Priority band readable (never reported).
 *
 * @example
 * ```ts
 * import { EPOLLRDBAND } from "@pysocket/socket/selectors";
 * console.log(EPOLLRDBAND); // 128
 * ```
 *
 * @category Selectors
 */
export const EPOLLRDBAND = 128;
/**
 * Normal data writable.
 *
 * @example
 * ```ts
 * import { EPOLLWRNORM } from "@pysocket/socket/selectors";
 * console.log(EPOLLWRNORM); // 256
 * ```
 *
 * @category Selectors
 */
export const EPOLLWRNORM = 256;
/**
 * Priority band writable (reported with EPOLLOUT for `AF_UNIX` and datagram sockets, as Linux).
 *
 * @example
 * ```ts
 * import { EPOLLWRBAND } from "@pysocket/socket/selectors";
 * console.log(EPOLLWRBAND); // 512
 * ```
 *
 * @category Selectors
 */
export const EPOLLWRBAND = 512;
/**
 * Linux's EPOLLMSG (never reported).
 *
 * @example
 * ```ts
 * import { EPOLLMSG } from "@pysocket/socket/selectors";
 * console.log(EPOLLMSG); // 1024
 * ```
 *
 * @category Selectors
 */
export const EPOLLMSG = 1024;
/**
 * The reading half is shut (the peer's EOF, or our `SHUT_RD`); reported when asked for.
 *
 * @example
 * ```ts
 * import { EPOLLRDHUP } from "@pysocket/socket/selectors";
 * console.log(EPOLLRDHUP); // 8192
 * ```
 *
 * @category Selectors
 */
export const EPOLLRDHUP = 8192;
/**
 * Wake one waiter only (Linux's EPOLLEXCLUSIVE: accepted at `register`, as Linux checks it; one epoll object
 * here has nothing to share a wake-up with).
 *
 * @example
 * ```ts
 * import { EPOLLEXCLUSIVE } from "@pysocket/socket/selectors";
 * console.log(EPOLLEXCLUSIVE); // 268435456
 * ```
 *
 * @category Selectors
 */
export const EPOLLEXCLUSIVE = 1 << 28;
/**
 * Report once, then nothing until `modify()` arms the registration again.
 *
 * @example
 * ```ts
 * import { EPOLLONESHOT } from "@pysocket/socket/selectors";
 * console.log(EPOLLONESHOT); // 1073741824
 * ```
 *
 * @category Selectors
 */
export const EPOLLONESHOT = 1 << 30;
/**
 * Edge-triggered: report a registration when something new happens (bytes arrive, room appears, a connection
 * waits, the peer hangs up), not while it stays ready.
 *
 * @example
 * ```ts
 * import { EPOLLET } from "@pysocket/socket/selectors";
 * console.log(EPOLLET); // 2147483648
 * ```
 *
 * @category Selectors
 */
export const EPOLLET = 2 ** 31;
/**
 * The flag of `epoll(sizehint, flags)` (always in effect: nothing here is inherited by a child).
 *
 * @example
 * ```ts
 * import { EPOLL_CLOEXEC } from "@pysocket/socket/selectors";
 * console.log(EPOLL_CLOEXEC); // 524288
 * ```
 *
 * @category Selectors
 */
export const EPOLL_CLOEXEC = 0o2000000;

/** Linux's EPOLLEXCLUSIVE_OK_BITS: EPOLLEXCLUSIVE goes only with these. */
const EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLERR |
  EPOLLHUP | EPOLLET | EPOLLEXCLUSIVE | (1 << 29); // (EPOLLWAKEUP)

/** FD_SETSIZE - 1: CPython's maxevents when -1 is given. */
const MAX_EVENTS = 1023;

/** epoll objects' own numbers: counted down from 2**31-1, away from the sockets' (counted up from 3). */
let next_epoll_fd = 2 ** 31 - 1;

/** An epoll registration. */
interface EpollEntry extends Entry {
  mask: number;
  /** EPOLLONESHOT fired: nothing is reported until modify(). */
  disabled: boolean;
  /** EPOLLET: the events seen at the last look (an event that appears anew is an edge). */
  seen: number;
  /** EPOLLET: the stream's bytes received when last reported (more received is an edge for EPOLLIN). */
  rx: number;
}

/** The 'I' conversion of CPython's epoll methods: an int, taken modulo 2**32 (no overflow check). */
function eventmask_of(eventmask: unknown): number {
  if (typeof eventmask === "bigint") return Number(BigInt.asUintN(32, eventmask));
  if (typeof eventmask === "boolean") return Number(eventmask);
  if (typeof eventmask !== "number" || !Number.isInteger(eventmask)) {
    throw new TypeError(
      `'${eventmask === null ? "NoneType" : typeof eventmask === "number" ? "float" : "str"}' ` +
        "object cannot be interpreted as an integer",
    );
  }
  return Number(BigInt.asUintN(32, BigInt(eventmask)));
}

/**
 * CPython 3.11's epoll.poll() timeout: seconds (None or negative: forever), rounded up to milliseconds, with
 * CPython's errors.
 */
function epoll_timeout_ms(timeout: unknown): number {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout === "boolean") return timeout ? 1000 : 0;
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  if (Number.isNaN(timeout)) throw new RangeError("Invalid value NaN (not a number)");
  if (!(Math.abs(timeout * 1e9) < 2 ** 63)) {
    throw new RangeError(
      Number.isInteger(timeout) && Math.abs(timeout) <= Number.MAX_SAFE_INTEGER
        ? "timestamp too large to convert to C _PyTime_t"
        : "timestamp out of range for platform time_t",
    );
  }
  if (timeout < 0) return -1;
  const ms = Math.ceil(timeout * 1000);
  if (ms > 2147483647) throw new RangeError("timeout is too large");
  return ms;
}

/** True for a connected stream socket (plain or TLS). */
function has_stream(sock: Selectable): boolean {
  const st = (sock as unknown as { _stream?: unknown })._stream;
  return st !== null && st !== undefined;
}

/**
 * A stream's arrivals so far: bytes received (taken, buffered, and a TLS session's plaintext decrypted ahead), plus
 * one once the peer's EOF is known. More is an edge for EPOLLIN: Linux wakes an edge-triggered waiter for a FIN as for
 * bytes (A12a-1: a FIN after the program's drain to EAGAIN was never reported, a hang).
 */
function received(sock: Selectable): number {
  const st = (sock as unknown as {
    _stream?: { reader: { received: number; ended: boolean } } | null;
  })._stream;
  if (st === null || st === undefined) return 0;
  const r = st.reader;
  return r.received + (r.ended ? 1 : 0);
}

/**
 * An epoll object, as Python's `select.epoll()` makes: `register`, `modify`, `unregister`, `poll`, `close`,
 * `closed`, `fileno` and `using` (Python's `with`). Sockets are registered as objects or by number
 * (`s.fileno()`, or any object whose `fileno()` gives a socket's number) and reported by number. The events are
 * `poll()`'s (Linux's, as far as pysocket's state tells them): `EPOLLERR` and `EPOLLHUP` whatever the mask.
 * Level-triggered by default; `EPOLLET` reports a registration when something new happens (bytes arrive, room
 * appears after a full send buffer, a connection waits, the peer hangs up), and `EPOLLONESHOT` once until
 * `modify()`. A socket closed while registered leaves it, as Linux's epoll forgets a closed descriptor.
 *
 * @example
 * ```ts
 * import { socketpair } from "@pysocket/socket";
 * import { epoll, EPOLLIN } from "@pysocket/socket/selectors";
 * const [a, b] = await socketpair();
 * using ep = epoll();
 * ep.register(b.fileno(), EPOLLIN);
 * await a.sendall(new Uint8Array([1]));
 * console.log(await ep.poll(1)); // [ [ <b's number>, 1 ] ]
 * a.close(); b.close();
 * ```
 *
 * @category Selectors
 */
export class Epoll implements Disposable {
  /** Registrations by number; a reported level-triggered one moves to the end (Linux's ready-list order). */
  private fds: Map<number, EpollEntry> | null = new Map();
  private readonly fd: number;
  /** Wakes the poll() calls waiting now: a register/modify may make a registration ready (Linux wakes them). */
  private kick: PromiseWithResolvers<void> | null = null;

  /** Wake every waiting poll() to look at the registrations again. */
  #wake(): void {
    const k = this.kick;
    if (k !== null) {
      this.kick = null;
      k.resolve();
    }
  }

  /**
   * Python's `select.epoll(sizehint=-1, flags=0)`.
   *
   * @param sizehint ignored, as Linux ignores it (but 0 and values below -1 raise ValueError).
   * @param flags 0 or `EPOLL_CLOEXEC`.
   */
  constructor(sizehint: number = -1, flags: number = 0) {
    if (typeof sizehint !== "number" || !Number.isInteger(sizehint)) {
      throw new TypeError(
        `'${typeof sizehint === "number" ? "float" : typeof sizehint}' object cannot be ` +
          "interpreted as an integer",
      );
    }
    if (sizehint === 0 || sizehint < -1) throw new RangeError("negative sizehint");
    if (flags !== 0 && flags !== EPOLL_CLOEXEC) throw new OSError("invalid flags");
    this.fd = next_epoll_fd--;
  }

  #open(): Map<number, EpollEntry> {
    if (this.fds === null) throw new RangeError("I/O operation on closed epoll object");
    return this.fds;
  }

  /** True once closed (Python's `closed` attribute). */
  get closed(): boolean {
    return this.fds === null;
  }

  /**
   * The epoll object's number (pysocket's own: it cannot be selected on).
   *
   * @returns the number.
   * @throws {RangeError} `I/O operation on closed epoll object` once closed (Python's ValueError).
   */
  fileno(): number {
    this.#open();
    return this.fd;
  }

  /** Forget every registration (the sockets stay open); a poll() waiting then returns `[]`. Idempotent. */
  close(): void {
    this.fds = null;
    this.#wake();
  }

  /** Close on `using` scope exit (Python's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Watch a socket (epoll_ctl's EPOLL_CTL_ADD).
   *
   * @param fd the socket, its number, or an object whose `fileno()` gives one.
   * @param eventmask the events (default `EPOLLIN | EPOLLPRI | EPOLLOUT`), with `EPOLLET`, `EPOLLONESHOT`,
   *   `EPOLLEXCLUSIVE` as wanted.
   * @throws {FileExistsError} `[Errno 17] File exists` when it is registered already.
   * @throws {OSError} `[Errno 9]` for a number that names no open socket; `[Errno 22]` for `EPOLLEXCLUSIVE`
   *   with bits Linux refuses beside it.
   * @throws {RangeError} for a closed socket (`file descriptor cannot be a negative integer (-1)`).
   */
  register(fd: FileObj, eventmask: number = EPOLLIN | EPOLLPRI | EPOLLOUT): void {
    const fds = this.#open();
    const n = number_of(fd);
    const mask = eventmask_of(eventmask);
    const sock = socket_of(fd, n);
    if (sock === null) throw new OSError(errno.EBADF);
    if (mask & EPOLLEXCLUSIVE && mask & ~EXCLUSIVE_OK) throw new OSError(errno.EINVAL);
    const known = fds.get(n);
    if (known !== undefined && known.sock !== null && !closed(known.sock)) {
      throw new FileExistsError(errno.EEXIST);
    }
    fds.delete(n);
    fds.set(n, { n, sock, mask, disabled: false, seen: 0, rx: -1 });
    this.#wake();
  }

  /**
   * Change the events of a registration (EPOLL_CTL_MOD); it is armed again (`EPOLLONESHOT`, `EPOLLET`).
   *
   * @param fd the socket or its number.
   * @param eventmask the new events.
   * @throws {FileNotFoundError} `[Errno 2]` when it is not registered.
   * @throws {OSError} `[Errno 9]` for a number that names no open socket; `[Errno 22]` with `EPOLLEXCLUSIVE`.
   */
  modify(fd: FileObj, eventmask: number): void {
    const fds = this.#open();
    const n = number_of(fd);
    const mask = eventmask_of(eventmask);
    if (socket_of(fd, n) === null) throw new OSError(errno.EBADF);
    const e = fds.get(n);
    if (e === undefined) throw new FileNotFoundError(errno.ENOENT);
    if (mask & EPOLLEXCLUSIVE || e.mask & EPOLLEXCLUSIVE) throw new OSError(errno.EINVAL);
    e.mask = mask;
    e.disabled = false;
    e.seen = 0;
    e.rx = -1;
    this.#wake();
  }

  /**
   * Stop watching a socket (EPOLL_CTL_DEL).
   *
   * @param fd the socket or its number.
   * @throws {FileNotFoundError} `[Errno 2]` when it is not registered.
   * @throws {OSError} `[Errno 9]` for a number that names no open socket.
   */
  unregister(fd: FileObj): void {
    const fds = this.#open();
    const n = number_of(fd);
    if (socket_of(fd, n) === null) throw new OSError(errno.EBADF);
    if (!fds.delete(n)) throw new FileNotFoundError(errno.ENOENT);
  }

  /**
   * Wait until a registered socket has events to report, or `timeout` seconds pass (`null`, omitted or
   * negative: forever; rounded up to milliseconds, as CPython's).
   *
   * @param timeout seconds, or null.
   * @param maxevents the most pairs to return (-1: 1023, as CPython's FD_SETSIZE - 1).
   * @param options `{ signal }`: an abort rejects with `signal.reason`.
   * @returns `[fd, events]` pairs; `[]` after the timeout, or when the object is closed meanwhile.
   * @throws {RangeError} `maxevents must be greater than 0, got N`; CPython's ValueError/OverflowError texts for
   *   NaN and out-of-range timeouts; `I/O operation on closed epoll object`.
   * @throws {TypeError} `timeout must be an integer or None`.
   */
  async poll(
    timeout: number | null = null,
    maxevents: number = -1,
    options: SelectOptions = {},
  ): Promise<[number, number][]> {
    this.#open();
    const ms = epoll_timeout_ms(timeout);
    if (typeof maxevents !== "number" || !Number.isInteger(maxevents)) {
      throw new TypeError("'float' object cannot be interpreted as an integer");
    }
    let max = maxevents;
    if (max === -1) max = MAX_EVENTS;
    else if (max <= 0) throw new RangeError(`maxevents must be greater than 0, got ${maxevents}`);
    const entries = () => {
      const fds = this.fds;
      if (fds === null) return [];
      const live: EpollEntry[] = [];
      for (const e of fds.values()) {
        // Linux's epoll forgets a descriptor once it is closed.
        if (e.sock === null || closed(e.sock)) fds.delete(e.n);
        else live.push(e);
      }
      return live;
    };
    let left = max;
    const judge = (e: EpollEntry, report: boolean): number => {
      if (report && left === 0) return 0;
      const ev = this.#events(e, report);
      if (ev !== 0 && report) left--;
      return ev;
    };
    // An edge-triggered EPOLLIN registration still ready (bytes the program left): more bytes are an edge.
    const more = (e: EpollEntry) =>
      (e.mask & (EPOLLET | EPOLLIN)) === (EPOLLET | EPOLLIN) && !e.disabled && e.sock !== null &&
      watch_more_bytes(e.sock);
    const woken = () => (this.kick ??= Promise.withResolvers<void>()).promise;
    let ready: [EpollEntry, number][];
    try {
      ready = await wait_entries(entries, ms, options, judge, () => this.fds === null, more, woken);
    } finally {
      // (settled, so that the waits' reactions on it go; another poll() waiting meanwhile just looks again)
      this.#wake();
    }
    const fds = this.fds;
    if (fds === null) return [];
    for (const [e] of ready) {
      // A reported level-triggered registration goes to the end of the ready order, as Linux's.
      if (!(e.mask & (EPOLLET | EPOLLONESHOT)) && fds.get(e.n) === e) {
        fds.delete(e.n);
        fds.set(e.n, e);
      }
    }
    return ready.map(([e, ev]) => [e.n, ev]);
  }

  /** What a registration reports now (`report`: it is being reported, so its edge and one-shot state move on). */
  #events(e: EpollEntry, report: boolean): number {
    if (e.disabled || e.sock === null) return 0;
    const level = events_of(e.sock) & (e.mask | ALWAYS) & 0xffff;
    let ev = level;
    if (e.mask & EPOLLET) {
      // An edge: an event that was not there at an earlier look, or more bytes received since the last report.
      const fresh = level & ~e.seen;
      // A listener or a datagram socket has no count of arrivals: its EPOLLIN is reported while something waits
      // (a program that accepts or receives until EAGAIN, as an edge-triggered one must, sees no difference; one
      // arrival between its EAGAIN and the next poll() is not missed).
      const more = (level & EPOLLIN) !== 0 && (!has_stream(e.sock) || (e.rx >= 0 && received(e.sock) > e.rx));
      ev = fresh || more ? level : 0;
      if (ev !== 0 && report) {
        e.seen = level;
        e.rx = received(e.sock);
      } else e.seen &= level; // what went away since (the program read it all, filled the send buffer)
    }
    if (ev !== 0 && report && e.mask & EPOLLONESHOT) e.disabled = true;
    return ev;
  }
}

/**
 * Python's `select.epoll(sizehint=-1, flags=0)`: a new {@linkcode Epoll} object.
 *
 * @param sizehint ignored (0 or below -1 raise ValueError, as CPython's).
 * @param flags 0 or `EPOLL_CLOEXEC`.
 * @returns an epoll object with nothing registered.
 *
 * @example
 * ```ts
 * import { epoll } from "@pysocket/socket/selectors";
 * using ep = epoll();
 * console.log(await ep.poll(0), ep.closed); // [] false
 * ```
 *
 * @category Selectors
 */
export function epoll(sizehint: number = -1, flags: number = 0): Epoll {
  return new Epoll(sizehint, flags);
}
