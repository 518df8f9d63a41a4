// The only place that looks at Deno.errors.*: turns whatever Deno threw into
// the Python exception with Linux's errno, keeping the original as `cause`.

import { errno as E, from_errno, OSError, PermissionError, TimeoutError } from "./errors.ts";

const BY_CLASS: ReadonlyArray<readonly [string, number]> = [
  ["ConnectionRefused", E.ECONNREFUSED],
  ["ConnectionReset", E.ECONNRESET],
  ["ConnectionAborted", E.ECONNABORTED],
  ["NotConnected", E.ENOTCONN],
  ["AddrInUse", E.EADDRINUSE],
  ["AddrNotAvailable", E.EADDRNOTAVAIL],
  ["BrokenPipe", E.EPIPE],
  ["AlreadyExists", E.EEXIST],
  ["InvalidData", E.EINVAL],
  ["TimedOut", E.ETIMEDOUT],
  ["Interrupted", E.EINTR],
  ["WouldBlock", E.EAGAIN],
  ["NotFound", E.ENOENT],
  ["PermissionDenied", E.EACCES],
  ["BadResource", E.EBADF],
  ["Busy", E.EBUSY],
  ["NotADirectory", E.ENOTDIR],
  ["IsADirectory", E.EISDIR],
  ["NetworkUnreachable", E.ENETUNREACH],
  ["UnexpectedEof", E.ECONNRESET],
];

const CODE_RE = /^E[A-Z0-9]+$/;
const OS_ERROR_RE = /\(os error (\d+)\)/;

/** The Linux errno a Deno error stands for, or null if none is known. */
export function errno_of(err: unknown): number | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && CODE_RE.test(code) && code in E) {
    return E[code as keyof typeof E];
  }
  const m = OS_ERROR_RE.exec(err.message);
  if (m) return Number(m[1]);
  for (const [name, num] of BY_CLASS) {
    const cls = (Deno.errors as Record<string, unknown>)[name];
    if (typeof cls === "function" && err instanceof (cls as new () => Error)) {
      return num;
    }
  }
  return null;
}

/** True when `err` is Deno's refusal of a permission. */
export function is_permission_denial(err: unknown): boolean {
  return err instanceof Deno.errors.NotCapable ||
    (err instanceof Deno.errors.PermissionDenied &&
      /--allow-|Requires /.test(err.message));
}

/**
 * Map anything thrown by Deno to a Python exception.
 *
 * @param err what Deno threw.
 * @param detail what pysocket was doing, e.g. `connect to ('127.0.0.1', 9)`.
 */
export function map_error(err: unknown, detail?: string): Error {
  if (err instanceof OSError) return err;
  if (err instanceof TypeError || err instanceof RangeError) return err;
  const opts = detail === undefined ? { cause: err } : { detail, cause: err };
  if (is_permission_denial(err)) {
    const msg = err instanceof Error ? err.message : String(err);
    return new PermissionError(E.EACCES, `Permission denied (${msg})`, opts);
  }
  const num = errno_of(err);
  if (num === E.ETIMEDOUT) {
    return new TimeoutError(E.ETIMEDOUT, "Connection timed out", opts);
  }
  if (num !== null) return from_errno(num, opts);
  const msg = err instanceof Error ? err.message : String(err);
  return new OSError(null, msg, opts);
}
