// pysocket's numbers (fileno()) back to their sockets, so that select(), poll(), epoll and the selectors take
// `s.fileno()` as CPython's do. Filled lazily: a socket enters the table the first time a program calls its
// fileno() (a WeakRef, so the table keeps nothing alive) and leaves it at close() or detach(). pysocket's own calls
// (select() on socket objects, a selector's bookkeeping) go through quiet_fileno() and leave the table alone, so
// sockets whose number the program never asks for cost nothing; numbers are never reused within a process.

import { errno, OSError } from "./errors.ts";
import { py_type } from "./families/_ip.ts";

const table = new Map<number, WeakRef<object>>();

/** While `quiet` is above 0, a fileno() call is pysocket's own: the socket does not enter the table. */
export const fd_table: { quiet: number } = { quiet: 0 };

/** Call an object's fileno() `f` for pysocket's own use (see fd_table). */
export function quiet_fileno(obj: unknown, f: (this: unknown) => unknown): unknown {
  fd_table.quiet++;
  try {
    return f.call(obj);
  } finally {
    fd_table.quiet--;
  }
}

/** The table's size at which dead entries are swept next. */
let sweep_at = 1024;

/**
 * `obj` answers to number `n` (called by Socket.fileno() once per socket). Entries of sockets collected without
 * close() are swept each time the table doubles (A12a-4: they stayed, ~90 bytes each, until their number was
 * looked up).
 */
export function fd_map(n: number, obj: object): void {
  table.set(n, new WeakRef(obj));
  if (table.size >= sweep_at) {
    for (const [k, ref] of table) if (ref.deref() === undefined) table.delete(k);
    sweep_at = Math.max(1024, table.size * 2);
  }
}

/** How many numbers the table holds (tests). */
export function fd_table_size(): number {
  return table.size;
}

/** Number `n` no longer names `obj` (close, detach). */
export function fd_unmap(n: number, obj: object): void {
  if (table.get(n)?.deref() === obj) table.delete(n);
}

/** The open object that number `n` names, or undefined (never given out, closed, detached or collected). */
export function fd_object(n: number): object | undefined {
  const ref = table.get(n);
  if (ref === undefined) return undefined;
  const obj = ref.deref();
  if (obj === undefined) table.delete(n);
  return obj;
}

/** True when `obj` has pysocket's readiness hook (a Socket, an SSLSocket). */
export function has_pollable(obj: unknown): boolean {
  return typeof (obj as { _pollable?: unknown } | null)?._pollable === "function";
}

/**
 * What a readiness call watches for what it was given: the object itself when it is a pysocket socket, else the
 * socket that its number names (a bare number, or `fileno()` of any object: a socketserver server, a socket file).
 *
 * @param given what the caller passed.
 * @param n its number, already checked (not negative).
 * @throws {OSError} EBADF when the number names no open pysocket socket, as CPython's select() on a closed
 *   descriptor.
 */
export function watched_object<T>(given: unknown, n: number): T {
  if (has_pollable(given)) return given as T;
  let obj = fd_object(n);
  const f = (given as { fileno?: unknown } | null)?.fileno;
  if (obj === undefined && typeof f === "function") {
    // An object whose fileno() is a socket's (a server, a socket file) that was asked quietly: ask it aloud, so
    // that the socket behind it enters the table.
    const q = fd_table.quiet;
    fd_table.quiet = 0;
    try {
      f.call(given);
    } finally {
      fd_table.quiet = q;
    }
    obj = fd_object(n);
  }
  if (obj === undefined || !has_pollable(obj)) throw new OSError(errno.EBADF);
  return obj as T;
}

/**
 * CPython's conversion of a number to a C int (PyObject_AsFileDescriptor): beyond it, OverflowError (A12a-3: such
 * numbers gave EBADF, or were taken by poll.register).
 */
export function c_int(n: number): number {
  if (n > 2147483647 || n < -2147483648) throw new RangeError("Python int too large to convert to C int");
  return n;
}

/** CPython's error for a `fileno` attribute that is not a method (A12a-3). */
export function not_callable(f: unknown): TypeError {
  return f === undefined
    ? new TypeError("argument must be an int, or have a fileno() method.")
    : new TypeError(`'${py_type(f)}' object is not callable`);
}
