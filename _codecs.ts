// Python's text codecs for socket files (makefile's encoding= and errors=):
// utf-8, utf-8-sig, ascii and latin-1, incremental as Python's, with
// Python's error handlers and Python's exact UnicodeDecodeError /
// UnicodeEncodeError messages (raised as RangeError: both are ValueErrors).

/** The codecs supported, by Python's canonical name. */
export type CodecName = "utf-8" | "utf-8-sig" | "ascii" | "latin-1";

const ALIASES: Record<string, CodecName> = {};
for (const a of ["utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001"]) ALIASES[a] = "utf-8";
for (const a of ["utf_8_sig"]) ALIASES[a] = "utf-8-sig";
for (
  const a of [
    "ascii",
    "646",
    "ansi_x3.4_1968",
    "ansi_x3_4_1968",
    "ansi_x3.4_1986",
    "cp367",
    "csascii",
    "ibm367",
    "iso646_us",
    "iso_646.irv_1991",
    "iso_ir_6",
    "us",
    "us_ascii",
  ]
) ALIASES[a] = "ascii";
for (
  const a of [
    "latin_1",
    "8859",
    "cp819",
    "csisolatin1",
    "ibm819",
    "iso8859",
    "iso8859_1",
    "iso_8859_1",
    "iso_8859_1_1987",
    "iso_ir_100",
    "l1",
    "latin",
    "latin1",
  ]
) ALIASES[a] = "latin-1";

/**
 * Python's codecs.lookup() for the supported codecs: names are matched as
 * Python matches them (case, and runs of punctuation, ignored).
 * @throws {RangeError} `unknown encoding: NAME` (Python's LookupError).
 */
export function lookup_codec(name: string): CodecName {
  const key = name.toLowerCase().replace(/[^a-z0-9.]+/g, "_").replace(/^_+|_+$/g, "");
  const c = ALIASES[key];
  if (c === undefined) throw new RangeError(`unknown encoding: ${name}`);
  return c;
}

/** Python's error handlers understood here. */
const DECODE_HANDLERS = new Set(["strict", "ignore", "replace", "backslashreplace", "surrogateescape"]);
const ENCODE_HANDLERS = new Set([
  "strict",
  "ignore",
  "replace",
  "backslashreplace",
  "surrogateescape",
  "xmlcharrefreplace",
]);

function unknown_handler(errors: string): RangeError {
  return new RangeError(`unknown error handler name '${errors}'`);
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** An incremental decoder, as codecs.getincrementaldecoder(name)(errors). */
export interface Decoder {
  /** Decode the next bytes; bytes of an unfinished character wait for the next call unless `final`. */
  decode(b: Uint8Array, final: boolean): string;
}

/** An incremental encoder. */
export interface Encoder {
  encode(s: string): Uint8Array;
}

/** Where UTF-8 input first goes wrong: [start, end, reason], or null (an unfinished tail is not an error unless final). */
function utf8_error(d: Uint8Array, from: number, final: boolean): [number, number, string] | null {
  const n = d.length;
  let i = from;
  while (i < n) {
    const c = d[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c < 0xc2 || c > 0xf4) return [i, i + 1, "invalid start byte"];
    const need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    let j = i + 1;
    for (let k = 0; k < need; k++, j++) {
      if (j >= n) return final ? [i, n, "unexpected end of data"] : null;
      const x = d[j]!;
      if (k === 0 ? x < lo || x > hi : x < 0x80 || x > 0xbf) return [i, j, "invalid continuation byte"];
    }
    i = j;
  }
  return null;
}

/** Where the complete characters of UTF-8 input end: an unfinished but valid tail (at most 3 bytes) is left out. */
function utf8_complete(d: Uint8Array): number {
  const n = d.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = d[i]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (c < 0xc2 || c > 0xf4) return n;
    const need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (i + need <= n) return n;
    return utf8_error(d.subarray(i), 0, false) === null ? i : n;
  }
  return n;
}

