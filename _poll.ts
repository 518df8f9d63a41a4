// Python's select.poll() on pysocket's readiness (select()): registration by socket, results by the number
// fileno() gave at registration, POLLNVAL for a registered socket that has been closed (as Linux reports a
// closed descriptor), timeouts in milliseconds. Found missing by port8 (P8-3: Foundations' srv_legacy1.py).

import { errno, FileNotFoundError } from "./errors.ts";
import { KeyError, select, type Selectable, type SelectOptions } from "./selectors.ts";

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
 * An error is pending (never reported: Deno gives no pending socket error).
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
 * Hung up (never reported: an EOF shows as POLLIN, as Linux reports a half-closed peer).
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
 * The registered socket is closed (Python's `select.POLLNVAL`).
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
 * Priority band writable (never reported).
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
 * The peer closed its writing half (never reported).
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

const READ_BITS = POLLIN | POLLRDNORM;
const WRITE_BITS = POLLOUT | POLLWRNORM;

function fd_of(fd: Selectable | number): number {
  if (typeof fd === "number") return fd;
  const f = (fd as { fileno?: unknown } | null)?.fileno;
  if (typeof f !== "function") throw new TypeError("argument must be an int, or have a fileno() method.");
  return f.call(fd) as number;
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

/**
 * A poll object, as Python's `select.poll()` makes: `register`, `modify`, `unregister` and `poll`. Sockets are
 * registered as objects (Deno has no descriptors to register by number); `poll()` reports them by the number
 * their `fileno()` gave when registered, so a program's `sockets[fd]` table works as in Python, and a registered
 * socket that was closed since is reported with `POLLNVAL`, as Linux reports a closed descriptor. `POLLHUP`,
 * `POLLERR` and `POLLPRI` are never reported (an EOF or a reset shows as `POLLIN`; the next `recv` tells which).
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
 * p.modify(b, POLLIN | POLLOUT);
 * a.close(); b.close();
 * ```
 *
 * @category Selectors
 */
export class Poll {
  /** Registered sockets by their number at registration, in registration order. */
  private fds = new Map<number, { sock: Selectable; mask: number }>();

  /**
   * Watch a socket for the events in `eventmask` (default `POLLIN | POLLPRI | POLLOUT`); registering it again
   * changes its mask.
   *
   * @param fd the socket (a number only if it is registered already).
   * @param eventmask the events to report.
   */
  register(fd: Selectable | number, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    const mask = mask_of(eventmask);
    if (typeof fd === "number") {
      const known = this.fds.get(fd);
      if (!known) {
        throw new TypeError(
          `poll.register(): a bare file descriptor (${fd}) cannot be watched: Deno has no OS file descriptors; ` +
            "pass the socket object itself",
        );
      }
      known.mask = mask;
      return;
    }
    const n = fd_of(fd);
    if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
    this.fds.set(n, { sock: fd, mask });
  }

  /**
   * Change the events watched for a registered socket.
   *
   * @param fd the socket or its number.
   * @param eventmask the events to report.
   * @throws {FileNotFoundError} `[Errno 2]` when it is not registered, as CPython.
   */
  modify(fd: Selectable | number, eventmask: number): void {
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
  unregister(fd: Selectable | number): void {
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
      return await this.wait(ms, options);
    } finally {
      this.polling = false;
    }
  }

  /** A poll() is waiting (CPython's poll_running). */
  private polling = false;

  /** One wait: select() over the registrations as they are now, results in registration order. */
  private async wait(ms: number, options: SelectOptions): Promise<[number, number][]> {
    // The registrations as this call found them: a register/modify/unregister while it waits applies to the next
    // poll(), as CPython's poll() waits on the array it built before waiting.
    const snapshot = [...this.fds].map(([n, { sock, mask }]) => ({ n, sock, mask }));
    let closed = false;
    const readers: Selectable[] = [];
    const writers: Selectable[] = [];
    for (const { sock, mask } of snapshot) {
      if (sock.fileno() < 0) closed = true;
      else {
        if (mask & READ_BITS) readers.push(sock);
        if (mask & WRITE_BITS) writers.push(sock);
      }
    }
    // A closed socket is ready at once (POLLNVAL), beside whatever else is ready now, as Linux reports them.
    const seconds = closed ? 0 : ms < 0 ? null : ms / 1000;
    const [rl, wl] = await select(readers, writers, [], seconds, options);
    // Sets: a poll loop over many sockets stays linear (A10b-9: includes() made each poll quadratic).
    const r = new Set(rl);
    const w = new Set(wl);
    const out: [number, number][] = [];
    for (const { n, sock, mask } of snapshot) {
      const events = sock.fileno() < 0
        ? POLLNVAL
        : (r.has(sock) ? mask & READ_BITS : 0) | (w.has(sock) ? mask & WRITE_BITS : 0);
      if (events) out.push([n, events]);
    }
    return out;
  }
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
  return new Poll();
}
