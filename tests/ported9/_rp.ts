// What the Real Python app ports share: Python's json.dumps(ensure_ascii=False) (", " and ": " separators),
// json.load through a TextIOWrapper (decode, then JSON.parse), repr() of a dict of strings, repr() of an
// exception, and struct.pack/unpack(">H").
import { repr } from "../ported/_py.ts";

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** `json.dumps(obj, ensure_ascii=False)`. */
export function dumps(obj: Json): string {
  if (obj === null) return "null";
  if (Array.isArray(obj)) return `[${obj.map(dumps).join(", ")}]`;
  if (typeof obj === "object") {
    return `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}: ${dumps(v)}`).join(", ")}}`;
  }
  return JSON.stringify(obj);
}

/** `json.load(io.TextIOWrapper(io.BytesIO(b), encoding=encoding, newline=""))`. */
export function loads(b: Uint8Array, encoding: string): Json {
  return JSON.parse(new TextDecoder(encoding, { fatal: true }).decode(b)) as Json;
}

/** repr() of a decoded JSON value (a dict prints as Python's). */
export function pyrepr(x: Json): string {
  if (x === null) return "None";
  if (x === true) return "True";
  if (x === false) return "False";
  if (Array.isArray(x)) return `[${x.map(pyrepr).join(", ")}]`;
  if (typeof x === "object") return `{${Object.entries(x).map(([k, v]) => `${repr(k)}: ${pyrepr(v)}`).join(", ")}}`;
  return repr(x);
}

/** repr() of an exception: `RuntimeError('Peer closed.')` (RangeError is Python's ValueError). */
export function exc_repr(e: unknown): string {
  const err = e as Error;
  const name = err instanceof RangeError ? "ValueError" : err.name;
  return `${name}(${repr(err.message)})`;
}

/** `struct.pack(">H", n)`. */
export const pack_H = (n: number): Uint8Array => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
/** `struct.unpack(">H", b[:2])[0]`. */
export const unpack_H = (b: Uint8Array): number => (b[0]! << 8) | b[1]!;

/** Python's RuntimeError (not a JavaScript global). */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}
