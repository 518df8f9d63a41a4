// Python's print()/repr()/str() for the ported programs' output, so that a
// port prints byte for byte what its CPython original prints. This is the
// only shim the ports use beyond pysocket: the README's porting rules say how
// the socket API ports, not how Python formats values. Addresses (Python
// tuples) are arrays here, so arrays print as tuples.

const enc = new TextEncoder();

function bytes_repr(b: Uint8Array): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = "b" + quote;
  for (const c of b) {
    if (c === 0x5c) out += "\\\\";
    else if (c === quote.charCodeAt(0)) out += "\\" + quote;
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  return out + quote;
}

function str_repr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + quote;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") out += "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

/** Python's repr() of the values these programs print. */
export function repr(x: unknown): string {
  if (typeof x === "string") return str_repr(x);
  if (x instanceof Uint8Array) return bytes_repr(x);
  if (x instanceof PyList) return `[${x.map(repr).join(", ")}]`;
  if (Array.isArray(x)) {
    return x.length === 1 ? `(${repr(x[0])},)` : `(${x.map(repr).join(", ")})`;
  }
  return str(x);
}

/** Python's str(). */
export function str(x: unknown): string {
  if (typeof x === "string") return x;
  if (x === null || x === undefined) return "None";
  if (x === true) return "True";
  if (x === false) return "False";
  if (x instanceof Error) return x.message;
  if (typeof x === "number" || typeof x === "bigint") return String(x);
  if (x instanceof Uint8Array || Array.isArray(x)) return repr(x);
  return String(x);
}

function write(s: string): void {
  const b = enc.encode(s);
  let off = 0;
  while (off < b.length) off += Deno.stdout.writeSync(b.subarray(off));
}

/** Python's print(*args, sep=" ", end="\n"). */
export function print(...args: unknown[]): void {
  let sep = " ";
  let end = "\n";
  const last = args.at(-1);
  if (last instanceof Kw) {
    args.pop();
    sep = last.sep ?? sep;
    end = last.end ?? end;
  }
  write(args.map(str).join(sep) + end);
}

/** print()'s keywords: `print(a, kw({ end: "" }))`. */
export class Kw {
  sep?: string;
  end?: string;
  constructor(o: { sep?: string; end?: string }) {
    if (o.sep !== undefined) this.sep = o.sep;
    if (o.end !== undefined) this.end = o.end;
  }
}
export const kw = (o: { sep?: string; end?: string }): Kw => new Kw(o);

/** `b'...'` for ASCII text. */
export const b = (s: string): Uint8Array => enc.encode(s);

/** Python's `bytes == bytes`. */
export const beq = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i]);

/** `time.sleep(s)`. */
export const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

/** `b"".join(chunks)`. */
export function bjoin(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** `bytes.upper()` (ASCII). */
export const bupper = (x: Uint8Array): Uint8Array => x.map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c));

/** `bytes.strip()` (ASCII whitespace). */
export function bstrip(x: Uint8Array): Uint8Array {
  const ws = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
  let i = 0;
  let j = x.length;
  while (i < j && ws(x[i]!)) i++;
  while (j > i && ws(x[j - 1]!)) j--;
  return x.subarray(i, j);
}

/** `bytes.decode()`. */
export const decode = (x: Uint8Array): string => new TextDecoder().decode(x);

/** A Python list (arrays print as tuples): `list(x)`. */
export class PyList<T> extends Array<T> {}
export const list = <T>(items: Iterable<T>): PyList<T> => PyList.from(items) as PyList<T>;

/** `t.join(timeout)`: wait for a task for at most `s` seconds (the timer does not outlive the wait). */
export async function join(task: Promise<unknown>, s: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([task, new Promise((r) => timer = setTimeout(r, s * 1000))]);
  } finally {
    clearTimeout(timer);
  }
}
