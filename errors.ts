/**
 * Python's socket exceptions and the `errno` numbers of Linux.
 *
 * `OSError` carries `errno` and `strerror`, and its message is exactly
 * Python's `str(e)` (`[Errno 111] Connection refused`). What was being done
 * to which address (`connect to ('127.0.0.1', 9)`) rides in `operation`, and
 * Deno shows it when it prints the error (`console.log`, or uncaught).
 *
 * @example Catch a refused connection the Python way
 * ```ts
 * import { ConnectionRefusedError, errno, OSError } from "@pysocket/socket";
 * const e = new OSError(errno.ECONNREFUSED, "Connection refused");
 * console.log(e instanceof OSError, e.errno, e.message);
 * ```
 * @module
 */

import { ERRNO_NUMBERS, type ErrnoName, ERRORCODE, GAI_STRERROR, STRERROR } from "./_errno_table.ts";

export type { ErrnoName };

/**
 * Linux errno numbers by name, as Python's `errno` module has them
 * (`errno.ECONNREFUSED === 111`).
 *
 * @example
 * ```ts
 * import { errno } from "@pysocket/socket";
 * console.log(errno.ECONNREFUSED); // 111
 * ```
 *
 * @category Errors
 */
export const errno: Readonly<Record<ErrnoName, number>> = ERRNO_NUMBERS;

/**
 * errno number to its name, like Python's `errno.errorcode`.
 *
 * @example
 * ```ts
 * import { errorcode } from "@pysocket/socket";
 * console.log(errorcode[111]); // "ECONNREFUSED"
 * ```
 *
 * @category Errors
 */
export const errorcode: Readonly<Record<number, string>> = ERRORCODE;

/**
 * The text Linux's `strerror()` gives for an errno number, like Python's
 * `os.strerror`.
 *
 * @param code An errno number.
 * @returns The message, or `Unknown error N` as glibc says.
 *
 * @example
 * ```ts
 * import { strerror } from "@pysocket/socket";
 * console.log(strerror(111)); // "Connection refused"
 * ```
 *
 * @category Errors
 */
export function strerror(code: number): string {
  return STRERROR[code] ?? `Unknown error ${code}`;
}

/** Options accepted by every exception constructor here. */
export interface ErrorDetail {
  /**
   * Why, for a reason CPython never meets (a Deno flag, permission or
   * limit): appended to the message (`[Errno 95] Operation not supported: ...`).
   */
  detail?: string;
  /**
   * What was being done to which address, e.g. `connect to ('127.0.0.1', 9)`:
   * kept out of the message (which stays Python's `str(e)`), in `operation`.
   */
  operation?: string;
  /** The underlying error, usually Deno's. */
  cause?: unknown;
}

/**
 * The link in an OSError's `cause` chain that names the operation, so that
 * Deno's report of an uncaught error (which prints the `cause` chain but no
 * other property) shows what failed: `Caused by: OperationError: connect to
 * ('127.0.0.1', 9)`, then Deno's own error.
 *
 * @example
 * ```ts
 * import { from_errno, OperationError } from "./errors.ts";
 * const e = from_errno(111, { operation: "connect to ('127.0.0.1', 9)" });
 * console.log(e.cause instanceof OperationError); // true
 * ```
 */
export class OperationError extends Error {
  /** Always `"OperationError"`. */
  override get name(): string {
    return "OperationError";
  }
}

const INSPECT = Symbol.for("Deno.customInspect");

/**
 * Python's `OSError`: the base of every socket error. `errno` is Linux's
 * number, `strerror` its text, and the message reads `[Errno N] strerror`
 * as Python's `str(e)` (plus `: detail` only for a reason CPython never
 * meets); `operation` says what failed on which address.
 *
 * @example
 * ```ts
 * import { OSError } from "@pysocket/socket";
 * const e = new OSError(9, "Bad file descriptor");
 * console.log(e.message); // "[Errno 9] Bad file descriptor"
 * ```
 *
 * @category Errors
 */
export class OSError extends Error {
  /** The errno number (Linux), or `null` when there is none. */
  readonly errno: number | null;
  /** The error text without the `[Errno N]` prefix (`null` without an errno, as in Python). */
  readonly strerror: string | null;
  /** What was being done to which address (`connect to ('127.0.0.1', 9)`), or null. Not in `message`. */
  readonly operation: string | null;

