// The only place that looks at Deno.errors.*: turns whatever Deno threw into
// the Python exception with Linux's errno, keeping the original as `cause`.

import { errno as E, from_errno, gaierror, OSError, PermissionError, TimeoutError } from "./errors.ts";
import { GAI_STRERROR } from "./_errno_table.ts";
import { linux_errno } from "./_platform.ts";

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
/** Deno's text when the system resolver fails inside listen/connect. */
const LOOKUP_RE = /^failed to lookup address information: (.*)$/;

/** gai_strerror() text -> EAI_* number (glibc's texts, as CPython prints them). */
const GAI_BY_TEXT: ReadonlyMap<string, number> = new Map(
  Object.entries(GAI_STRERROR).map(([k, v]) => [v.toLowerCase(), Number(k)]),
);

/** The Linux errno a Deno error stands for, or null if none is known. */
export function errno_of(err: unknown): number | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && CODE_RE.test(code) && code in E) {
    return E[code as keyof typeof E];
  }
  const m = OS_ERROR_RE.exec(err.message);
  if (m) {
    // The platform's own number: Linux's on Linux, mapped elsewhere (61 is ECONNREFUSED on macOS).
    const n = linux_errno(Number(m[1]));
    if (n !== null) return n;
  }
  const errors = (globalThis as { Deno?: { errors?: Record<string, unknown> } }).Deno?.errors ?? {};
  for (const [name, num] of BY_CLASS) {
    const cls = errors[name];
    if (typeof cls === "function" && err instanceof (cls as new () => Error)) {
      return num;
    }
  }
  return null;
}

/** True when `err` is Deno's refusal of a permission. */
export function is_permission_denial(err: unknown): boolean {
  const errors = (globalThis as { Deno?: { errors?: Record<string, new () => Error> } }).Deno?.errors;
  if (!errors) return false;
  return (errors.NotCapable !== undefined && err instanceof errors.NotCapable) ||
    (errors.PermissionDenied !== undefined && err instanceof errors.PermissionDenied &&
      /--allow-|Requires /.test((err as Error).message));
}

/** The gaierror for Deno's "failed to lookup address information: <gai_strerror>", or null. */
export function lookup_failure(err: unknown, options: { operation?: string; cause?: unknown } = {}): gaierror | null {
  if (!(err instanceof Error)) return null;
  // A name Deno will not even look up ("invalid host 'bücher': invalid char found in FQDN"): no resolver
  // finds it, as CPython's getaddrinfo() of the idna-encoded name does not (EAI_NONAME).
  if (/^invalid host '.*': invalid char/s.test(err.message)) return new gaierror(E_NONAME, null, options);
  const m = LOOKUP_RE.exec(err.message);
  if (!m) return null;
  const code = GAI_BY_TEXT.get(m[1]!.trim().toLowerCase()) ?? E_NONAME;
  return new gaierror(code, null, options);
}
const E_NONAME = -2;

/**
 * Map anything thrown by Deno to a Python exception.
 *
 * @param err what Deno threw.
 * @param operation what pysocket was doing, e.g. `connect to ('127.0.0.1', 9)`:
 *   kept in the error's `operation`, not in its message (Python's `str(e)`).
 */
export function map_error(err: unknown, operation?: string): Error {
  if (err instanceof OSError) return err;
  // Deno throws some OS errors as a TypeError with a code (bind to fe80::1 without a scope: EINVAL).
  const coded = typeof (err as { code?: unknown })?.code === "string";
  if ((err instanceof TypeError || err instanceof RangeError) && !coded) return err;
  const opts = operation === undefined ? { cause: err } : { operation, cause: err };
  if (is_permission_denial(err)) {
    const msg = err instanceof Error ? err.message : String(err);
    // A reason CPython never meets: the text keeps Deno's, which names the flag to add.
    return new PermissionError(E.EACCES, `Permission denied (${msg})`, opts);
  }
  const gai = lookup_failure(err, opts);
  if (gai) return gai;
  const num = errno_of(err);
  if (num === E.ETIMEDOUT) {
    return new TimeoutError(E.ETIMEDOUT, "Connection timed out", opts);
  }
  if (num !== null) return from_errno(num, opts);
  const msg = err instanceof Error ? err.message : String(err);
  return new OSError(null, msg, opts);
}
