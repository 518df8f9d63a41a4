// Python's calling convention in TypeScript: positional parameters, then any
// of them (and the keyword-only ones) by name in one trailing plain object.

import { py_type } from "./families/_ip.ts";

/** True for a plain `{...}` object (not an address array, not bytes). */
export function is_plain_object(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Bind a call's arguments to Python's parameter names.
 * @param op function name for messages.
 * @param args the call's arguments.
 * @param names positional parameter names, in order.
 * @param kwonly keyword-only names (always includes `signal`).
 */
export function bind_args(
  op: string,
  args: readonly unknown[],
  names: readonly string[],
  kwonly: readonly string[] = [],
): Record<string, unknown> {
  // Every I/O call passes through here: count, do not copy.
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let kw: Record<string, unknown> | null = null;
  if (n > 0 && is_plain_object(args[n - 1])) {
    kw = args[n - 1] as Record<string, unknown>;
    n--;
  }
  if (n > names.length) {
    throw new TypeError(
      `${op}() takes at most ${names.length} arguments (${n} given)`,
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const v = args[i];
    if (v !== undefined) out[names[i]!] = v;
  }
  if (kw === null) return out;
  for (const [k, v] of Object.entries(kw)) {
    if (v === undefined) continue;
    if (!names.includes(k) && !kwonly.includes(k) && k !== "signal") {
      throw new TypeError(`${op}() got an unexpected keyword argument '${k}'`);
    }
    if (k in out) {
      throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    }
    out[k] = v;
  }
  if (out.signal !== undefined && !(out.signal instanceof AbortSignal)) {
    throw new TypeError(
      `${op}(): signal must be an AbortSignal, not ${py_type(out.signal)}`,
    );
  }
  return out;
}

/** A bytes-like argument as a Uint8Array view (no copy); TypeError as Python. */
export function as_bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) {
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  if (
    v instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(v);
  }
  throw new TypeError(`a bytes-like object is required, not '${py_type(v)}'`);
}