  /**
   * Make an OSError. With no `strerror`, Linux's text for `errno` is used.
   *
   * @param code The errno number, or null.
   * @param text The error text (defaults to Linux's `strerror`).
   * @param options `detail` appended to the message, `operation` kept beside it, and the `cause`.
   */
  constructor(
    code: number | string | null = null,
    text?: string | null,
    options: ErrorDetail = {},
  ) {
    // Python's OSError("text") (one argument that is no errno): the text is the message; errno and strerror None.
    const lone = typeof code === "string" ? code : null;
    const n = lone === null ? code as number | null : null;
    const str = lone ?? text ?? (n === null ? null : strerror(n));
    let message = n === null ? (str ?? "") : `[Errno ${n}] ${str}`;
    if (options.detail) message += `: ${options.detail}`;
    const op = options.operation || null;
    // The operation is a link of the cause chain (Deno prints that chain for an uncaught error).
    const cause = op === null
      ? options.cause
      : new OperationError(op, options.cause === undefined ? undefined : { cause: options.cause });
    super(message, cause === undefined ? undefined : { cause });
    this.errno = n;
    this.strerror = n === null ? null : str; // Python: OSError("text").strerror is None
    this.operation = op;
    // Python's OSError(errno, text) is the errno's subclass: OSError(ECONNREFUSED, …) is a ConnectionRefusedError.
    const sub = n === null ? undefined : errno_subclass(new.target, n);
    if (sub !== undefined) return new sub(n, text, options);
  }

  /**
   * How Deno's `console.log` shows the error: Python's text, then the
   * operation in parentheses, the stack, and what Deno itself reported.
   * @ignore
   */
  [INSPECT](inspect: (v: unknown, o?: unknown) => string, options?: unknown): string {
    const head = `${this.name}: ${this.message}${this.operation ? ` (${this.operation})` : ""}`;
    const frames = (this.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
    let text = [head, ...frames].join("\n");
    const cause = this.cause instanceof OperationError ? this.cause.cause : this.cause;
    if (cause !== undefined) text += `\nCaused by ${inspect(cause, options)}`;
    return text;
  }

  /** The class name (`"ConnectionRefusedError"`, ...), as Python shows it. */
  override get name(): string {
    return this.constructor.name;
  }

  /**
   * Python's `e.args`: `[errno, strerror]` for an error with an errno (so `e.args[1]` is the text, as classic
   * programs print it), else `[message]` (`socket.timeout`'s `["timed out"]`), or `[]` for an empty message.
   *
   * @example
   * ```ts
   * import { gaierror, OSError, TimeoutError } from "@pysocket/socket";
   * console.log(new OSError(111).args); // [111, "Connection refused"]
   * console.log(new gaierror(-8).args[1]); // "Servname not supported for ai_socktype"
   * console.log(new TimeoutError().args); // ["timed out"]
   * ```
   */
  get args(): (number | string)[] {
    if (this.errno !== null) return this.strerror === null ? [this.errno] : [this.errno, this.strerror];
    return this.message === "" ? [] : [this.message];
  }

  /**
   * Python's `e.filename`: always null here, as CPython's for every socket error (a Unix socket's path is
   * never named in the error).
   *
   * @example
   * ```ts
   * import { OSError } from "@pysocket/socket";
   * console.log(new OSError(2).filename); // null
   * ```
   */
  get filename(): string | null {
    return null;
  }

  /**
   * Python's `e.filename2`: always null here, as CPython's for every socket error.
   *
   * @example
   * ```ts
   * import { OSError } from "@pysocket/socket";
   * console.log(new OSError(2).filename2); // null
   * ```
   */
  get filename2(): string | null {
    return null;
  }
}

/**
 * Python's `socket.error`, an alias of {@linkcode OSError}.
 *
 * @example
 * ```ts
 * import { error, OSError } from "@pysocket/socket";
 * console.log(error === OSError); // true
 * ```
 *
 * @category Errors
 */
export const error: typeof OSError = OSError;

/**
 * An operation would block on a non-blocking socket (`EAGAIN`,
 * `EINPROGRESS`, `EALREADY`).
 *
 * @example
 * ```ts
 * import { BlockingIOError, errno } from "@pysocket/socket";
 * console.log(new BlockingIOError(errno.EAGAIN).message); // "[Errno 11] Resource temporarily unavailable"
 * ```
 *
 * @category Errors
 */
export class BlockingIOError extends OSError {
  /**
   * Python's `characters_written`: how many of a buffered socket file's write's bytes were taken (sent or
   * buffered) before it would block; absent (undefined) otherwise, as Python's attribute. It ends `args`.
   *
   * @example
   * ```ts ignore
   * try { await f.write(big); } catch (e) { if (e instanceof BlockingIOError) console.log(e.characters_written); }
   * ```
   */
  declare characters_written?: number;