const strict_utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient_utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Bytes 0-255 as code points (latin-1), in slices small enough for fromCharCode. */
function latin1(d: Uint8Array): string {
  let s = "";
  for (let i = 0; i < d.length; i += 8192) {
    s += String.fromCharCode.apply(null, d.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

function decode_error(codec: string, d: Uint8Array, start: number, end: number, reason: string): RangeError {
  const what = end - start === 1
    ? `byte 0x${hex2(d[start]!)} in position ${start}`
    : `bytes in position ${start}-${end - 1}`;
  return new RangeError(`'${codec}' codec can't decode ${what}: ${reason}`);
}

/** What a decode error handler puts in place of d[start:end]. */
function decode_replacement(errors: string, d: Uint8Array, start: number, end: number): string {
  switch (errors) {
    case "ignore":
      return "";
    case "replace":
      return "\ufffd";
    case "backslashreplace": {
      let s = "";
      for (let i = start; i < end; i++) s += `\\x${hex2(d[i]!)}`;
      return s;
    }
    case "surrogateescape": {
      let s = "";
      for (let i = start; i < end; i++) s += String.fromCharCode(0xdc00 + d[i]!);
      return s;
    }
  }
  throw unknown_handler(errors);
}

class Utf8Decoder implements Decoder {
  #pending: Uint8Array = new Uint8Array(0);
  #bom: boolean;
  constructor(readonly errors: string, sig: boolean) {
    this.#bom = sig;
  }

  decode(b: Uint8Array, final: boolean): string {
    let d = concat(this.#pending, b);
    if (this.#bom) {
      // utf-8-sig: a BOM at the very start is dropped (wait for 3 bytes to know).
      const bom = [0xef, 0xbb, 0xbf];
      const k = Math.min(3, d.length);
      if (!final && k < 3 && d.subarray(0, k).every((x, i) => x === bom[i])) {
        this.#pending = d.slice();
        return "";
      }
      this.#bom = false;
      if (k === 3 && d[0] === 0xef && d[1] === 0xbb && d[2] === 0xbf) d = d.subarray(3);
    }
    const cut = final ? d.length : utf8_complete(d);
    // As Python's BufferedIncrementalDecoder: a decode that raises keeps the bytes pending before it (so a
    // final decode of a truncated character raises again at every later call, as CPython's readline does).
    const before = this.#pending;
    this.#pending = cut < d.length ? d.slice(cut) : new Uint8Array(0);
    const body = d.subarray(0, cut);
    // The lenient decoder is several times faster than the fatal one: an input
    // with no error gives no U+FFFD, unless the input holds U+FFFD itself.
    const quick = lenient_utf8.decode(body);
    if (this.errors === "replace" || !quick.includes("\ufffd") || utf8_error(body, 0, true) === null) return quick;
    if (this.errors !== "strict" && !DECODE_HANDLERS.has(this.errors)) throw unknown_handler(this.errors);
    let out = "", at = 0;
    for (;;) {
      const e = utf8_error(body, at, true);
      if (e === null) return out + strict_utf8.decode(body.subarray(at));
      const [start, end, reason] = e;
      if (this.errors === "strict") {
        this.#pending = before;
        throw decode_error("utf-8", d, start, end, reason);
      }
      out += strict_utf8.decode(body.subarray(at, start)) + decode_replacement(this.errors, body, start, end);
      at = end;
    }
  }
}

class ByteDecoder implements Decoder {
  constructor(readonly errors: string, readonly ascii: boolean) {}
  decode(d: Uint8Array, _final: boolean): string {
    if (!this.ascii) return latin1(d);
    let out = "", at = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < 0x80) continue;
      if (this.errors === "strict") throw decode_error("ascii", d, i, i + 1, "ordinal not in range(128)");
      out += latin1(d.subarray(at, i)) + decode_replacement(this.errors, d, i, i + 1);
      at = i + 1;
    }
    return out + latin1(d.subarray(at));
  }
}

/** Python's incremental decoder for a codec and error handler. */
export function make_decoder(codec: CodecName, errors: string): Decoder {
  // An unknown handler name is reported at the first error only, as Python looks it up then.
  switch (codec) {
    case "utf-8":
      return new Utf8Decoder(errors, false);
    case "utf-8-sig":
      return new Utf8Decoder(errors, true);
    case "ascii":
      return new ByteDecoder(errors, true);
    default:
      return new ByteDecoder(errors, false);
  }
}

// ---- encoding --------------------------------------------------------

/** Python's escape of one code point in UnicodeEncodeError messages. */
function char_escape(cp: number): string {
  if (cp <= 0xff) return `\\x${hex2(cp)}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

const utf8_encoder = new TextEncoder();

/** Encode `s` code point by code point; `ok(cp)` tells what the codec can encode, `put` writes it. */
function encode_with(
  codec: string,
  s: string,
  errors: string,
  reason: string,
  ok: (cp: number) => boolean,
  put: (cp: number, out: number[]) => void,
): Uint8Array {
  const out: number[] = [];
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length;) {
    const cp = cps[i]!;
    if (ok(cp)) {
      put(cp, out);
      i++;
      continue;
    }
    let end = i + 1;
    while (end < cps.length && !ok(cps[end]!)) end++;
    if (errors === "strict") {
      const what = end - i === 1
        ? `character '${char_escape(cp)}' in position ${i}`
        : `characters in position ${i}-${end - 1}`;
      throw new RangeError(`'${codec}' codec can't encode ${what}: ${reason}`);
    }
    for (let k = i; k < end; k++) {
      const c = cps[k]!;
      let rep: string;
      switch (errors) {
        case "ignore":
          rep = "";
          break;
        case "replace":
          rep = "?";
          break;
        case "backslashreplace":
          rep = char_escape(c);
          break;
        case "xmlcharrefreplace":
          rep = `&#${c};`;
          break;
        case "surrogateescape":
          if (c < 0xdc80 || c > 0xdcff) {
            throw new RangeError(
              `'${codec}' codec can't encode character '${char_escape(c)}' in position ${k}: ${reason}`,
            );
          }
          out.push(c - 0xdc00);
          continue;
        default:
          throw unknown_handler(errors);
      }
      if (!ENCODE_HANDLERS.has(errors)) throw unknown_handler(errors);
      for (const ch of rep) put(ch.codePointAt(0)!, out);
    }
    i = end;
  }
  return new Uint8Array(out);
}

/** Python's incremental encoder for a codec and error handler. */
export function make_encoder(codec: CodecName, errors: string): Encoder {
  if (codec === "utf-8" || codec === "utf-8-sig") {
    let bom = codec === "utf-8-sig";
    return {
      encode(s: string): Uint8Array {
        let out = s.isWellFormed() ? utf8_encoder.encode(s) : encode_with(
          "utf-8",
          s,
          errors,
          "surrogates not allowed",
          (cp) => cp < 0xd800 || cp > 0xdfff,
          (cp, o) => o.push(...utf8_encoder.encode(String.fromCodePoint(cp))),
        );
        if (bom && s.length > 0) {
          bom = false;
          out = concat(new Uint8Array([0xef, 0xbb, 0xbf]), out);
        }
        return out;
      },
    };
  }
  const limit = codec === "ascii" ? 0x80 : 0x100;
  return {
    encode(s: string): Uint8Array {
      let fast = true;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) >= limit) {
          fast = false;
          break;
        }
      }
      if (fast) {
        const out = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
        return out;
      }
      return encode_with(
        codec,
        s,
        errors,
        `ordinal not in range(${limit})`,
        (cp) => cp < limit,
        (cp, o) => o.push(cp),
      );
    },
  };
}