  /** Python's `e.args`: `[errno, strerror]`, then `characters_written` when set. */
  override get args(): (number | string)[] {
    const a = super.args;
    return this.characters_written === undefined ? a : [...a, this.characters_written];
  }
}

/**
 * Base of the connection errors.
 *
 * @example
 * ```ts
 * import { ConnectionError, ConnectionResetError } from "@pysocket/socket";
 * console.log(new ConnectionResetError(104) instanceof ConnectionError); // true
 * ```
 *
 * @category Errors
 */
export class ConnectionError extends OSError {}

/**
 * Writing to a connection the peer closed (`EPIPE`, `ESHUTDOWN`).
 *
 * @example
 * ```ts
 * import { BrokenPipeError } from "@pysocket/socket";
 * console.log(new BrokenPipeError(32).message); // "[Errno 32] Broken pipe"
 * ```
 *
 * @category Errors
 */
export class BrokenPipeError extends ConnectionError {}

/**
 * The connection was aborted (`ECONNABORTED`).
 *
 * @example
 * ```ts
 * import { ConnectionAbortedError } from "@pysocket/socket";
 * console.log(new ConnectionAbortedError(103).errno); // 103
 * ```
 *
 * @category Errors
 */
export class ConnectionAbortedError extends ConnectionError {}

/**
 * Nobody listens at the address (`ECONNREFUSED`).
 *
 * @example
 * ```ts
 * import { ConnectionRefusedError } from "@pysocket/socket";
 * console.log(new ConnectionRefusedError(111).message); // "[Errno 111] Connection refused"
 * ```
 *
 * @category Errors
 */
export class ConnectionRefusedError extends ConnectionError {}

/**
 * The peer reset the connection (`ECONNRESET`).
 *
 * @example
 * ```ts
 * import { ConnectionResetError } from "@pysocket/socket";
 * console.log(new ConnectionResetError(104).strerror); // "Connection reset by peer"
 * ```
 *
 * @category Errors
 */
export class ConnectionResetError extends ConnectionError {}

/**
 * A path does not exist (`ENOENT`), e.g. connecting to a missing Unix socket.
 *
 * @example
 * ```ts
 * import { FileNotFoundError } from "@pysocket/socket";
 * console.log(new FileNotFoundError(2).message); // "[Errno 2] No such file or directory"
 * ```
 *
 * @category Errors
 */
export class FileNotFoundError extends OSError {}

/**
 * A path exists already (`EEXIST`).
 *
 * @example
 * ```ts
 * import { FileExistsError } from "@pysocket/socket";
 * console.log(new FileExistsError(17).errno); // 17
 * ```
 *
 * @category Errors
 */
export class FileExistsError extends OSError {}

/**
 * Not allowed (`EACCES`, `EPERM`), including a Deno permission that was not
 * granted.
 *
 * @example
 * ```ts
 * import { PermissionError } from "@pysocket/socket";
 * console.log(new PermissionError(13).message); // "[Errno 13] Permission denied"
 * ```
 *
 * @category Errors
 */
export class PermissionError extends OSError {}

/**
 * A wait was interrupted (`EINTR`).
 *
 * @example
 * ```ts
 * import { InterruptedError } from "@pysocket/socket";
 * console.log(new InterruptedError(4).errno); // 4
 * ```
 *
 * @category Errors
 */
export class InterruptedError extends OSError {}

/**
 * A socket operation timed out. As in Python, the message of a socket
 * timeout is `timed out` and its errno is `null`; an `ETIMEDOUT` from the
 * system is a `TimeoutError` too.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@pysocket/socket";
 * console.log(new TimeoutError().message); // "timed out"
 * ```
 *
 * @category Errors
 */
export class TimeoutError extends OSError {
  /**
   * A timeout error; `timed out` unless another text is given.
   * @param code errno (none for a socket timeout).
   * @param text the text, `timed out` by default.
   * @param options detail and cause.
   */
  constructor(
    code: number | string | null = null,
    text: string | null = "timed out",
    options: ErrorDetail = {},
  ) {
    // socket.timeout("text"): the lone text is the message.
    super(code, typeof code === "string" ? undefined : text, options);
  }
}

/**
 * Python's `socket.timeout`, an alias of {@linkcode TimeoutError}.
 *
 * @example
 * ```ts
 * import { timeout, TimeoutError } from "@pysocket/socket";
 * console.log(timeout === TimeoutError); // true
 * ```
 *
 * @category Errors
 */
export const timeout: typeof TimeoutError = TimeoutError;

/**
 * A name-resolution failure; `errno` is an `EAI_*` value (negative, as on
 * Linux) and the message reads `[Errno -2] Name or service not known`.
 *
 * @example
 * ```ts
 * import { gaierror } from "@pysocket/socket";
 * console.log(new gaierror(-2).message); // "[Errno -2] Name or service not known"
 * ```
 *
 * @category Errors
 */
export class gaierror extends OSError {
  /**
   * A resolver error with Python's `gai_strerror` text.
   * @param code an `EAI_*` number.
   * @param text the text, `gai_strerror(code)` by default.
   * @param options detail and cause.
   */
  constructor(
    code: number | null = null,
    text?: string | null,
    options: ErrorDetail = {},
  ) {
    super(
      code,
      text ?? (code === null ? null : GAI_STRERROR[code] ?? "Unknown error"),
      options,
    );
  }
}

/**
 * An address-related error from `gethostbyaddr` and friends (`h_errno`).
 *
 * @example
 * ```ts
 * import { herror } from "@pysocket/socket";
 * console.log(new herror(1, "Unknown host").message); // "[Errno 1] Unknown host"
 * ```
 *
 * @category Errors
 */
export class herror extends OSError {}

/** The subclass Python's OSError(errno, …) makes, for a call of OSError itself (kept outside the class: a bundler renames a class that names itself). */
function errno_subclass(target: unknown, n: number): typeof OSError | undefined {
  return target === OSError ? SUBCLASS[n] : undefined;
}

const SUBCLASS: Readonly<Record<number, typeof OSError>> = {
  [ERRNO_NUMBERS.EAGAIN]: BlockingIOError,
  [ERRNO_NUMBERS.EALREADY]: BlockingIOError,
  [ERRNO_NUMBERS.EINPROGRESS]: BlockingIOError,
  [ERRNO_NUMBERS.EPIPE]: BrokenPipeError,
  [ERRNO_NUMBERS.ESHUTDOWN]: BrokenPipeError,
  [ERRNO_NUMBERS.ECONNABORTED]: ConnectionAbortedError,
  [ERRNO_NUMBERS.ECONNREFUSED]: ConnectionRefusedError,
  [ERRNO_NUMBERS.ECONNRESET]: ConnectionResetError,
  [ERRNO_NUMBERS.ENOENT]: FileNotFoundError,
  [ERRNO_NUMBERS.EEXIST]: FileExistsError,
  [ERRNO_NUMBERS.EACCES]: PermissionError,
  [ERRNO_NUMBERS.EPERM]: PermissionError,
  [ERRNO_NUMBERS.EINTR]: InterruptedError,
  [ERRNO_NUMBERS.ETIMEDOUT]: TimeoutError,
};

/**
 * Make the OSError subclass Python would raise for an errno number, as
 * `OSError(errno, strerror)` does in CPython.
 *
 * @param code The errno number.
 * @param options `detail` (what failed, on which address) and `cause`.
 * @returns An instance of the matching subclass.
 *
 * @example
 * ```ts
 * import { errno, from_errno, ConnectionRefusedError } from "./errors.ts";
 * const e = from_errno(errno.ECONNREFUSED, { detail: "connect to ('127.0.0.1', 9)" });
 * console.log(e instanceof ConnectionRefusedError, e.message);
 * ```
 */
export function from_errno(code: number, options: ErrorDetail = {}): OSError {
  const Cls = SUBCLASS[code] ?? OSError;
  return new Cls(code, strerror(code), options);
}
